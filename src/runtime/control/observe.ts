/**
 * Everything the fault commands need to see of a running topology, in one file, through
 * runtime/observe: looks (every node, and what each sentinel believes), health (apart from nodes
 * paused on purpose), which master each sentinel names, and a node's role.
 */
import { systemClock, type Clock } from '../../common/clock.js';
import { waitUntil } from '../../common/retry.js';
import { progressGate } from './progress.js';
import type { Topology } from '../../topology/types.js';
import {
  AddressBook,
  healthyMissing,
  lookAt,
  observerFor,
  scopeOf,
  type Observation,
  type ProbeTarget,
  type Secrets,
  type Snapshot,
} from '../observe/index.js';

export type { Observation, ProbeTarget, Secrets, Snapshot };

/** A master as a sentinel names it: its address, and the topology's service at that address when there is one. */
export interface MasterRef {
  address: string;
  service?: string;
}

/** What one sentinel said about a group in one look. */
export interface SentinelSays {
  sentinel: string;
  /** The runtime's word on its process. */
  process: string;
  reachable: boolean;
  /** Null when it did not answer or does not monitor the group. */
  master: MasterRef | null;
  flags: string[];
  /** In TILT mode (INFO sentinel): it acts on nothing it sees until 30 s after its last timer jump. */
  tilt: boolean;
  error?: string;
}

/** Deadline of each question in a look. */
const QUESTION_MS = 1000;

/**
 * Looks at a topology repeatedly (a wait polls through one of these), on connections kept across
 * looks: a paused node keeps one question pending instead of costing a deadline per look.
 */
export interface Watcher {
  /** Every node and sentinel. */
  look(): Promise<Snapshot>;
  /**
   * What the sentinels believe about `group`, and the role of each node they name as its master:
   * all a master change needs, without waiting on a paused data node's deadline.
   */
  lookAtMaster(group: string): Promise<Observation>;
  close(): void;
}

export function watch(target: ProbeTarget, secrets: Secrets): Watcher {
  const observer = observerFor(target, secrets, QUESTION_MS);
  const sentinels = target.topology.sentinels.map((s) => s.service);
  return {
    look: () => lookAt(target, observer),
    async lookAtMaster(group) {
      const states = new Map((await target.ps()).map((s) => [s.service, s.state]));
      const obs = await observer.observe([], sentinels, group, Date.now(), states);
      const named = [...new Set(obs.sentinels.flatMap((s) => s.masters[group]?.service ?? []))];
      const nodes = await Promise.all(named.map((n) => observer.node(n, states.get(n) ?? 'missing')));
      return { ...obs, nodes };
    },
    close: () => observer.close(),
  };
}

/**
 * What keeps the topology (or one group) from being healthy, judged without the nodes in
 * `except` (paused on purpose): a group whose paused master was failed over is healthy when its
 * new master has every other replica and the sentinels agree on it. Empty means healthy.
 */
export function healthMissing(t: Topology, snap: Snapshot, opts: { group?: string; except?: readonly string[] } = {}): string[] {
  const keep = (s: string) => !(opts.except ?? []).includes(s);
  const groups = t.masters.filter((m) => opts.group === undefined || m.name === opts.group);
  return [
    ...new Set(
      groups.flatMap((g) => {
        const scope = scopeOf(t, g);
        return healthyMissing(snap, { group: scope.group, nodes: scope.nodes.filter(keep), sentinels: scope.sentinels.filter(keep) });
      }),
    ),
  ];
}

/** What each sentinel names as the master of `group`. */
export function sentinelsSay(snap: Observation, group: string): SentinelSays[] {
  return snap.sentinels.map((s) => {
    const v = s.reachable ? s.masters[group] : null;
    return {
      sentinel: s.service,
      process: s.process ?? 'running',
      reachable: s.reachable,
      master: v ? { address: v.address, ...(v.service ? { service: v.service } : {}) } : null,
      flags: v?.flags ?? [],
      tilt: s.reachable && s.tilt === true,
      ...(s.error ? { error: s.error } : !s.reachable || v ? {} : { error: `does not monitor ${group}` }),
    };
  });
}

/** The role a data node reported in this look, if it answered. */
export function roleIn(snap: Observation, service: string): 'master' | 'replica' | undefined {
  const n = snap.nodes.find((x) => x.service === service);
  return n?.reachable ? n.role : undefined;
}

/** The service at `address` (`host:port`) as sentinels and nodes report addresses. */
export function serviceAt(t: Topology, target: Pick<ProbeTarget, 'endpoint'>, address: string): string | undefined {
  return new AddressBook(t, (s) => target.endpoint(s)).service(address) ?? undefined;
}

export interface WaitHealthyOptions {
  group?: string;
  except?: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** What is still missing, for progress (see progressGate). */
  onProgress?: (missing: string[]) => void;
  /** What each look found missing (empty: healthy), every look. */
  onLook?: (missing: string[]) => void;
}

/** Resolves with the healthy snapshot; TimeoutError naming what is still missing; InterruptedError when `signal` aborts. */
export async function waitHealthy(target: ProbeTarget, secrets: Secrets, opts: WaitHealthyOptions): Promise<Snapshot> {
  const clock = opts.clock ?? systemClock;
  const watcher = watch(target, secrets);
  let last: Snapshot | undefined;
  try {
    await waitUntil(
      `${target.topology.project}${opts.group ? ` (${opts.group})` : ''}: healthy`,
      async () => {
        last = await watcher.look();
        const missing = healthMissing(target.topology, last, opts);
        opts.onLook?.(missing);
        return missing;
      },
      {
        timeoutMs: opts.timeoutMs,
        intervalMs: 250,
        clock,
        signal: opts.signal,
        onPending: progressGate(clock, opts.onProgress),
      },
    );
  } finally {
    watcher.close();
  }
  return last!;
}

/**
 * Everything the fault commands need to see of a running topology, in one file: looks (a
 * snapshot of every node and what each sentinel believes), health (apart from nodes paused on
 * purpose), which master each sentinel names, and a node's role. Written against runtime/probe.ts
 * and health.ts; when they give way to one observation module, only this file changes.
 */
import { systemClock, type Clock } from '../../common/clock.js';
import { waitUntil } from '../../common/retry.js';
import type { Topology } from '../../topology/types.js';
import { addressIndex, missingForHealth, takeSnapshot, type ProbeTarget, type Secrets, type Snapshot } from '../probe.js';

export type { ProbeTarget, Secrets, Snapshot };

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
  error?: string;
}

/** Deadline of each question in a look: a paused node costs at most this much per look. */
const QUESTION_MS = 1000;

/**
 * Looks at a topology repeatedly (a wait polls through one of these). Today each look is a fresh
 * snapshot; the observation module keeps connections across looks, which `close` ends.
 */
export interface Watcher {
  look(): Promise<Snapshot>;
  close(): void;
}

export function watch(target: ProbeTarget, secrets: Secrets): Watcher {
  return { look: () => takeSnapshot(target, secrets, { timeoutMs: QUESTION_MS }), close() {} };
}

/** The topology reduced to `group` (all when undefined) and without `except`, for health judged on what is left. */
function narrowed(t: Topology, snap: Snapshot, group: string | undefined, except: readonly string[]): { t: Topology; snap: Snapshot } {
  const keep = (s: string) => !except.includes(s);
  const masters = t.masters.filter((m) => group === undefined || m.name === group).map((m) => ({ ...m, nodes: m.nodes.filter((n) => keep(n.service)) }));
  const groupNodes = new Set(masters.flatMap((m) => m.nodes.map((n) => n.service)));
  return {
    t: { ...t, masters, sentinels: t.sentinels.filter((s) => keep(s.service)) },
    snap: { ...snap, nodes: snap.nodes.filter((n) => groupNodes.has(n.service)), sentinels: snap.sentinels.filter((s) => keep(s.service)) },
  };
}

/**
 * What keeps the topology (or one group) from being healthy, judged without the nodes in
 * `except` (paused on purpose): a group whose paused master was failed over is healthy when its
 * new master has every other replica and the sentinels agree on it. Empty means healthy.
 */
export function healthMissing(t: Topology, snap: Snapshot, opts: { group?: string; except?: readonly string[] } = {}): string[] {
  const n = narrowed(t, snap, opts.group, opts.except ?? []);
  return missingForHealth(n.t, n.snap);
}

/** What each sentinel names as the master of `group`. */
export function sentinelsSay(snap: Snapshot, group: string): SentinelSays[] {
  return snap.sentinels.map((s) => {
    const v = s.reachable ? s.masters[group] : null;
    return {
      sentinel: s.service,
      process: s.process,
      reachable: s.reachable,
      master: v ? { address: v.address, ...(v.service ? { service: v.service } : {}) } : null,
      flags: v?.flags ?? [],
      ...(s.error ? { error: s.error } : !s.reachable || v ? {} : { error: `does not monitor ${group}` }),
    };
  });
}

/** The role a data node reported in this look, if it answered. */
export function roleIn(snap: Snapshot, service: string): 'master' | 'replica' | undefined {
  const n = snap.nodes.find((x) => x.service === service);
  return n?.reachable ? n.role : undefined;
}

/** The service at `address` (`host:port`) as sentinels and nodes report addresses. */
export function serviceAt(t: Topology, target: Pick<ProbeTarget, 'endpoint'>, address: string): string | undefined {
  return addressIndex(t, target).get(address);
}

export interface WaitHealthyOptions {
  group?: string;
  except?: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** What is still missing, at most every 2 s. */
  onProgress?: (missing: string[]) => void;
}

/** Resolves with the healthy snapshot; TimeoutError naming what is still missing; InterruptedError when `signal` aborts. */
export async function waitHealthy(target: ProbeTarget, secrets: Secrets, opts: WaitHealthyOptions): Promise<Snapshot> {
  const clock = opts.clock ?? systemClock;
  const watcher = watch(target, secrets);
  let last: Snapshot | undefined;
  let reported = -Infinity;
  try {
    await waitUntil(
      `${target.topology.project}${opts.group ? ` (${opts.group})` : ''}: healthy`,
      async () => {
        last = await watcher.look();
        return healthMissing(target.topology, last, opts);
      },
      {
        timeoutMs: opts.timeoutMs,
        intervalMs: 250,
        clock,
        signal: opts.signal,
        onPending: (missing) => {
          if (clock.monotonic() - reported < 2000) return;
          reported = clock.monotonic();
          opts.onProgress?.(missing);
        },
      },
    );
  } finally {
    watcher.close();
  }
  return last!;
}

/**
 * `wait`: until the topology (or one group) is healthy, or until a group's master has changed
 * from what it was when the wait started (or from a master the caller names). Read-only, so it
 * takes no lock: it can run beside the `pause` or `failover` it waits for.
 */
import { systemClock, type Clock } from '../../common/clock.js';
import { waitUntil } from '../../common/retry.js';
import { TimeoutError } from '../../common/errors.js';
import { masterChanged, masterLabel, namedMaster } from './master.js';
import { resolveGroup, resolveMasterRef } from './names.js';
import { sentinelsSay, waitHealthy, watch, type MasterRef, type SentinelSays, type Snapshot, type Watcher } from './observe.js';
import { openSession, requireRunning, type ControlOptions, type Session } from './session.js';

export interface WaitOptions extends ControlOptions {
  timeoutMs: number;
  clock?: Clock;
  /** What is still missing, at most every 2 s, for progress. */
  onProgress?: (missing: string[]) => void;
}

export interface HealthyResult {
  group: string | null;
  /** Already healthy when the wait started. */
  already: boolean;
  ms: number;
}

export async function waitForHealthy(group: string | undefined, opts: WaitOptions): Promise<HealthyResult> {
  const s = await openSession(opts);
  const g = group === undefined ? undefined : resolveGroup(s.dir.topology, group, 'GROUP').name;
  await requireRunning(s);
  const clock = opts.clock ?? systemClock;
  const t0 = clock.monotonic();
  // The first look that finds something missing reports it: none means it was healthy at once.
  let looks = 0;
  await waitHealthy(s.runtime, s.dir.secrets, {
    group: g,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    clock,
    onProgress: (m) => {
      looks++;
      opts.onProgress?.(m);
    },
  });
  return { group: g ?? null, already: looks === 0, ms: Math.round(clock.monotonic() - t0) };
}

export interface MasterChangedOptions extends WaitOptions {
  /** The master to wait for a change from (a service or `host:port`); default: what the sentinels name when the wait starts. */
  from?: string;
}

export interface MasterChange {
  group: string;
  from: MasterRef;
  to: MasterRef;
  /** From the start of the wait until every running sentinel named `to` (ms). */
  ms: number;
  /** What each sentinel named at the end. */
  sentinels: SentinelSays[];
}

export async function waitForMasterChange(group: string | undefined, opts: MasterChangedOptions): Promise<MasterChange> {
  const s = await openSession(opts);
  const g = resolveGroup(s.dir.topology, group, 'GROUP');
  const fromService = opts.from === undefined ? undefined : resolveMasterRef(s.dir.topology, g, opts.from, (x) => s.runtime.endpoint(x));
  await requireRunning(s);
  const clock = opts.clock ?? systemClock;
  const t0 = clock.monotonic();
  const watcher = watch(s.runtime, s.dir.secrets);
  try {
    const from: MasterRef = fromService
      ? { service: fromService, address: address(s, fromService) }
      : await currentMaster(s, watcher, g.name, { ...opts, clock, t0 });
    s.log.info(`${g.name}: waiting for the master to change from ${masterLabel(from)}`);
    return { ...(await untilChanged(watcher, g.name, from, { ...opts, clock, t0 })), group: g.name, from };
  } finally {
    watcher.close();
  }
}

function address(s: Session, service: string): string {
  const ep = s.runtime.endpoint(service);
  return `${ep.host}:${ep.port}`;
}

type Timed = WaitOptions & { clock: Clock; t0: number };

/** The master most sentinels name now; waits (within the timeout) while none answers. */
export async function currentMaster(s: Session, watcher: Watcher, group: string, opts: Timed): Promise<MasterRef> {
  let found: MasterRef | undefined;
  await waitUntil(
    `${group}: asking the sentinels for the master`,
    async () => {
      const says = sentinelsSay(await watcher.look(), group);
      found = namedMaster(says)?.master;
      return found ? [] : says.map((x) => `${x.sentinel}: ${x.error ?? 'no answer'}`);
    },
    { timeoutMs: remaining(opts), intervalMs: 250, clock: opts.clock, signal: opts.signal },
  );
  return found!;
}

/** Polls until masterChanged holds; TimeoutError naming the sentinels that still disagree. */
export async function untilChanged(watcher: Watcher, group: string, from: MasterRef, opts: Timed): Promise<{ to: MasterRef; ms: number; sentinels: SentinelSays[] }> {
  let last: Snapshot | undefined;
  let to: MasterRef | undefined;
  let reported = -Infinity;
  try {
    await waitUntil(
      `${group}: master changed from ${masterLabel(from)}`,
      async () => {
        last = await watcher.look();
        const c = masterChanged(last, group, from);
        to = c.to;
        return c.missing;
      },
      {
        timeoutMs: remaining(opts),
        intervalMs: 100,
        clock: opts.clock,
        signal: opts.signal,
        onPending: (missing) => {
          if (opts.clock.monotonic() - reported < 2000) return;
          reported = opts.clock.monotonic();
          opts.onProgress?.(missing);
        },
      },
    );
  } catch (err) {
    if (err instanceof TimeoutError) {
      throw new TimeoutError(`${group}: the master did not change from ${masterLabel(from)} within ${Math.round(opts.timeoutMs / 1000)} s; still:`, err.missing, { cause: err });
    }
    throw err;
  }
  return { to: to!, ms: Math.round(opts.clock.monotonic() - opts.t0), sentinels: sentinelsSay(last!, group) };
}

function remaining(opts: Timed): number {
  return Math.max(1, opts.timeoutMs - (opts.clock.monotonic() - opts.t0));
}


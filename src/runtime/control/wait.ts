/**
 * `wait`: until the topology (or one group) is healthy, or until a group's master has changed
 * from what it was when the wait started (or from a master the caller names). Read-only, so it
 * takes no lock: it can run beside the `pause` or `failover` it waits for.
 */
import { systemClock, timeOfDay, type Clock } from '../../common/clock.js';
import { readFaults } from '../faults.js';
import { waitUntil } from '../../common/retry.js';
import { progressGate } from './progress.js';
import { TimeoutError } from '../../common/errors.js';
import { masterChanged, masterLabel, namedMaster } from './master.js';
import { TILT_ALLOWANCE_MS } from '../observe/index.js';
import { resolveGroup, resolveMasterRef } from './names.js';
import { sentinelsSay, waitHealthy, watch, type MasterRef, type Observation, type SentinelSays, type Watcher } from './observe.js';
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
  let looks = 0;
  let unhealthyLooks = 0;
  await waitHealthy(s.runtime, s.dir.secrets, {
    group: g,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    clock,
    onProgress: opts.onProgress,
    onLook: (missing) => {
      looks++;
      if (missing.length) unhealthyLooks++;
    },
  });
  return { group: g ?? null, already: looks > 0 && unhealthyLooks === 0, ms: Math.round(clock.monotonic() - t0) };
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
    if (!fromService) {
      const late = failedOverAlready(s, g.name, from);
      if (late) s.log.warn(late);
    }
    return { ...(await untilChanged(watcher, g.name, from, { ...opts, clock, t0, log: (l) => s.log.info(l) })), group: g.name, from };
  } finally {
    watcher.close();
  }
}

/**
 * `pause redis-master && wait --master-changed` races a fast failover: the wait may start after
 * the sentinels already name the new master, and then waits for the next change. When a master
 * of the group that a fault command took down is no longer the one named, say so.
 */
function failedOverAlready(s: Session, group: string, now: MasterRef): string | null {
  const members = s.dir.topology.masters.find((m) => m.name === group)?.nodes.map((n) => n.service) ?? [];
  const f = readFaults(s.dir.outDir).find((x) => x.command && x.role === 'master' && members.includes(x.service) && x.service !== now.service);
  if (!f) return null;
  return (
    `${f.service} was master when \`sentinel-compose ${f.command}\` took it down at ${timeOfDay(f.at)}, and the sentinels already name ${masterLabel(now)}: ` +
    `this waits for the next change. To wait for the failover away from ${f.service}, use \`--from ${f.service}\` (it returns at once when that happened already).`
  );
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
      const says = sentinelsSay(await watcher.lookAtMaster(group), group);
      found = namedMaster(says)?.master;
      return found ? [] : says.map((x) => `${x.sentinel}: ${x.error ?? 'no answer'}`);
    },
    { timeoutMs: remaining(opts), intervalMs: 250, clock: opts.clock, signal: opts.signal },
  );
  return found!;
}

/**
 * Polls until masterChanged holds; TimeoutError naming the sentinels that still disagree.
 *
 * A sentinel in TILT mode acts on nothing it sees for 30 s after its last timer jump (a machine
 * or container frozen for 2 s or more): no failover starts, no forced one proceeds. A wait that
 * saw one in TILT ends no earlier than TILT_ALLOWANCE_MS after that first look, said once in
 * progress and in the timeout message; otherwise its verdict would only say when the freeze came.
 */
export async function untilChanged(
  watcher: Watcher,
  group: string,
  from: MasterRef,
  opts: Timed & { log?: (line: string) => void; about?: string },
): Promise<{ to: MasterRef; ms: number; sentinels: SentinelSays[] }> {
  let last: Observation | undefined;
  let to: MasterRef | undefined;
  // Set inside the probe: typed so that the narrowing of `null` does not outlive the closure.
  let tilt = null as { sentinel: string; at: number } | null;
  let extended = false;
  try {
    await waitUntil(
      `${group}: master changed from ${masterLabel(from)}`,
      async () => {
        last = await watcher.lookAtMaster(group);
        const c = masterChanged(last, group, from);
        to = c.to;
        if (!tilt && c.missing.length) {
          const tilted = sentinelsSay(last, group).find((x) => x.process === 'running' && x.tilt);
          if (tilted) tilt = { sentinel: tilted.sentinel, at: opts.clock.monotonic() };
        }
        return c.missing;
      },
      {
        timeoutMs: remaining(opts),
        intervalMs: 100,
        clock: opts.clock,
        signal: opts.signal,
        onPending: progressGate(opts.clock, opts.onProgress),
        extendTo: (deadline) => {
          const later = tilt && !extended ? tilt.at + TILT_ALLOWANCE_MS : deadline;
          if (later <= deadline) return deadline;
          extended = true;
          opts.log?.(`${group}: ${tilt!.sentinel} is in TILT mode; waiting up to ${Math.round((later - opts.t0) / 1000)} s in all for it to act again`);
          return later;
        },
      },
    );
  } catch (err) {
    if (err instanceof TimeoutError) {
      const asked = Math.round(opts.timeoutMs / 1000);
      const waited =
        extended && tilt
          ? `${Math.round((opts.clock.monotonic() - opts.t0) / 1000)} s (${asked} s and the TILT allowance: ${tilt.sentinel} was in TILT mode)`
          : `${asked} s`;
      throw new TimeoutError(
        `${group}: the master did not change from ${masterLabel(from)} within ${waited}${opts.about ? `; ${opts.about}` : ''}; still:`,
        err.missing,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
  return { to: to!, ms: Math.round(opts.clock.monotonic() - opts.t0), sentinels: sentinelsSay(last!, group) };
}

function remaining(opts: Timed): number {
  return Math.max(1, opts.timeoutMs - (opts.clock.monotonic() - opts.t0));
}

/**
 * `failover`: SENTINEL FAILOVER through a sentinel that can do it, then (unless told not to)
 * wait until every running sentinel names the new master.
 *
 * What each reply means, as redis-sentinel (and the bundled one) give them:
 * - `+OK`: that sentinel has started a forced failover; it needs no election and no quorum.
 * - `-INPROG`: that sentinel is still leading a failover of the group. redis-sentinel keeps
 *   leading one for seconds after the sentinels already name the new master (it reconfigures
 *   the remaining replicas first), so `failover` twice in a row meets it. Asking another
 *   sentinel would start a second failover racing the first (the others do not flag a failover
 *   they are not leading), so the command waits for it to end and asks again: each `failover`
 *   moves the master once more.
 * - `-NOGOODSLAVE`: that sentinel sees no replica it may promote: none connected, all down in
 *   its eyes, priority 0, or its INFO of them too old (right after a failover the sentinels
 *   still rediscover the replicas). Another sentinel may see one, so the next is asked; when
 *   none does, all are asked again until the timeout.
 * - anything else (no answer, a paused sentinel, `-ERR No such master`, `-NOAUTH`): the next.
 * A sentinel in TILT mode is asked last: it would answer +OK and then act on nothing until its
 * TILT is over (up to 30 s), as redis-sentinel does.
 * A failover a sentinel is leading (SENTINEL MASTER flags failover_in_progress) is waited for
 * before anything is asked, as for -INPROG.
 */
import { CheckFailedError, InterruptedError, UsageError } from '../../common/errors.js';
import { systemClock } from '../../common/clock.js';
import { sleepOrAbort } from '../../common/retry.js';
import { call } from './call.js';
import { masterLabel, namedMaster } from './master.js';
import { resolveGroup } from './names.js';
import { sentinelsSay, watch, type MasterRef, type SentinelSays } from './observe.js';
import { lockFor, openSession, requireRunning } from './session.js';
import { untilChanged, type WaitOptions } from './wait.js';

export interface FailoverOptions extends WaitOptions {
  /** Wait until every running sentinel names the new master (default true). */
  wait?: boolean;
}

export interface FailoverAttempt {
  sentinel: string;
  /** `OK`, or the error reply / why there was none. */
  reply: string;
}

export interface FailoverResult {
  group: string;
  /** The master when a sentinel accepted the failover. */
  from: MasterRef;
  /** The sentinel that accepted SENTINEL FAILOVER. */
  sentinel: string;
  /** A failover some sentinel was still leading when asked, waited for first (ms), or null. */
  waitedForPrevious: { sentinel: string; ms: number } | null;
  /** The replies of the last round of asking (every sentinel asked in turn until one accepted). */
  attempts: FailoverAttempt[];
  /** Rounds of asking (more than 1 when no sentinel saw a replica to promote at first). */
  rounds: number;
  /** From the start until a sentinel accepted (ms). */
  acceptedMs: number;
  /** The new master every running sentinel names; null with `wait: false`. */
  to: MasterRef | null;
  /** From the start until every running sentinel named the new master (ms); null with `wait: false`. */
  ms: number | null;
  /** What each sentinel named at the end (with `wait: false`, when the failover was accepted). */
  sentinels: SentinelSays[];
}

const ASK_MS = 2000;
const ROUND_GAP_MS = 500;

function acceptedStory(r: Pick<FailoverResult, 'sentinel' | 'acceptedMs' | 'waitedForPrevious' | 'rounds'>): string {
  const why = [
    r.waitedForPrevious ? `after waiting ${(r.waitedForPrevious.ms / 1000).toFixed(1)} s for ${r.waitedForPrevious.sentinel}'s failover to end` : '',
    r.rounds > 1 ? `after ${r.rounds} rounds of asking (NOGOODSLAVE)` : '',
  ].filter(Boolean);
  return `${r.sentinel} accepted SENTINEL FAILOVER ${(r.acceptedMs / 1000).toFixed(1)} s after the start${why.length ? `, ${why.join(' and ')}` : ''}`;
}

export async function failover(group: string | undefined, opts: FailoverOptions): Promise<FailoverResult> {
  const s = await openSession(opts);
  const t = s.dir.topology;
  const g = resolveGroup(t, group, 'MASTER');
  if (g.nodes.length < 2) {
    throw new UsageError([
      { path: 'MASTER', value: g.name, message: 'has no replicas: there is nothing to fail over to', fix: `give it replicas in the spec (masters[].replicas)` },
    ]);
  }
  const clock = opts.clock ?? systemClock;
  const t0 = clock.monotonic();
  const password = t.auth.sentinelPassword ? s.dir.secrets.sentinelPassword : undefined;
  const watcher = watch(s.runtime, s.dir.secrets);
  try {
    const lock = await lockFor(s, 'failover', opts.signal);
    let from: MasterRef | undefined;
    let accepted: string | null = null;
    let previous: { sentinel: string; since: number; ms: number } | null = null;
    let attempts: FailoverAttempt[] = [];
    let rounds = 0;
    let before: SentinelSays[] = [];
    const deadline = t0 + opts.timeoutMs;
    const pause = async (why: () => string) => {
      if (clock.monotonic() + ROUND_GAP_MS > deadline) throw new CheckFailedError(why());
      await sleepOrAbort(clock, ROUND_GAP_MS, opts.signal);
      if (opts.signal?.aborted)
        throw new InterruptedError(
          String(opts.signal.reason),
          `interrupted by ${String(opts.signal.reason)} before any sentinel accepted SENTINEL FAILOVER ${g.name}; nothing was failed over`,
        );
    };
    try {
      const c = await requireRunning(s);
      const running = t.sentinels.map((x) => x.service).filter((x) => c.states.find((st) => st.service === x)?.state === 'running');
      if (!running.length) {
        throw new UsageError([
          {
            path: 'MASTER',
            value: g.name,
            message: 'no sentinel of it is running (all paused or stopped)',
            fix: `\`sentinel-compose status --out ${s.outLabel}\` shows them; \`unpause\` or \`restart\` one`,
          },
        ]);
      }
      while (!accepted) {
        before = sentinelsSay(await watcher.lookAtMaster(g.name), g.name);
        const named = namedMaster(before);
        if (!named)
          throw new CheckFailedError(
            `${g.name}: no sentinel answered with its master, so no failover was asked for:\n${before.map((x) => `  - ${x.sentinel}: ${x.error ?? 'no answer'}`).join('\n')}`,
          );
        from = named.master;
        const leading = before.find((x) => x.flags.includes('failover_in_progress'))?.sentinel;
        if (leading) {
          if (!previous) {
            previous = { sentinel: leading, since: clock.monotonic(), ms: 0 };
            s.log.info(`${g.name}: ${leading} is still leading a failover; waiting for it to end first`);
          }
          await pause(() => `${g.name}: ${leading} was still leading a failover after ${Math.round(opts.timeoutMs / 1000)} s; no new one was asked for`);
          continue;
        }
        rounds++;
        attempts = [];
        let busy: string | null = null;
        // One in TILT mode would accept and then do nothing until its TILT is over: ask it last.
        const tilted = new Set(before.filter((x) => x.tilt).map((x) => x.sentinel));
        for (const sentinel of [...running.filter((x) => !tilted.has(x)), ...running.filter((x) => tilted.has(x))]) {
          const r = await call(s.runtime.endpoint(sentinel), password, ['SENTINEL', 'FAILOVER', g.name], ASK_MS);
          attempts.push({ sentinel, reply: r.ok ? 'OK' : r.error });
          if (r.ok) accepted = sentinel;
          else if (r.replyError && /^INPROG/.test(r.error)) busy = sentinel;
          if (accepted || busy) break;
        }
        if (accepted) break;
        const why = attempts.map((a) => `  - ${a.sentinel}: ${a.reply}`).join('\n');
        if (busy) {
          if (!previous) {
            previous = { sentinel: busy, since: clock.monotonic(), ms: 0 };
            s.log.info(`${g.name}: ${busy} is still leading a failover (-INPROG); waiting for it to end first`);
          }
          await pause(() => `${g.name}: ${busy} was still leading a failover after ${Math.round(opts.timeoutMs / 1000)} s; no new one was asked for`);
          continue;
        }
        if (!attempts.some((a) => /^NOGOODSLAVE/.test(a.reply))) throw new CheckFailedError(`no sentinel accepted SENTINEL FAILOVER ${g.name}:\n${why}`);
        if (rounds === 1) s.log.info(`no sentinel sees a replica of ${g.name} it can promote yet (NOGOODSLAVE); asking again`);
        await pause(
          () =>
            `no sentinel saw a replica of ${g.name} it could promote within ${Math.round(opts.timeoutMs / 1000)} s (after ${rounds} rounds of asking):\n${why}`,
        );
      }
    } finally {
      lock.release();
    }
    const acceptedMs = Math.round(clock.monotonic() - t0);
    const waitedForPrevious = previous ? { sentinel: previous.sentinel, ms: Math.round(clock.monotonic() - previous.since) } : null;
    const inTilt = before.some((x) => x.sentinel === accepted && x.tilt);
    s.log.info(
      `${g.name}: ${accepted} accepted SENTINEL FAILOVER (the master was ${masterLabel(from!)})${inTilt ? `; it is in TILT mode, so it starts when TILT is over` : ''}`,
    );
    const base = { group: g.name, from: from!, sentinel: accepted, waitedForPrevious, attempts, rounds, acceptedMs };
    if (opts.wait === false) return { ...base, to: null, ms: null, sentinels: before };
    // Where the time went before the failover could even start is half the story of a timeout.
    const done = await untilChanged(watcher, g.name, from!, { ...opts, clock, t0, log: (l) => s.log.info(l), about: acceptedStory(base) });
    return { ...base, to: done.to, ms: done.ms, sentinels: done.sentinels };
  } finally {
    watcher.close();
  }
}

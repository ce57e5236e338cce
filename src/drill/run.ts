/**
 * One run: a scenario on a master group. Wait until the group is ready, start the client load,
 * play the steps, keep watching, then check the writes and judge the expectations. Whatever
 * happens (a failed step, a timeout, Ctrl-C), every node the run paused or killed is brought back
 * before it returns.
 */
import type { Clock } from '../common/clock.js';
import { TimeoutError } from '../common/errors.js';
import { sleepOrAbort } from '../common/retry.js';
import type { Runtime } from '../runtime/types.js';
import type { MasterGroup } from '../topology/types.js';
import type { AddressBook } from './addresses.js';
import {
  expectationPassed,
  failedOverMissing,
  healthyMissing,
  judge,
  readyMissing,
  replicasMissing,
  sdownMissing,
  soleMaster,
  type GroupContext,
  type RunEvent,
} from './checks.js';
import { describeDuration, resolveDuration } from './duration.js';
import { parseEvent, parseVote } from './events.js';
import { compareWrites, drillKey, reader, writer, type ClientSettings, type RawSample, type SteadyLoad } from './load.js';
import { loadStats } from './load-stats.js';
import { measure, type RejoinTrack } from './measure.js';
import { DrillAborted, type DrillOptions } from './options.js';
import type { Observer } from './probe.js';
import type { EventRecorder, RawEvent } from './recorder.js';
import { unmetRequirement } from './requirements.js';
import type { Condition, Expectation, ExpectationResult, Mark, Observation, OpSample, RunReport, Scenario, Step, StepRecord, Target, WriteCheck } from './types.js';

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function targetLabel(t: Target): string {
  if (t.node === 'master') return 'the master';
  if (t.node === 'replica') return `replica ${t.index ?? 1}`;
  return t.count === 'majority' ? 'a majority of the sentinels' : `${t.count} sentinel(s)`;
}

function stepLabel(s: Step): string {
  switch (s.do) {
    case 'wait':
      return `wait until ${s.until} (up to ${describeDuration(s.timeout)})`;
    case 'hold':
      return `hold ${describeDuration(s.for)}`;
    case 'heal':
      return 'heal everything paused or killed';
    case 'failover':
      return 'SENTINEL FAILOVER';
    default:
      return `${s.do} ${targetLabel(s.target)}`;
  }
}

export interface RunArgs {
  runtime: Runtime;
  scenario: Scenario;
  group: MasterGroup;
  opts: DrillOptions;
  clock: Clock;
  book: AddressBook;
  observer: Observer;
  recorder: EventRecorder;
  runId: string;
  progress: (line: string) => void;
}

export async function runOne(a: RunArgs): Promise<RunReport> {
  const { runtime, scenario, group, opts, clock, book, observer, recorder } = a;
  const topology = runtime.topology;
  const tag = `${scenario.name} @ ${group.name}`;
  const say = (line: string) => a.progress(`[${tag}] ${line}`);
  const startedAt = new Date(clock.now()).toISOString();
  const runStart = clock.monotonic();
  const sentinels = topology.sentinels.map((s) => s.service);
  const nodes = group.nodes.map((n) => n.service);
  const base: RunReport = {
    scenario: scenario.name,
    summary: scenario.summary,
    group: group.name,
    status: 'skipped',
    faultWallTime: null,
    startedAt,
    durationMs: 0,
    steps: [],
    events: [],
    writes: null,
    reads: null,
    measurements: null,
    expectations: [],
    final: null,
  };

  const unmet = unmetRequirement(scenario, group, sentinels.length);
  if (unmet) {
    say(`skipped: ${unmet}`);
    return { ...base, reason: unmet };
  }

  // t0: the fault. Until a step marked `fault` runs, times are relative to the run's start.
  let t0 = runStart;
  let faultWall: number | null = null;
  const rel = (mono: number) => mono - t0;
  const enrich = (e: RawEvent): RunEvent => {
    const parsed = parseEvent(e.channel, e.message);
    return {
      t: rel(e.at),
      sentinel: e.sentinel,
      channel: e.channel,
      message: e.message,
      parsed,
      instanceService: parsed.instance ? book.service(parsed.instance.addr) : null,
      switchedTo: e.channel === '+switch-master' ? book.service(parsed.extra) : null,
    };
  };
  let eventsFrom = runStart;
  const runEvents = () => recorder.between(eventsFrom, Infinity).map(enrich);

  const ctx: GroupContext = { group: group.name, nodes, sentinels, initialMaster: '' };
  const paused = new Set<string>();
  const killed = new Set<string>();
  const faulted = new Set<string>();
  const rejoins = new Map<string, RejoinTrack>();
  const steps: StepRecord[] = [];
  let lastObs: Observation | null = null;
  let loads: { w: SteadyLoad; r: SteadyLoad | null } | null = null;
  let reason: string | undefined;
  /** Set when the drill's signal stopped this run: what stopped it. */
  let interrupted: string | undefined;
  let writeCheck: WriteCheck | null = null;
  let stepsEndedAt = 0;
  const key = drillKey(a.runId, group.name, scenario.name);

  const observe = async (): Promise<Observation> => {
    const obs = await observer.observe(nodes, sentinels, group.name, rel(clock.monotonic()));
    trackRejoins(obs);
    lastObs = obs;
    return obs;
  };
  const trackRejoins = (obs: Observation) => {
    const master = soleMaster(obs);
    for (const r of rejoins.values()) {
      if (r.rejoinedAt !== null || obs.at < r.healedAt) continue;
      const n = obs.nodes.find((x) => x.service === r.service);
      if (!n?.reachable) continue;
      if (n.role === 'slave' && master !== null && n.masterService === master && n.linkUp) {
        r.rejoinedAt = obs.at;
        r.as = 'replica';
      } else if (!r.replicaOnly && master === r.service && replicasMissing(obs, master).length === 0) {
        r.rejoinedAt = obs.at;
        r.as = 'master';
      }
    }
  };
  const checkAbort = () => {
    if (opts.signal?.aborted) throw new DrillAborted(opts.signal);
  };
  // A node or sentinel that exits on its own (a crash, the OOM killer, someone's kill -9) would
  // otherwise show only as a wait that times out a minute later, in a probe's words. Asked at
  // most every 2 s (a `docker ps` for Docker), and at once when a run starts.
  let processesCheckedAt = -Infinity;
  const checkProcesses = async () => {
    if (clock.monotonic() - processesCheckedAt < 2000) return;
    processesCheckedAt = clock.monotonic();
    const states = await runtime.ps().catch(() => []);
    const gone = states.filter((s) => (s.state === 'stopped' || s.state === 'missing') && [...nodes, ...sentinels].includes(s.service) && !killed.has(s.service));
    if (gone.length) {
      const names = gone.map((s) => s.service);
      throw new Error(
        `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not running (${gone[0]!.state === 'missing' ? 'never started' : 'exited'}, not stopped by the drill); \`sentinel-compose logs -s ${names[0]}\` shows why`,
      );
    }
  };

  const waitFor = async (what: string, missingOf: (obs: Observation) => string[], timeoutMs: number): Promise<Observation> => {
    const deadline = clock.monotonic() + timeoutMs;
    let lastSaid = clock.monotonic();
    for (;;) {
      checkAbort();
      await checkProcesses();
      const obs = await observe();
      const missing = missingOf(obs);
      if (missing.length === 0) return obs;
      if (clock.monotonic() >= deadline) {
        throw new TimeoutError(`${what}: not reached after ${(timeoutMs / 1000).toFixed(1)} s; still missing:`, missing);
      }
      if (clock.monotonic() - lastSaid > 5000) {
        say(`waiting for ${what}: ${missing[0]}${missing.length > 1 ? ` (+${missing.length - 1} more)` : ''}`);
        lastSaid = clock.monotonic();
      }
      await sleepUnlessAborted(clock, opts.pollMs, opts.signal);
    }
  };
  const conditionMissing = (c: Condition) => (obs: Observation): string[] => {
    switch (c) {
      case 'healthy':
        return healthyMissing(obs);
      case 'failed-over':
        return failedOverMissing(obs, ctx, runEvents());
      case 'sdown':
        return sdownMissing(runEvents(), [...faulted], ctx.faultFrom);
    }
  };

  const resolveTarget = (t: Target): string[] => {
    if (t.node === 'master') return [ctx.initialMaster];
    if (t.node === 'replica') {
      const replicas = nodes.filter((n) => n !== ctx.initialMaster).sort();
      const r = replicas[(t.index ?? 1) - 1];
      if (!r) throw new Error(`${group.name} has no replica ${t.index ?? 1} (it has ${replicas.length})`);
      return [r];
    }
    const n = t.count === 'majority' ? Math.ceil(sentinels.length / 2) : t.count;
    if (n > sentinels.length) throw new Error(`cannot take ${n} sentinels: the topology has ${sentinels.length}`);
    // From the last one down, so that redis-sentinel-1 (the one people look at first) keeps running.
    return sentinels.slice(sentinels.length - n).reverse();
  };

  const markFault = (mark: Mark | undefined) => {
    if (mark === 'fault' && faultWall === null) {
      const now = clock.monotonic();
      // Re-base every time taken so far (step records, samples are converted at the end).
      for (const s of steps) {
        s.startedAt -= now - t0;
        s.endedAt -= now - t0;
      }
      t0 = now;
      faultWall = clock.now();
      // The fault took effect somewhere during its step: its consequences are looked for from the
      // step's start (events, outages), though t = 0 is when the runtime's call returned.
      ctx.faultFrom = Math.min(0, steps.find((x) => x.mark === 'fault')?.startedAt ?? 0);
    }
  };
  const healAt = (service: string) => {
    if (!nodes.includes(service)) return;
    const t = rel(clock.monotonic());
    rejoins.set(service, { service, healedAt: t, rejoinedAt: null, as: null });
  };

  /** Brings back everything paused or killed, each on its own: one that cannot come back does not keep the others down. */
  const heal = async (): Promise<string[]> => {
    const done: string[] = [];
    const failed: string[] = [];
    // Data nodes first, the master before replicas: sentinels resuming while the master is still
    // paused could start a failover nobody asked for.
    const order = (list: Iterable<string>) =>
      [...list].sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
    const rank = (s: string) => (s === ctx.initialMaster ? 0 : nodes.includes(s) ? 1 : 2);
    const bringBack = async (s: string, how: (s: string) => Promise<void>, from: Set<string>) => {
      try {
        await how(s);
        from.delete(s);
        healAt(s);
        done.push(s);
      } catch (err) {
        failed.push(`${s}: ${errText(err)}`);
      }
    };
    for (const s of order(paused)) await bringBack(s, (x) => runtime.unpause(x), paused);
    for (const s of order(killed)) {
      await bringBack(s, (x) => runtime.restart(x), killed);
      observer.forget(s);
    }
    if (failed.length) throw new Error(failed.join('; '));
    return done;
  };

  const runStep = async (step: Step, index: number): Promise<void> => {
    const rec: StepRecord = { index, label: stepLabel(step), services: [], startedAt: rel(clock.monotonic()), endedAt: 0 };
    if ('mark' in step && step.mark) rec.mark = step.mark;
    steps.push(rec);
    try {
      switch (step.do) {
        case 'pause':
        case 'kill': {
          const targets = resolveTarget(step.target);
          rec.services = targets;
          say(`${step.do} ${targets.join(', ')}`);
          for (const s of targets) {
            if (step.do === 'pause') {
              await runtime.pause(s);
              paused.add(s);
            } else {
              await runtime.kill(s);
              killed.add(s);
              observer.forget(s);
            }
            if (nodes.includes(s)) faulted.add(s);
          }
          // t = 0 is when the runtime says the fault is in place: `docker-compose pause` spends
          // seconds starting up before it freezes anything, SIGSTOP takes effect at once.
          markFault(step.mark);
          break;
        }
        case 'unpause':
        case 'restart': {
          const targets = resolveTarget(step.target);
          rec.services = targets;
          say(`${step.do} ${targets.join(', ')}`);
          for (const s of targets) {
            if (step.do === 'unpause') {
              await runtime.unpause(s);
              paused.delete(s);
            } else {
              await runtime.restart(s);
              killed.delete(s);
              observer.forget(s);
            }
            healAt(s);
          }
          break;
        }
        case 'heal': {
          rec.services = await heal();
          say(`healed ${rec.services.join(', ') || 'nothing (nothing was down)'}`);
          break;
        }
        case 'failover': {
          markFault(step.mark);
          rec.startedAt = rel(clock.monotonic());
          let sent = false;
          const errors: string[] = [];
          for (const s of sentinels) {
            if (paused.has(s) || killed.has(s)) continue;
            try {
              await observer.sentinelCommand(s, 'SENTINEL', 'FAILOVER', group.name);
              rec.services = [s];
              say(`SENTINEL FAILOVER ${group.name} sent to ${s}`);
              sent = true;
              break;
            } catch (err) {
              errors.push(`${s}: ${errText(err)}`);
            }
          }
          if (!sent) throw new Error(`no sentinel accepted SENTINEL FAILOVER ${group.name}: ${errors.join('; ')}`);
          // The old master is displaced without being faulted: track when it is a replica.
          rejoins.set(ctx.initialMaster, { service: ctx.initialMaster, healedAt: rel(clock.monotonic()), rejoinedAt: null, as: null, replicaOnly: true });
          break;
        }
        case 'wait': {
          const ms = resolveDuration(step.timeout, group);
          say(`waiting until ${step.until} (up to ${(ms / 1000).toFixed(0)} s)`);
          await waitFor(step.until, conditionMissing(step.until), ms);
          break;
        }
        case 'hold': {
          const ms = resolveDuration(step.for, group);
          say(`holding ${(ms / 1000).toFixed(1)} s`);
          const until = clock.monotonic() + ms;
          // Keep observing while holding: rejoin times and the final picture stay current.
          while (clock.monotonic() < until) {
            checkAbort();
            await checkProcesses();
            await observe();
            await sleepUnlessAborted(clock, Math.min(opts.pollMs * 2, Math.max(0, until - clock.monotonic())), opts.signal);
          }
          break;
        }
      }
    } catch (err) {
      rec.error = errText(err);
      throw err;
    } finally {
      rec.endedAt = rel(clock.monotonic());
    }
  };

  try {
    say(`waiting for ${group.name} to be ready`);
    const ready = await waitFor(`${group.name} ready`, (obs) => readyMissing(obs, ctx), opts.readyTimeoutMs);
    ctx.initialMaster = soleMaster(ready)!;
    eventsFrom = clock.monotonic();
    say(`master is ${ctx.initialMaster}; starting the load (${opts.rate} writes/s${opts.readRate > 0 ? `, ${opts.readRate} reads/s` : ''})`);

    const settings: ClientSettings = {
      sentinels: sentinels.map((s) => runtime.endpoint(s)),
      group: group.name,
      password: opts.password,
      sentinelPassword: opts.sentinelPassword,
      natMap: opts.natMap,
      commandTimeoutMs: opts.commandTimeoutMs,
      disconnectTimeoutMs: opts.disconnectTimeoutMs,
    };
    const w = writer(settings, key, opts.rate, clock);
    const r = opts.readRate > 0 ? reader(settings, key, opts.readRate, clock) : null;
    loads = { w, r };
    await Promise.all([w.connect(10_000), r?.connect(10_000)]).catch((err: unknown) => {
      throw new Error(`the Sentinel client could not connect to ${group.name}: ${errText(err)}`);
    });
    w.start();
    r?.start();
    await sleepUnlessAborted(clock, opts.baselineMs, opts.signal);

    try {
      for (const [i, step] of scenario.steps.entries()) {
        checkAbort();
        await runStep(step, i);
      }
    } finally {
      stepsEndedAt = rel(clock.monotonic());
    }
    if (faultWall === null) markFault('fault');
    await sleepUnlessAborted(clock, opts.settleMs, opts.signal);
  } catch (err) {
    if (err instanceof DrillAborted) interrupted = err.message;
    else reason = errText(err);
    say(`stopped: ${(interrupted ?? reason)!.split('\n')[0]}`);
  } finally {
    try {
      const healed = await heal();
      if (healed.length) say(`brought back ${healed.join(', ')}`);
      if (interrupted) interrupted += healed.length ? `; brought back ${healed.join(', ')}` : '; nothing was paused or killed';
    } catch (err) {
      const msg = `could not bring back ${errText(err)}`;
      reason = reason ? `${reason}\n${msg}` : msg;
    }
  }
  if (interrupted) reason = reason ? `${interrupted}\n${reason}` : interrupted;

  // The load: stop issuing, let in-flight operations settle, then check them against the master.
  let writes: RunReport['writes'] = null;
  let reads: RunReport['reads'] = null;
  if (loads) {
    // Interrupted, nobody waits for the figures: in-flight writes get a moment, not a timeout.
    const drainMs = interrupted ? 200 : opts.commandTimeoutMs > 0 ? opts.commandTimeoutMs + 1000 : 5000;
    await Promise.all([loads.w.stop(drainMs), loads.r?.stop(drainMs)]);
    loads.w.close();
    loads.r?.close();
    if (!opts.signal?.aborted) {
      const finalObs = await observe().catch(() => lastObs);
      writeCheck = await checkWrites(observer, finalObs, key, loads.w.samples);
    }
    const wSamples = toOps(loads.w.samples, t0);
    const faultFrom = ctx.faultFrom ?? 0;
    writes = { stats: loadStats(wSamples, opts.blockedAfterMs, faultFrom), check: writeCheck, samples: wSamples, clientRestarts: loads.w.clientRestarts };
    if (loads.r) {
      const rSamples = toOps(loads.r.samples, t0);
      reads = { stats: loadStats(rSamples, opts.blockedAfterMs, faultFrom), samples: rSamples, clientRestarts: loads.r.clientRestarts };
    }
  }

  const final = lastObs as Observation | null;
  const events = runEvents();
  const measurements = ctx.initialMaster
    ? measure({
        ctx,
        events,
        faulted: [...faulted],
        rejoins: [...rejoins.values()],
        finalMaster: final ? soleMaster(final) : null,
        sentinelById: (id) => book.sentinelById(id),
      })
    : null;
  const expectations = !ctx.initialMaster
    ? []
    : interrupted
      ? scenario.expect.map((e) => notReached(e))
      : scenario.expect.map((e) =>
          judge(e, { ctx, final, events, faulted: [...faulted], writes: writes && { stats: writes.stats, check: writes.check }, stepsEndedAt }),
        );
  const passed = reason === undefined && expectations.every(expectationPassed);
  return {
    ...base,
    status: interrupted ? 'interrupted' : passed ? 'passed' : 'failed',
    ...(reason !== undefined ? { reason } : {}),
    faultWallTime: faultWall,
    durationMs: Math.round(clock.monotonic() - runStart),
    steps,
    events: events
      .filter((e) => e.parsed.group === null || e.parsed.group === group.name)
      .map((e) => {
        const note = eventNote(e, book);
        return { t: Math.round(e.t * 10) / 10, sentinel: e.sentinel, channel: e.channel, message: e.message, ...(note ? { note } : {}) };
      }),
    writes,
    reads,
    measurements,
    expectations,
    final,
  };
}

/** Services for the addresses and run ids in an event, so the timeline reads without a lookup table. */
function eventNote(e: RunEvent, book: AddressBook): string | undefined {
  if (e.channel === '+switch-master') {
    const from = e.parsed.masterAddr ? book.service(e.parsed.masterAddr) : null;
    return `${from ?? e.parsed.masterAddr} -> ${e.switchedTo ?? e.parsed.extra}`;
  }
  if (e.channel === '+vote-for-leader') {
    const v = parseVote(e.message);
    return v ? `votes for ${book.sentinelById(v.runId) ?? v.runId}` : undefined;
  }
  const inst = e.parsed.instance;
  if (!inst) return undefined;
  if (inst.type === 'sentinel') return book.sentinelById(inst.name) ?? book.service(inst.addr) ?? undefined;
  return e.instanceService ?? undefined;
}

function toOps(samples: readonly RawSample[], t0: number): OpSample[] {
  return samples.map((s) => ({
    seq: s.seq,
    issuedAt: round1(s.issuedAt - t0),
    settledAt: s.settledAt === null ? null : round1(s.settledAt - t0),
    ok: s.ok,
    ...(s.error !== undefined ? { error: s.error } : {}),
  }));
}

function round1(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Every acknowledged write must be on the final master; the key is removed afterwards. */
async function checkWrites(observer: Observer, obs: Observation | null, key: string, samples: readonly RawSample[]): Promise<WriteCheck> {
  const master = obs ? soleMaster(obs) : null;
  if (!master) return { key, checkedOn: null, lost: [], appliedDespiteError: [], duplicates: [], error: 'no single master to check the writes on' };
  try {
    const stored = await observer.nodeCommand(master, 'LRANGE', key, '0', '-1');
    if (!Array.isArray(stored)) throw new Error(`LRANGE returned ${JSON.stringify(stored)}`);
    const cmp = compareWrites(samples, stored.map(String));
    await observer.nodeCommand(master, 'DEL', key).catch(() => undefined);
    return { key, checkedOn: master, ...cmp };
  } catch (err) {
    return { key, checkedOn: master, lost: [], appliedDespiteError: [], duplicates: [], error: errText(err) };
  }
}

async function sleepUnlessAborted(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new DrillAborted(signal);
  if (ms <= 0) return;
  await sleepOrAbort(clock, ms, signal);
  if (signal?.aborted) throw new DrillAborted(signal);
}

/** An expectation the run did not get to judge (it was interrupted). */
function notReached(e: Expectation): ExpectationResult {
  return { check: e.check, severity: e.severity ?? 'fail', passed: false, notReached: true, message: 'not reached: the run was interrupted first' };
}

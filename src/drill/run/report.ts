/**
 * The run's report, built from its record and nothing else: every monotonic time becomes ms since
 * the fault (t = 0), the events get their services, the load its statistics, the topology its
 * measurements, and the scenario's expectations are judged. Pure: the same record gives the same
 * report, and the record is not touched.
 */
import { soleMaster } from '../../runtime/observe/index.js';
import { expectationPassed, judge, type RunEvent } from '../checks.js';
import { parseVote } from '../events.js';
import type { RawSample } from '../load.js';
import { loadStats } from '../load-stats.js';
import { measure, type RejoinTrack } from '../measure.js';
import type { Expectation, ExpectationResult, Observation, OpSample, RunReport, StepRecord } from '../types.js';
import { partitionReport, type PartitionSettings } from './partition-report.js';
import { groupContext, latestHeals, runEvents, timeBase, type Names, type RunRecord } from './record.js';

export interface ReportSettings {
  names: Names;
  /** The group's settings partitions are judged by (absent: Redis's defaults, quorum a majority). */
  group?: PartitionSettings & { quorum: number };
  /** A write slower than this counts as blocked (DrillOptions.blockedAfterMs). */
  blockedAfterMs: number;
}

export function buildRunReport(r: RunRecord, settings: ReportSettings): RunReport {
  const base: RunReport = {
    scenario: r.scenario.name,
    summary: r.scenario.summary,
    group: r.group,
    status: 'skipped',
    faultWallTime: null,
    startedAt: new Date(r.startedWall).toISOString(),
    durationMs: 0,
    steps: [],
    events: [],
    writes: null,
    reads: null,
    measurements: null,
    expectations: [],
    final: null,
  };
  if (r.skipped !== undefined) return { ...base, reason: r.skipped };

  const { t0 } = timeBase(r);
  const ctx = groupContext(r);
  const faultFrom = ctx.faultFrom ?? 0;
  const events = runEvents(r.events, t0, settings.names);
  const final: Observation | null = r.latest && { ...r.latest, at: r.latest.at - t0 };

  const toLoad = (l: NonNullable<RunRecord['writes']>) => {
    const samples = toOps(l.samples, t0);
    return { stats: loadStats(samples, settings.blockedAfterMs, faultFrom), samples, clientRestarts: l.clientRestarts };
  };
  const w = r.writes && toLoad(r.writes);
  const writes: RunReport['writes'] = w && { stats: w.stats, check: r.writeCheck, samples: w.samples, clientRestarts: w.clientRestarts };
  const reads: RunReport['reads'] = r.reads && toLoad(r.reads);

  const groupSettings = settings.group ?? { minReplicasToWrite: 0, minReplicasMaxLag: 10, quorum: Math.floor(r.sentinels.length / 2) + 1 };
  const partition = partitionReport(r, t0, r.masterSide ? toOps(r.masterSide.load.samples, t0) : null, r.writeCheck?.lost ?? [], groupSettings);
  const interrupted = r.stopped?.interrupted === true;
  const measurements = r.initialMaster
    ? measure({
        ctx,
        events,
        faulted: r.faulted,
        rejoins: rejoinTracks(r, t0),
        finalMaster: final ? soleMaster(final) : null,
        sentinelById: (id) => settings.names.sentinelById(id),
      })
    : null;
  const expectations = !r.initialMaster
    ? []
    : interrupted
      ? r.scenario.expect.map((e) => notReached(e))
      : r.scenario.expect.map((e) =>
          judge(e, {
            ctx,
            final,
            events,
            faulted: [...r.faulted],
            writes: writes && { stats: writes.stats, check: writes.check },
            stepsEndedAt: r.stepsEndedAt === null ? 0 : r.stepsEndedAt - t0,
            ...(partition ? { partition } : {}),
            quorum: groupSettings.quorum,
          }),
        );
  const reason = reasonOf(r);
  const passed = reason === undefined && expectations.every(expectationPassed);
  return {
    ...base,
    status: interrupted ? 'interrupted' : passed ? 'passed' : 'failed',
    ...(reason !== undefined ? { reason } : {}),
    faultWallTime: r.fault?.wall ?? null,
    durationMs: Math.round(r.endedAt - r.startedAt),
    steps: r.steps.map((s) => toStep(s, t0)),
    events: events
      .filter((e) => e.parsed.group === null || e.parsed.group === r.group)
      .map((e) => {
        const note = eventNote(e, settings.names);
        return { t: Math.round(e.t * 10) / 10, sentinel: e.sentinel, channel: e.channel, message: e.message, ...(note ? { note } : {}) };
      }),
    writes,
    reads,
    measurements,
    expectations,
    final,
    ...(partition ? { partition } : {}),
  };
}

/**
 * The error that stopped the run and whatever could not be brought back; for an interrupted run,
 * first what interrupted it and what was brought back.
 */
export function reasonOf(r: Pick<RunRecord, 'stopped' | 'cleanup'>): string | undefined {
  let interrupted = r.stopped?.interrupted ? r.stopped.message : undefined;
  let reason = r.stopped && !r.stopped.interrupted ? r.stopped.message : undefined;
  if (r.cleanup && 'error' in r.cleanup) {
    const msg = `could not bring back ${r.cleanup.error}`;
    reason = reason ? `${reason}\n${msg}` : msg;
  } else if (interrupted !== undefined) {
    const healed = r.cleanup?.healed ?? [];
    interrupted += healed.length ? `; brought back ${healed.join(', ')}` : '; nothing was paused or killed';
  }
  if (interrupted !== undefined) reason = reason ? `${interrupted}\n${reason}` : interrupted;
  return reason;
}

/** Per node brought back: its latest heal and the rejoin seen after it. */
function rejoinTracks(r: RunRecord, t0: number): RejoinTrack[] {
  return [...latestHeals(r).values()].map((i) => {
    const h = r.heals[i]!;
    const back = r.rejoins.find((x) => x.heal === i);
    return {
      service: h.service,
      healedAt: h.at - t0,
      rejoinedAt: back ? back.at - t0 : null,
      as: back ? back.as : null,
      ...(h.replicaOnly ? { replicaOnly: true } : {}),
    };
  });
}

function toStep(s: RunRecord['steps'][number], t0: number): StepRecord {
  return {
    index: s.index,
    label: s.label,
    services: [...s.services],
    startedAt: s.startedAt - t0,
    // A step still open when the record was closed cannot happen (steps end in a finally); the
    // start stands in rather than a number from nowhere.
    endedAt: (s.endedAt ?? s.startedAt) - t0,
    ...(s.mark ? { mark: s.mark } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
  };
}

/** Services for the addresses and run ids in an event, so the timeline reads without a lookup table. */
function eventNote(e: RunEvent, names: Names): string | undefined {
  if (e.channel === '+switch-master') {
    const from = e.parsed.masterAddr ? names.service(e.parsed.masterAddr) : null;
    return `${from ?? e.parsed.masterAddr} -> ${e.switchedTo ?? e.parsed.extra}`;
  }
  if (e.channel === '+vote-for-leader') {
    const v = parseVote(e.message);
    return v ? `votes for ${names.sentinelById(v.runId) ?? v.runId}` : undefined;
  }
  const inst = e.parsed.instance;
  if (!inst) return undefined;
  if (inst.type === 'sentinel') return names.sentinelById(inst.name) ?? names.service(inst.addr) ?? undefined;
  return e.instanceService ?? undefined;
}

function toOps(samples: readonly RawSample[], t0: number): OpSample[] {
  return samples.map((s) => ({
    seq: s.seq,
    issuedAt: round3(s.issuedAt - t0),
    settledAt: s.settledAt === null ? null : round3(s.settledAt - t0),
    ok: s.ok,
    ...(s.error !== undefined ? { error: s.error } : {}),
  }));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** An expectation the run did not get to judge (it was interrupted). */
function notReached(e: Expectation): ExpectationResult {
  return { check: e.check, severity: e.severity ?? 'fail', passed: false, notReached: true, message: 'not reached: the run was interrupted first' };
}

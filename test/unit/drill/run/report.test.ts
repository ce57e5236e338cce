/**
 * The run report as a pure function of a recorded run: a record in monotonic time (as the run
 * appends it) goes in, the report a user reads comes out, with every time since the fault.
 */
import { describe, expect, it } from 'vitest';
import { newRecord, recordFault, type RunRecord } from '../../../../src/drill/run/record.js';
import { buildRunReport, reasonOf } from '../../../../src/drill/run/report.js';
import { masterPause } from '../../../../src/drill/scenarios/master-pause.js';
import type { RawSample } from '../../../../src/drill/load.js';
import type { RawEvent } from '../../../../src/drill/recorder.js';
import type { Observation } from '../../../../src/drill/types.js';
import { seedBook, seedEvents } from '../fixtures.js';

const NODES = ['redis-master', 'redis-replica-1', 'redis-replica-2'];
const SENTINELS = ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'];
/** Monotonic times: the run starts at 1_000_000, the pause is in place 10 s later. */
const START = 1_000_000;
const FAULT = START + 10_000;
const START_WALL = Date.UTC(2020, 3, 25, 8, 44, 40, 0);
const names = seedBook();
const settings = { names, blockedAfterMs: 250 };

/** The seed's failover log as the recorder received it, plus one event about another group. */
function rawEvents(): RawEvent[] {
  const seed = seedEvents(names).map((e) => ({ at: FAULT + e.t, sentinel: e.sentinel, channel: e.channel, message: e.message }));
  return [...seed, { at: FAULT + 31_000, sentinel: 'redis-sentinel-2', channel: '+sdown', message: 'master other 127.0.0.9 7000' }];
}

/** Writes every 20 ms from 6 s before the fault; those issued in the first 32.2 s after it time out. */
function writeSamples(): RawSample[] {
  const out: RawSample[] = [];
  let seq = 0;
  for (let t = -6000; t < 40_000; t += 20) {
    seq++;
    const during = t >= 0 && t < 32_200;
    out.push(
      during
        ? { seq, issuedAt: FAULT + t, settledAt: FAULT + t + 1000, ok: false, error: 'Command timed out' }
        : { seq, issuedAt: FAULT + t, settledAt: FAULT + t + 0.8, ok: true },
    );
  }
  return out;
}

/** A settled topology: `master` is master, every other node follows it, every sentinel names it. */
function settled(master: string, at: number): Observation {
  const addr = master === 'redis-master' ? '172.18.0.2:6379' : '172.18.0.4:6379';
  return {
    at,
    nodes: NODES.map((service) =>
      service === master
        ? { service, group: 'mymaster', address: service, reachable: true, role: 'master' as const, offset: 100 }
        : {
            service,
            group: 'mymaster',
            address: service,
            reachable: true,
            role: 'replica' as const,
            masterAddress: addr,
            masterService: master,
            link: 'up' as const,
            offset: 100,
          },
    ),
    sentinels: SENTINELS.map((service) => ({
      service,
      address: service,
      reachable: true,
      tilt: false,
      masters: {
        mymaster: {
          name: 'mymaster',
          address: addr,
          service: master,
          flags: ['master'],
          configEpoch: 0,
          quorum: 2,
          numSlaves: 2,
          numOtherSentinels: 2,
          replicas: [],
          sentinels: [],
        },
      },
    })),
  };
}

/** master-pause on the seed's topology, recorded as the run records it. */
function recordedRun(): RunRecord {
  const r = newRecord(masterPause, 'mymaster', NODES, SENTINELS, START, START_WALL);
  r.initialMaster = 'redis-master';
  r.eventsFrom = START + 1000;
  // docker-compose pause took 3.7 s to return.
  r.steps.push({ index: 0, label: 'pause the master', services: ['redis-master'], startedAt: FAULT - 3700, endedAt: null, mark: 'fault' });
  recordFault(r, FAULT, START_WALL + 10_000);
  r.steps[0]!.endedAt = FAULT + 0.5;
  r.faulted.push('redis-master');
  r.steps.push({ index: 1, label: 'wait until failed-over', services: [], startedAt: FAULT + 1, endedAt: FAULT + 32_300 });
  r.steps.push({ index: 2, label: 'hold 2.0 s', services: [], startedAt: FAULT + 32_300, endedAt: FAULT + 34_300 });
  r.steps.push({ index: 3, label: 'unpause the master', services: ['redis-master'], startedAt: FAULT + 34_300, endedAt: FAULT + 34_301, mark: 'heal' });
  r.heals.push({ service: 'redis-master', at: FAULT + 34_301 });
  r.rejoins.push({ heal: 0, at: FAULT + 45_500, as: 'replica' });
  r.steps.push({ index: 4, label: 'wait until healthy', services: [], startedAt: FAULT + 34_302, endedAt: FAULT + 46_000 });
  r.stepsEndedAt = FAULT + 46_000;
  r.latest = settled('redis-replica-2', FAULT + 48_000);
  r.cleanup = { healed: [] };
  r.writes = { samples: writeSamples(), clientRestarts: 1 };
  r.writeCheck = { key: 'sc-drill:x:mymaster:master-pause', checkedOn: 'redis-replica-2', lost: [], appliedDespiteError: [17], duplicates: [] };
  r.events = rawEvents();
  r.endedAt = FAULT + 50_000;
  return r;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('buildRunReport', () => {
  it('turns a recorded master-pause into the report: times since the fault, the story, the verdicts', () => {
    const report = buildRunReport(recordedRun(), settings);
    expect(report).toMatchObject({
      scenario: 'master-pause',
      group: 'mymaster',
      status: 'passed',
      faultWallTime: START_WALL + 10_000,
      startedAt: '2020-04-25T08:44:40.000Z',
      durationMs: 60_000,
    });
    expect(report.reason).toBeUndefined();
    // Step times are ms since the pause was in place; the pause step itself began 3.7 s before.
    expect(report.steps.map((s) => [s.label, s.startedAt, s.endedAt])).toEqual([
      ['pause the master', -3700, 0.5],
      ['wait until failed-over', 1, 32_300],
      ['hold 2.0 s', 32_300, 34_300],
      ['unpause the master', 34_300, 34_301],
      ['wait until healthy', 34_302, 46_000],
    ]);
    expect(report.steps[0]).toMatchObject({ mark: 'fault', services: ['redis-master'] });
    // Events: since the fault, this group's (and group-less ones) only, with services named.
    expect(report.events.some((e) => e.message.includes('other'))).toBe(false);
    expect(report.events[0]).toEqual({
      t: 30_000,
      sentinel: 'redis-sentinel-1',
      channel: '+sdown',
      message: 'master mymaster 172.18.0.2 6379',
      note: 'redis-master',
    });
    expect(report.events.find((e) => e.channel === '+switch-master')!.note).toBe('redis-master -> redis-replica-2');
    expect(report.events.find((e) => e.channel === '+vote-for-leader')!.note).toBe('votes for redis-sentinel-1');
    // The load, since the fault: a baseline before the pause step began, a 32.2 s outage after it.
    const w = report.writes!;
    expect(w.samples[0]).toEqual({ seq: 1, issuedAt: -6000, settledAt: -5999.2, ok: true });
    expect(w.stats.outage).toMatchObject({ startMs: 0 });
    expect(w.stats.outage!.durationMs).toBeCloseTo(32_200.8, 3);
    expect(w.stats.latencyMs.baselineP50).toBe(0.8);
    expect(w).toMatchObject({ check: { checkedOn: 'redis-replica-2', appliedDespiteError: [17] }, clientRestarts: 1 });
    expect(report.reads).toBeNull();
    // Measurements: the seed's story, and the old master back 11.2 s after it was unpaused.
    const m = report.measurements!;
    expect(m).toMatchObject({ initialMaster: 'redis-master', finalMaster: 'redis-replica-2', promoted: { t: 31_113, service: 'redis-replica-2' } });
    expect(m.detection!.t).toBe(30_000);
    expect(m.rejoins).toEqual([{ service: 'redis-master', healedAt: 34_301, rejoinedAt: 45_500, sinceHealMs: 11_199, as: 'replica' }]);
    expect(report.final!.at).toBe(48_000);
    expect(report.expectations.map((e) => [e.check, e.passed])).toEqual(masterPause.expect.map((e) => [e.check, true]));
  });

  it('is pure: it neither changes the record nor depends on anything but it', () => {
    const record = deepFreeze(recordedRun());
    const first = buildRunReport(record, settings);
    expect(buildRunReport(record, settings)).toEqual(first);
    expect(record.steps[0]!.startedAt).toBe(FAULT - 3700);
  });

  it("counts the fault's consequences from its step's start, not from when the runtime returned", () => {
    const r = recordedRun();
    // A sentinel noticed while `pause` was still returning; another +sdown came before the step began.
    r.events = [
      { at: FAULT - 5000, sentinel: 'redis-sentinel-3', channel: '+sdown', message: 'master mymaster 172.18.0.2 6379' },
      { at: FAULT - 1000, sentinel: 'redis-sentinel-2', channel: '+sdown', message: 'master mymaster 172.18.0.2 6379' },
      ...rawEvents(),
    ];
    const report = buildRunReport(r, settings);
    expect(report.measurements!.detection).toMatchObject({ t: -1000, sentinel: 'redis-sentinel-2' });
    expect(report.measurements!.detection!.all.map((x) => x.sentinel)).not.toContain('redis-sentinel-3');
    expect(report.expectations.find((e) => e.check === 'fault-detected')!.message).toBe('redis-sentinel-2 reported +sdown redis-master at -1000 ms');
    // Writes issued after the step began are no baseline: they may have hit the paused master.
    r.writes = {
      samples: [
        { seq: 1, issuedAt: FAULT - 4000, settledAt: FAULT - 3999, ok: true },
        { seq: 2, issuedAt: FAULT - 2000, settledAt: FAULT + 500, ok: true },
      ],
      clientRestarts: 0,
    };
    const stats = buildRunReport(r, settings).writes!.stats;
    expect(stats.latencyMs.baselineP50).toBe(1);
    expect(stats.outage).toMatchObject({ startMs: -2000 });
  });

  it('without a step marked fault, t = 0 is where the run recorded it (the end of the steps)', () => {
    const r = newRecord({ ...masterPause, steps: [], expect: [{ check: 'no-failover' }] }, 'mymaster', NODES, SENTINELS, START, START_WALL);
    r.initialMaster = 'redis-master';
    r.steps.push({ index: 0, label: 'hold 2.0 s', services: [], startedAt: START + 3000, endedAt: START + 5000 });
    r.stepsEndedAt = START + 5000;
    recordFault(r, START + 5000, START_WALL + 5000);
    r.latest = settled('redis-master', START + 6000);
    r.endedAt = START + 6500;
    const report = buildRunReport(r, settings);
    expect(report.steps[0]).toMatchObject({ startedAt: -2000, endedAt: 0 });
    expect(report.faultWallTime).toBe(START_WALL + 5000);
    expect(report.final!.at).toBe(1000);
    expect(report.expectations, JSON.stringify(report.expectations)).toMatchObject([{ check: 'no-failover', passed: true }]);
    expect(report.status).toBe('passed');
  });

  it('an interrupted run says what stopped it and what came back, and judges nothing', () => {
    const r = recordedRun();
    r.stopped = { interrupted: true, message: 'interrupted by SIGINT' };
    r.cleanup = { healed: ['redis-master'] };
    r.writeCheck = null;
    const report = buildRunReport(r, settings);
    expect(report.status).toBe('interrupted');
    expect(report.reason).toBe('interrupted by SIGINT; brought back redis-master');
    expect(report.expectations).toHaveLength(masterPause.expect.length);
    expect(report.expectations.every((e) => e.notReached === true && !e.passed && e.message === 'not reached: the run was interrupted first')).toBe(true);
    expect(report.measurements).not.toBeNull();
    expect(report.writes!.check).toBeNull();
  });

  it('a run that failed says why, after the step error, what could not be brought back', () => {
    const r = recordedRun();
    r.steps[4]!.error = 'healthy: not reached after 60.0 s';
    r.stopped = { interrupted: false, message: 'healthy: not reached after 60.0 s' };
    r.cleanup = { error: 'redis-master: unpause failed' };
    const report = buildRunReport(r, settings);
    expect(report.status).toBe('failed');
    expect(report.reason).toBe('healthy: not reached after 60.0 s\ncould not bring back redis-master: unpause failed');
    expect(report.steps[4]!.error).toBe('healthy: not reached after 60.0 s');
    // Every expectation was met, yet the run failed: it did not finish.
    expect(report.expectations.every((e) => e.passed)).toBe(true);
  });

  it('a group that never became ready: no fault, times since the run began, nothing measured or judged', () => {
    const r = newRecord(masterPause, 'mymaster', NODES, SENTINELS, START, START_WALL);
    r.latest = { ...settled('redis-master', START + 90_000), sentinels: [] };
    r.stopped = { interrupted: false, message: 'mymaster ready: not reached after 90.0 s; still missing:\n  - redis-sentinel-1: no reply' };
    r.cleanup = { healed: [] };
    r.endedAt = START + 90_100;
    const report = buildRunReport(r, settings);
    expect(report).toMatchObject({ status: 'failed', faultWallTime: null, measurements: null, expectations: [], writes: null, steps: [], durationMs: 90_100 });
    expect(report.reason).toMatch(/^mymaster ready: not reached/);
    expect(report.final!.at).toBe(90_000);
  });

  it('a node healed twice is back only once seen after its latest heal', () => {
    const r = recordedRun();
    r.heals.push({ service: 'redis-master', at: FAULT + 46_500 });
    const m = buildRunReport(r, settings).measurements!;
    expect(m.rejoins).toEqual([{ service: 'redis-master', healedAt: 46_500, rejoinedAt: null, sinceHealMs: null, as: null }]);
  });

  it('a skipped run is its reason and nothing else', () => {
    const r = newRecord(masterPause, 'mymaster', NODES, SENTINELS, START, START_WALL);
    r.skipped = 'needs 1 replica(s); mymaster has 0';
    expect(buildRunReport(r, settings)).toEqual({
      scenario: 'master-pause',
      summary: masterPause.summary,
      group: 'mymaster',
      status: 'skipped',
      reason: 'needs 1 replica(s); mymaster has 0',
      faultWallTime: null,
      startedAt: '2020-04-25T08:44:40.000Z',
      durationMs: 0,
      steps: [],
      events: [],
      writes: null,
      reads: null,
      measurements: null,
      expectations: [],
      final: null,
    });
  });
});

describe('reasonOf', () => {
  it('an interrupted run with nothing down says so; one that could not bring something back says that too', () => {
    expect(reasonOf({ stopped: { interrupted: true, message: 'interrupted by SIGTERM' }, cleanup: { healed: [] } })).toBe(
      'interrupted by SIGTERM; nothing was paused or killed',
    );
    expect(reasonOf({ stopped: { interrupted: true, message: 'interrupted by SIGTERM' }, cleanup: { error: 'redis-master: gone' } })).toBe(
      'interrupted by SIGTERM\ncould not bring back redis-master: gone',
    );
    expect(reasonOf({ stopped: null, cleanup: { healed: ['redis-master'] } })).toBeUndefined();
    expect(reasonOf({ stopped: null, cleanup: { error: 'redis-master: gone' } })).toBe('could not bring back redis-master: gone');
  });
});

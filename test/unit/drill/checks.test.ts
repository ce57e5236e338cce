import { describe, expect, it } from 'vitest';
import { expectationPassed, failedOverMissing, judge, sdownMissing, summarizeSeqs, type GroupContext, type JudgeInput } from '../../../src/drill/checks.js';
import type { LoadStats, Observation } from '../../../src/drill/types.js';
import { healthyOn, master, obs, replica, sentinel, silent, silentSentinel } from '../runtime/observe/fixtures.js';
import { seedEvents } from './fixtures.js';

const ctx: GroupContext = {
  group: 'mymaster',
  nodes: ['redis-master', 'redis-replica-1', 'redis-replica-2'],
  sentinels: ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'],
  initialMaster: 'redis-master',
};

describe('conditions', () => {
  // Health (before a run, `wait until: healthy`) is tested with the rest of health in
  // test/unit/runtime/observe/health.test.ts.

  it('failed-over needs a new master named by every answering sentinel, and +failover-end', () => {
    const events = seedEvents();
    // Mid-failover: one sentinel still names the old master, one is paused.
    const mid = obs(
      [silent('redis-master'), replica('redis-replica-1', 'redis-replica-2'), master('redis-replica-2')],
      [sentinel('redis-sentinel-1', 'redis-replica-2'), sentinel('redis-sentinel-2', 'redis-master'), silentSentinel('redis-sentinel-3')],
    );
    expect(failedOverMissing(mid, ctx, events)).toEqual(['redis-sentinel-2: still names redis-master']);
    mid.sentinels[1] = sentinel('redis-sentinel-2', 'redis-replica-2');
    expect(failedOverMissing(mid, ctx, events)).toEqual([]);
    const noEnd = events.filter((e) => e.channel !== '+failover-end');
    expect(failedOverMissing(mid, ctx, noEnd)).toEqual(['no +failover-end yet (the leader is still reconfiguring replicas)']);
  });

  it('counts events from the start of the fault step: the runtime may return after the failover ended', () => {
    // docker-compose pause returned 2 s after it froze the master; the sentinels had failed over
    // by then. t = 0 is the call's return, so the whole story has negative times.
    const shifted = seedEvents().map((e) => ({ ...e, t: e.t - 2000 - seedEvents().at(-1)!.t }));
    const done = obs(
      [silent('redis-master'), replica('redis-replica-1', 'redis-replica-2'), master('redis-replica-2')],
      ctx.sentinels.map((s) => sentinel(s, 'redis-replica-2')),
    );
    const stepStart = shifted[0]!.t - 500;
    expect(failedOverMissing(done, { ...ctx, faultFrom: stepStart }, shifted)).toEqual([]);
    expect(sdownMissing(shifted, ['redis-master'], stepStart)).toEqual([]);
    expect(judge({ check: 'fault-detected' }, input(done, { ctx: { ...ctx, faultFrom: stepStart }, events: shifted })).message).toMatch(/at -\d+ ms$/);
    // Without the step's start, none of it would count.
    expect(failedOverMissing(done, ctx, shifted)).toEqual(['no +failover-end yet (the leader is still reconfiguring replicas)']);
    // Events from before the fault step are not its consequences.
    expect(failedOverMissing(done, { ...ctx, faultFrom: shifted.at(-1)!.t + 1 }, shifted)).toHaveLength(1);
  });

  it('sdown is seen only for the faulted node', () => {
    const events = seedEvents();
    expect(sdownMissing(events, ['redis-master'])).toEqual([]);
    expect(sdownMissing(events, ['redis-replica-1'])).toEqual(['no sentinel has reported +sdown for redis-replica-1']);
  });
});

const stats = (over: Partial<LoadStats> = {}): LoadStats => ({
  issued: 100,
  acked: 90,
  failed: 10,
  pending: 0,
  latencyMs: { baselineP50: 1, p50: 1, p99: 900, max: 990 },
  outage: { startMs: 10, endMs: 3000, durationMs: 2990 },
  windows: [{ startMs: 10, endMs: 3000, durationMs: 2990 }],
  errors: [],
  ...over,
});

function input(final: Observation | null, over: Partial<JudgeInput> = {}): JudgeInput {
  return {
    ctx,
    final,
    events: seedEvents(),
    faulted: ['redis-master'],
    writes: { stats: stats(), check: { key: 'k', checkedOn: 'redis-replica-2', lost: [], appliedDespiteError: [], duplicates: [] } },
    stepsEndedAt: 60_000,
    ...over,
  };
}

describe('expectations', () => {
  const after = healthyOn('redis-replica-2');

  it('pass on the seed story: promotion, one master, replicas, sentinels, old master back', () => {
    for (const check of [
      'failover-happened',
      'fault-detected',
      'one-master',
      'replicas-follow',
      'sentinels-agree',
      'old-master-replica',
      'no-lost-writes',
      'writes-resumed',
    ] as const) {
      const r = judge({ check }, input(after));
      expect(r, `${check}: ${r.message}`).toMatchObject({ check, passed: true, severity: 'fail' });
    }
    expect(judge({ check: 'old-master-replica' }, input(after)).message).toBe('redis-master is a replica of redis-replica-2, link up');
  });

  it('no-failover fails on any promotion and names the first event', () => {
    const r = judge({ check: 'no-failover' }, input(after));
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/^redis-sentinel-1 published \+failover-state-send-slaveof-noone at \+\d+ ms/);
    const quiet = input(healthyOn('redis-master'), { events: seedEvents().filter((e) => ['+sdown', '+odown'].includes(e.channel)) });
    expect(judge({ check: 'no-failover' }, quiet).passed).toBe(true);
  });

  it('failover-happened fails when the old master is still master', () => {
    const r = judge({ check: 'failover-happened' }, input(healthyOn('redis-master')));
    expect(r.passed).toBe(false);
    expect(r.message).toContain('still');
  });

  it('old-master-replica explains what the old master is doing instead', () => {
    const o = healthyOn('redis-replica-2');
    o.nodes[0] = master('redis-master');
    // Two masters: the one the sentinels name is the one it should follow.
    expect(judge({ check: 'old-master-replica' }, input(o)).message).toBe('redis-master has role master, expected a replica of redis-replica-2');
    o.nodes[0] = replica('redis-master', 'redis-replica-2', false);
    expect(judge({ check: 'old-master-replica' }, input(o)).message).toBe('redis-master replicates redis-replica-2 but the link is down');
  });

  it('one-master refuses to pass while a node is silent', () => {
    const o = healthyOn('redis-replica-2');
    o.nodes[0] = silent('redis-master');
    expect(judge({ check: 'one-master' }, input(o)).passed).toBe(false);
  });

  it('lost writes fail, listed as ranges; a warn expectation does not fail the run', () => {
    const lost = input(after, {
      writes: { stats: stats(), check: { key: 'k', checkedOn: 'redis-replica-2', lost: [5, 6, 7, 9], appliedDespiteError: [], duplicates: [] } },
    });
    const r = judge({ check: 'no-lost-writes' }, lost);
    expect(r.passed).toBe(false);
    expect(r.message).toBe('4 of 90 acknowledged writes are missing on redis-replica-2: seq 5-7, 9');
    expect(expectationPassed(r)).toBe(false);
    const warn = judge({ check: 'no-lost-writes', severity: 'warn', why: 'Sentinel is asynchronous' }, lost);
    expect(warn.message).toContain('(warning only: Sentinel is asynchronous)');
    expect(expectationPassed(warn)).toBe(true);
  });

  it('writes-resumed fails when the outage never ended', () => {
    const never = input(after, { writes: { stats: stats({ windows: [{ startMs: 10, endMs: null, durationMs: 5000 }] }), check: null } });
    expect(judge({ check: 'writes-resumed' }, never)).toMatchObject({ passed: false, message: 'writes stopped at +10 ms and never came back' });
  });

  it('fails every topology check without a final observation', () => {
    for (const check of ['one-master', 'replicas-follow', 'sentinels-agree', 'old-master-replica', 'failover-happened'] as const) {
      expect(judge({ check }, input(null)).passed).toBe(false);
    }
  });
});

describe('summarizeSeqs', () => {
  it('folds runs into ranges and caps the list', () => {
    expect(summarizeSeqs([3, 1, 2, 7, 9, 10])).toBe('1-3, 7, 9-10');
    expect(summarizeSeqs([1, 3, 5, 7], 2)).toBe('1, 3, ... (2 more ranges)');
  });
});

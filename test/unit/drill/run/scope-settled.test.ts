/**
 * The look a drill's checks judge (RunScope.observeSettled): a node or sentinel that missed the
 * observer's timeout once on a starved machine is asked again, a few times, before the picture is
 * taken; one that never answers is judged as it is.
 */
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../../src/drill/types.js';
import { fakeScope } from './fake-scope.js';

const obs = (sentinelUp: boolean, at: number): Observation => ({
  at,
  nodes: [{ service: 'redis-master', group: 'mymaster', address: '127.0.0.1:6379', reachable: true, role: 'master' }],
  sentinels: [{ service: 'redis-sentinel-1', address: '127.0.0.1:26379', reachable: sentinelUp } as Observation['sentinels'][number]],
});

const scope = (answers: boolean[]) => fakeScope((t, n) => obs(answers[Math.min(n, answers.length - 1)]!, t), ['redis-master'], ['redis-sentinel-1']);

describe('RunScope.observeSettled', () => {
  it('everyone answered: one look', async () => {
    const s = scope([true]);
    const o = await s.run.observeSettled();
    expect(s.looks()).toBe(1);
    expect(o.sentinels[0]!.reachable).toBe(true);
    expect(s.run.record.latest).toBe(o);
  });

  it('a sentinel that missed one look is asked again, and the look where it answered is the picture', async () => {
    const s = scope([false, true]);
    const o = await s.run.observeSettled();
    expect(s.looks()).toBe(2);
    expect(s.slept).toEqual([500]);
    expect(o.sentinels[0]!.reachable).toBe(true);
    expect(s.run.record.latest).toBe(o);
  });

  it('one that never answers is judged unreachable after five looks, about 2 s', async () => {
    const s = scope([false]);
    const o = await s.run.observeSettled();
    expect(s.looks()).toBe(5);
    expect(s.slept).toEqual([500, 500, 500, 500]);
    expect(o.sentinels[0]!.reachable).toBe(false);
  });
});

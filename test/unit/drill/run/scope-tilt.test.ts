/**
 * RunScope.waitFor and TILT: a sentinel seen entering TILT during a wait gets the 30 s TILT takes
 * (once per wait), so a machine freeze late in the wait does not decide the verdict; a TILT that
 * was there from the first look, or one that outlasts the allowance, does not move the deadline
 * further.
 */
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../../src/common/errors.js';
import type { RunScope } from '../../../../src/drill/run/scope.js';
import { TILT_ALLOWANCE_MS } from '../../../../src/runtime/observe/index.js';
import type { Observation } from '../../../../src/drill/types.js';
import { fakeScope } from './fake-scope.js';

/** `tiltAt(t)`: whether redis-sentinel-1 reports TILT at time t (ms since the wait began). */
const scope = (tiltAt: (t: number) => boolean) =>
  fakeScope(
    (t) => ({
      at: t,
      nodes: [],
      sentinels: [{ service: 'redis-sentinel-1', address: '127.0.0.1:26379', reachable: true, tilt: tiltAt(t) } as Observation['sentinels'][number]],
    }),
    [],
    ['redis-sentinel-1'],
  );

/** Missing: a sentinel in TILT, and something else until `readyAt`. */
const healthyFrom = (readyAt: number) => (obs: Observation) => [
  ...(obs.at < readyAt ? ['redis-replica-1: still syncing'] : []),
  ...obs.sentinels.filter((s) => s.tilt).map((s) => `${s.service}: in TILT mode`),
];

async function waitError(run: RunScope, timeoutMs: number, readyAt = Infinity): Promise<TimeoutError> {
  try {
    await run.waitFor('healthy', healthyFrom(readyAt), timeoutMs);
  } catch (err) {
    return err as TimeoutError;
  }
  throw new Error('the wait ended without an error');
}

describe('RunScope.waitFor with a sentinel in TILT', () => {
  it('entering TILT 46 s into a 62 s wait: the wait lasts until it leaves TILT 30 s later', async () => {
    const { run, said } = scope((t) => t >= 46_000 && t < 76_000);
    const obs = await run.waitFor('healthy', healthyFrom(46_000), 62_000);
    expect(obs.at).toBeGreaterThanOrEqual(76_000);
    expect(obs.at).toBeLessThan(76_500);
    expect(said.join('\n')).toMatch(/redis-sentinel-1 entered TILT while waiting for healthy: waiting until 81 s/);
  });

  it('without TILT the deadline stands', async () => {
    const { run } = scope(() => false);
    await expect(run.waitFor('healthy', () => ['something'], 62_000)).rejects.toThrow(/healthy: not reached after 62\.0 s; still missing:/);
  });

  it('a TILT that outlasts the allowance: the error comes 35 s after it was first seen, and says so', async () => {
    const { run } = scope((t) => t >= 46_000);
    const err = await waitError(run, 62_000, 46_000);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/not reached after 81\.\d s \(TILT allowance included\)/);
    expect(TILT_ALLOWANCE_MS).toBe(35_000);
  });

  it('TILT from the first look moves nothing: it ends inside any wait for healthy', async () => {
    const { run, said } = scope(() => true);
    const err = await waitError(run, 62_000, 0);
    expect(err.message).toMatch(/not reached after 62\.0 s; still missing:/);
    expect(said.filter((l) => l.includes('entered TILT'))).toEqual([]);
  });

  it('TILT early in the wait, when the deadline is far enough: nothing moves', async () => {
    const { run, said } = scope((t) => t >= 5_000 && t < 35_000);
    const obs = await run.waitFor('healthy', healthyFrom(5_000), 62_000);
    expect(obs.at).toBeGreaterThanOrEqual(35_000);
    expect(obs.at).toBeLessThan(35_500);
    expect(said.filter((l) => l.includes('entered TILT'))).toEqual([]);
  });

  it('the allowance is given once per wait: a second TILT does not move the deadline again', async () => {
    const { run } = scope((t) => (t >= 50_000 && t < 60_000) || t >= 70_000);
    const err = await waitError(run, 62_000);
    expect(err.message).toMatch(/not reached after 85\.\d s \(TILT allowance included\)/);
  });
});

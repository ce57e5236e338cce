/**
 * untilChanged (what `failover` and `wait --master-changed` wait with), on scripted looks and a
 * fake clock: its timeout, and the time it allows a sentinel seen in TILT mode.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../src/common/clock.js';
import { TimeoutError } from '../../../../src/common/errors.js';
import type { Watcher } from '../../../../src/runtime/control/observe.js';
import { TILT_ALLOWANCE_MS } from '../../../../src/runtime/observe/index.js';
import { untilChanged } from '../../../../src/runtime/control/wait.js';
import { healthyOn, master, obs, replica, scope, sentinel } from '../observe/fixtures.js';

const from = { service: 'redis-master', address: 'addr-of-redis-master' };

/** The master has not moved; the sentinels in `tilted` are in TILT mode. */
const stuck = (tilted: string[] = []) =>
  obs(
    [master('redis-master'), replica('redis-replica-1', 'redis-master'), replica('redis-replica-2', 'redis-master')],
    scope.sentinels.map((s) => sentinel(s, 'redis-master', { tilt: tilted.includes(s) })),
  );

/** A fake clock, and a watcher whose look at time t is `script(t)` (ms since the start). */
function world(script: (t: number) => ReturnType<typeof stuck>) {
  let t = 0;
  const clock: Clock = { now: () => t, monotonic: () => t, sleep: async (ms) => void (t += ms) };
  const watcher: Watcher = {
    look: () => Promise.reject(new Error('not used')),
    lookAtMaster: async () => script(t),
    close: () => {},
  };
  const said: string[] = [];
  const wait = (timeoutMs: number) => untilChanged(watcher, scope.group, from, { outDir: 'unused', timeoutMs, clock, t0: 0, log: (l) => void said.push(l) });
  return { wait, said, at: () => t };
}

async function timeoutOf(p: Promise<unknown>): Promise<TimeoutError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TimeoutError);
  return err as TimeoutError;
}

describe('untilChanged', () => {
  it('resolves with the new master and the time it took', async () => {
    const w = world((t) => (t < 3000 ? stuck() : healthyOn('redis-replica-1')));
    const r = await w.wait(11_000);
    expect(r.to.service).toBe('redis-replica-1');
    expect(r.ms).toBeGreaterThanOrEqual(3000);
    expect(r.ms).toBeLessThan(3200);
    expect(w.said).toEqual([]);
  });

  it('without TILT, times out at the timeout, naming each sentinel that still names the old master', async () => {
    const w = world(() => stuck());
    const err = await timeoutOf(w.wait(11_000));
    expect(w.at()).toBeGreaterThanOrEqual(11_000);
    expect(w.at()).toBeLessThan(11_200);
    expect(err.message).toMatch(/^mymaster: the master did not change from redis-master \(addr-of-redis-master\) within 11 s; still:/);
    expect(err.missing).toEqual(scope.sentinels.map((s) => `${s}: still names redis-master (addr-of-redis-master)`));
  });

  it('a sentinel seen in TILT mode gets TILT_ALLOWANCE_MS from that look: a change after the timeout but inside it counts', async () => {
    // TILT from 2 s on (a freeze); the failover happens once TILT is over, 33 s in.
    const w = world((t) => (t < 2000 ? stuck() : t < 33_000 ? stuck(['redis-sentinel-1']) : healthyOn('redis-replica-2')));
    const r = await w.wait(11_000);
    expect(r.to.service).toBe('redis-replica-2');
    expect(w.said).toEqual(['mymaster: redis-sentinel-1 is in TILT mode; waiting up to 37 s in all for it to act again']);
  });

  it('with TILT and no change, it gives up once the allowance is over, and says why in the error', async () => {
    const w = world((t) => stuck(t >= 5000 ? ['redis-sentinel-2'] : []));
    const err = await timeoutOf(w.wait(11_000));
    expect(w.at()).toBeGreaterThanOrEqual(5000 + TILT_ALLOWANCE_MS);
    expect(w.at()).toBeLessThan(5000 + TILT_ALLOWANCE_MS + 200);
    expect(err.message).toMatch(/within 40 s \(11 s and the TILT allowance: redis-sentinel-2 was in TILT mode\); still:/);
    expect(err.missing).toContain(
      'redis-sentinel-2: still names redis-master (addr-of-redis-master) (in TILT mode: it acts on nothing until 30 s after its last timer jump)',
    );
  });

  it('a TILT seen once the allowance could not move the deadline leaves the timeout as it was', async () => {
    // Seen at 1 s: the allowance ends at 36 s; a 60 s wait ends at 60 s all the same.
    const w = world((t) => stuck(t >= 1000 ? ['redis-sentinel-3'] : []));
    const err = await timeoutOf(w.wait(60_000));
    expect(w.at()).toBeLessThan(60_200);
    expect(err.message).toMatch(/within 60 s; still:/);
    expect(w.said).toEqual([]);
  });
});

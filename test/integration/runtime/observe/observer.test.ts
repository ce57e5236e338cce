/**
 * The observer on a real topology (redis-server and sentinels, local runtime, passwords on
 * both): the view it builds, the health it reads from it, and what it says about a paused node
 * (without stacking questions on it), a stopped one, and a sentinel in TILT, as both sentinel
 * implementations report them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../../src/common/retry.js';
import { lookAt, missingForHealth, observerFor, waitHealthy, type Observer } from '../../../../src/runtime/observe/index.js';
import { BUNDLED_SKIP_REASON, bundledSentinelBuilt, localTopology, type LocalTopology } from '../../../helpers/drill.js';
import { removeDir } from '../../../helpers/procs.js';

const started: LocalTopology[] = [];
const observers: Observer[] = [];
afterEach(async () => {
  for (const o of observers.splice(0)) o.close();
  for (const t of started.splice(0)) {
    await t.runtime.down({ volumes: true });
    removeDir(t.outDir);
  }
});

const TILT = 'in TILT mode (it acts again 30 s after the last timer jump)';

describe.each(['redis', 'bundled'] as const)('observer, %s sentinels', (implementation) => {
  const skip = implementation === 'bundled' && !bundledSentinelBuilt;
  it.skipIf(skip)(
    `sees the topology, a paused node, a stopped sentinel and one in TILT${skip ? ` [skipped: ${BUNDLED_SKIP_REASON}]` : ''}`,
    async () => {
      const t = await localTopology({ implementation, password: true });
      started.push(t);
      const { runtime: rt, topology, secrets } = t;
      await rt.up();

      const snap = await waitHealthy(rt, secrets, { timeoutMs: 45_000 });
      expect(snap.nodes.find((n) => n.service === 'redis-master')).toMatchObject({
        role: 'master',
        process: 'running',
        onlineReplicas: 2,
        connectedReplicas: 2,
      });
      for (const r of ['redis-replica-1', 'redis-replica-2']) {
        expect(snap.nodes.find((n) => n.service === r)).toMatchObject({
          role: 'replica',
          masterService: 'redis-master',
          link: 'up',
          lagBytes: expect.any(Number),
          lagSeconds: expect.any(Number),
        });
      }
      for (const s of snap.sentinels) {
        expect(s.tilt).toBe(false);
        const v = s.masters.mymaster!;
        expect(v.service).toBe('redis-master');
        expect(v.replicas.map((r) => r.service).sort()).toEqual(['redis-replica-1', 'redis-replica-2']);
        expect(v.sentinels.map((p) => p.service).sort()).toEqual(topology.sentinels.map((x) => x.service).filter((x) => x !== s.service));
      }

      const observer = observerFor(rt, secrets, 300);
      observers.push(observer);

      // A paused node: the question times out, and the next look does not send another one while it is pending.
      await rt.pause('redis-replica-1');
      expect(await observer.node('redis-replica-1')).toMatchObject({ reachable: false, error: 'no answer within 300 ms' });
      expect(await observer.node('redis-replica-1')).toMatchObject({ reachable: false, error: 'has not answered the previous question' });
      // With the runtime's process states, it is named for what it is.
      expect(missingForHealth(topology, await lookAt(rt, observer))).toContain('redis-replica-1: paused');
      await rt.unpause('redis-replica-1');
      await waitUntil(
        'the paused replica answers again',
        async () => {
          const v = await observer.node('redis-replica-1');
          return v.role === 'replica' ? [] : [v.error ?? 'no role'];
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );

      // A stopped sentinel: refused (asked anyway), or "not running" when the runtime says so.
      await rt.kill('redis-sentinel-2');
      await waitUntil(
        'the stopped sentinel refuses connections',
        async () => {
          const v = await observer.sentinel('redis-sentinel-2', ['mymaster']);
          return v.error === 'connection refused' ? [] : [JSON.stringify(v)];
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      expect(missingForHealth(topology, await lookAt(rt, observer))).toContain('redis-sentinel-2: not running (stopped)');
      await rt.restart('redis-sentinel-2');
      observer.forget('redis-sentinel-2');

      // Frozen longer than its timer allows (2 s), a sentinel enters TILT when it resumes: unhealthy for everyone.
      await rt.pause('redis-sentinel-3');
      await sleep(3000);
      await rt.unpause('redis-sentinel-3');
      await waitUntil(
        'sentinel 3 reports TILT',
        async () => {
          const missing = missingForHealth(topology, await lookAt(rt, observer));
          return missing.includes(`redis-sentinel-3: ${TILT}`) ? [] : missing;
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
    },
    120_000,
  );
});

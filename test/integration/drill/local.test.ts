/**
 * Drills on real processes through the product's local runtime (redis-server and
 * redis-sentinel, or the bundled sentinel once it is built), configured from a spec by render.
 * Timings are reported, never asserted: these tests check what happened, not how fast.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { runDrill } from '../../../src/drill/engine.js';
import { SCENARIOS, selectScenarios } from '../../../src/drill/scenarios/index.js';
import type { DrillReport, RunReport } from '../../../src/drill/types.js';
import type { Runtime } from '../../../src/runtime/types.js';
import { BUNDLED_SKIP_REASON, bundledSentinelBuilt, localTopology, type LocalTopology } from '../../helpers/drill.js';
import { removeDir } from '../../helpers/procs.js';

const started: LocalTopology[] = [];
afterEach(async () => {
  for (const t of started.splice(0)) {
    await t.runtime.down({ volumes: true });
    removeDir(t.outDir);
  }
});

async function up(o: Parameters<typeof localTopology>[0]): Promise<LocalTopology> {
  const t = await localTopology(o);
  started.push(t);
  await t.runtime.up();
  return t;
}

function drill(t: LocalTopology, names: string[], extra: Parameters<typeof runDrill>[2] = {}): Promise<DrillReport> {
  return runDrill(t.runtime, selectScenarios(names), {
    rate: 40,
    readRate: 10,
    password: t.secrets.redisPassword,
    sentinelPassword: t.secrets.sentinelPassword,
    ...extra,
  });
}

function explain(run: RunReport): string {
  return `${run.scenario} @ ${run.group}: ${run.status} ${run.reason ?? ''}\n${run.expectations.map((e) => `  ${e.passed ? 'ok' : 'FAIL'} ${e.check}: ${e.message}`).join('\n')}`;
}

/** What every failover run must show, whatever the timings. */
function expectFailoverStory(run: RunReport, replicas: string[]): void {
  const m = run.measurements!;
  expect(m.detection, 'detected').not.toBeNull();
  expect(m.odown, '+odown').not.toBeNull();
  expect(m.elected?.sentinel, 'elected leader').toMatch(/^redis-sentinel-\d$/);
  expect(replicas, 'promoted one of the replicas').toContain(m.promoted?.service);
  expect(m.switchMaster?.to, '+switch-master names the promoted replica').toBe(m.promoted?.service);
  expect(m.finalMaster).toBe(m.promoted?.service);
  const rejoin = m.rejoins.find((r) => r.service === m.initialMaster)!;
  expect(rejoin.as, 'old master back as a replica').toBe('replica');
  expect(run.writes!.check!.lost, 'acknowledged writes lost').toEqual([]);
  expect(run.writes!.stats.acked).toBeGreaterThan(0);
}

describe.each(['redis', 'bundled'] as const)('drill, local runtime, %s sentinel', (implementation) => {
  const skip = implementation === 'bundled' && !bundledSentinelBuilt;
  it.skipIf(skip)(
    `master-pause then no-quorum pass${skip ? ` [skipped: ${BUNDLED_SKIP_REASON}]` : ''}`,
    async () => {
      const t = await up({ implementation });
      const replicas = t.topology.masters[0]!.nodes.slice(1).map((n) => n.service);
      const report = await drill(t, ['master-pause', 'no-quorum']);
      const [mp, nq] = report.runs;
      expect(mp!.status, explain(mp!)).toBe('passed');
      expect(nq!.status, explain(nq!)).toBe('passed');
      expect(report.passed).toBe(true);
      expectFailoverStory(mp!, replicas);

      // no-quorum: the master (now the promoted replica) was detected down, nothing was promoted,
      // and it is master again with every acknowledged write in place.
      const m = nq!.measurements!;
      expect(m.initialMaster).toBe(mp!.measurements!.finalMaster);
      expect(m.detection).not.toBeNull();
      expect(m.promoted).toBeNull();
      expect(m.switchMaster).toBeNull();
      expect(m.finalMaster).toBe(m.initialMaster);
      expect(nq!.writes!.check!.lost).toEqual([]);
      expect(nq!.events.some((e) => e.channel === '+switch-master')).toBe(false);
    },
    240_000,
  );
});

/** What each sentinel names as the master of `group` (its address, or the error). */
async function namedMasters(runtime: Runtime, group: string, password?: string): Promise<string[]> {
  return Promise.all(
    runtime.topology.sentinels.map(async (s) => {
      const c = new Redis({
        ...runtime.endpoint(s.service),
        password,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        connectTimeout: 2000,
        commandTimeout: 2000,
        retryStrategy: () => null,
      });
      c.on('error', () => {});
      try {
        await c.connect();
        const r = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group)) as string[];
        return `${r[0]}:${r[1]}`;
      } catch (err) {
        return String(err);
      } finally {
        c.disconnect();
      }
    }),
  );
}

/**
 * A runtime whose `pause` of a data node returns only once every sentinel has switched to a new
 * master: what `docker-compose pause` does on a loaded machine, where it returned seconds after
 * freezing the container, by when fast sentinels had finished the whole failover.
 */
function slowToReturnFromPause(runtime: Runtime, group: string, password?: string): Runtime {
  const slowPause = async (service: string): Promise<void> => {
    await runtime.pause(service);
    const node = runtime.topology.masters.flatMap((g) => g.nodes).find((n) => n.service === service);
    if (!node) return;
    const old = `${runtime.endpoint(service).host}:${runtime.endpoint(service).port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const named = await namedMasters(runtime, group, password);
      if (named.every((a) => a === named[0] && a !== old && /:\d+$/.test(a))) break;
      if (Date.now() > deadline) throw new Error(`the sentinels did not switch from ${old}: ${named.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return new Proxy(runtime, {
    get(target, prop) {
      if (prop === 'pause') return slowPause;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe.each(['redis', 'bundled'] as const)('drill, local runtime, %s sentinel, slow runtime', (implementation) => {
  const skip = implementation === 'bundled' && !bundledSentinelBuilt;
  it.skipIf(skip)(
    `sees a failover that finished before the runtime said the master was paused${skip ? ` [skipped: ${BUNDLED_SKIP_REASON}]` : ''}`,
    async () => {
      const t = await up({ implementation });
      const group = t.topology.masters[0]!;
      const report = await runDrill(slowToReturnFromPause(t.runtime, group.name), selectScenarios(['master-pause']), { rate: 40, readRate: 10 });
      const run = report.runs[0]!;
      expect(run.status, explain(run)).toBe('passed');
      const m = run.measurements!;
      // The failover finished before t = 0 (the pause call's return), yet it is the run's story.
      expect(m.failoverEnd, '+failover-end seen').not.toBeNull();
      expect(m.detection!.t, 'detected before the pause call returned').toBeLessThan(0);
      expectFailoverStory(
        run,
        group.nodes.slice(1).map((n) => n.service),
      );
    },
    240_000,
  );
});

describe('drill, local runtime, redis sentinel', () => {
  it('drills every master group in turn, with passwords on nodes and sentinels', async () => {
    const t = await up({ groups: ['orders', 'sessions'], replicas: 1, password: true });
    const report = await drill(t, ['master-pause']);
    expect(report.runs.map((r) => r.group)).toEqual(['orders', 'sessions']);
    for (const run of report.runs) {
      expect(run.status, explain(run)).toBe('passed');
      const group = t.topology.masters.find((g) => g.name === run.group)!;
      expectFailoverStory(
        run,
        group.nodes.slice(1).map((n) => n.service),
      );
    }
  }, 240_000);

  it('runs the other scenarios: replica-pause, manual-failover, master-kill-restart, sentinel-and-master-pause', async () => {
    const t = await up({});
    const replicas = () => t.topology.masters[0]!.nodes.map((n) => n.service);
    const names = ['replica-pause', 'manual-failover', 'master-kill-restart', 'sentinel-and-master-pause'];
    expect(SCENARIOS.map((s) => s.name)).toEqual(expect.arrayContaining(names));
    const report = await drill(t, names);
    for (const run of report.runs) expect(run.status, explain(run)).toBe('passed');
    const [rp, mf, kr, sm] = report.runs;
    expect(rp!.measurements!.promoted).toBeNull();
    expect(rp!.measurements!.rejoins[0]).toMatchObject({ as: 'replica' });
    for (const run of [mf!, kr!, sm!]) {
      const m = run.measurements!;
      expect(m.finalMaster, run.scenario).not.toBe(m.initialMaster);
      expect(replicas(), run.scenario).toContain(m.promoted?.service);
      expect(m.rejoins.find((r) => r.service === m.initialMaster)?.as, run.scenario).toBe('replica');
    }
    expect(kr!.steps.find((s) => s.mark === 'fault')).toMatchObject({ label: 'kill the master', services: [kr!.measurements!.initialMaster] });
    expect(kr!.steps.find((s) => s.mark === 'heal')).toMatchObject({ label: 'restart the master', services: [kr!.measurements!.initialMaster] });
    // One sentinel was paused: the other two elected a leader among themselves.
    const paused = sm!.steps.find((s) => s.services.some((x) => x.startsWith('redis-sentinel')))!.services;
    expect(paused).toEqual(['redis-sentinel-3']);
    expect(sm!.measurements!.elected!.sentinel).not.toBe('redis-sentinel-3');
  }, 420_000);

  it('names a sentinel that dies mid-drill at once, and brings back what it paused', async () => {
    const t = await up({});
    const report = await drill(t, ['master-pause'], {
      onProgress: (line) => {
        if (/\] pause /.test(line)) process.kill(t.runtime.readRecord('redis-sentinel-2')!.pid, 'SIGKILL');
      },
    });
    const run = report.runs[0]!;
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/^redis-sentinel-2 is not running \(exited, not stopped by the drill\); `sentinel-compose logs -s redis-sentinel-2` shows why/);
    expect(run.reason).not.toMatch(/not reached after/);
    const states = await t.runtime.ps();
    expect(states.filter((s) => s.state !== 'running')).toEqual([{ service: 'redis-sentinel-2', state: 'stopped', pid: expect.any(Number) }]);
  }, 120_000);

  it('brings back what it paused when interrupted', async () => {
    const t = await up({});
    const abort = new AbortController();
    const report = await drill(t, ['master-pause'], {
      signal: abort.signal,
      onProgress: (line) => {
        if (/\] pause /.test(line)) setTimeout(() => abort.abort(), 300);
      },
    });
    const run = report.runs[0]!;
    expect(run.status).toBe('interrupted');
    expect(run.reason).toMatch(/^interrupted; brought back redis-master/);
    expect(run.expectations.every((e) => e.notReached && !e.passed)).toBe(true);
    expect(report.passed).toBe(false);
    const states = await t.runtime.ps();
    expect(states.filter((s) => s.state !== 'running')).toEqual([]);
  }, 120_000);
});

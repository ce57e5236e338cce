/**
 * The local runtime on real processes: up -> healthy -> status -> pause/unpause -> kill/restart
 * -> down -> no process left, in both network modes. Bundled-sentinel runs skip until the
 * sentinel is built (dist/sentinel/main.js).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/common/errors.js';
import { LocalRuntime } from '../../../src/runtime/local/runtime.js';
import { isSameProcess, type ProcessRecord } from '../../../src/runtime/local/process.js';
import { disagreements, missingForHealth, takeSnapshot, waitHealthy } from '../../../src/runtime/observe/index.js';
import { allNodes } from '../../../src/topology/types.js';
import { renderNodeConfig } from '../../../src/render/index.js';
import { testTopology } from '../../helpers/topology.js';
import { removeDir, repoRoot, tempDir } from '../../helpers/procs.js';

const bundledBuilt = ['dist/sentinel/main.js', 'dist/sentinel.bundle.mjs'].some((f) => existsSync(path.join(repoRoot, f)));
const running: LocalRuntime[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const rt of running.splice(0)) await rt.down({ volumes: true });
  for (const d of dirs.splice(0)) removeDir(d);
});

function alive(rec: ProcessRecord): boolean {
  return isSameProcess(rec);
}

const cases = [
  { network: 'host', implementation: 'redis' },
  { network: 'bridge', implementation: 'redis' },
  { network: 'host', implementation: 'bundled' },
  { network: 'bridge', implementation: 'bundled' },
] as const;

describe.each(cases)('local runtime, $network mode, $implementation sentinel', ({ network, implementation }) => {
  const skip = implementation === 'bundled' && !bundledBuilt;
  it.skipIf(skip)('up -> healthy -> pause/unpause -> kill/restart -> down leaves no process', async () => {
    const { topology: t, secrets } = await testTopology({
      project: `local-${network}-${implementation}`,
      network,
      implementation,
      password: 'pw-data',
      sentinelPassword: 'pw-sentinel',
    });
    const outDir = tempDir('sc-local-');
    dirs.push(outDir);
    const rt = new LocalRuntime({ outDir, topology: t, configFor: (n) => renderNodeConfig(t, n.service, 'local', secrets) });
    running.push(rt);

    await rt.up();
    const snap = await waitHealthy(rt, secrets, { timeoutMs: 45_000 });
    expect(missingForHealth(t, snap)).toEqual([]);
    expect(disagreements(t, snap)).toEqual([]);
    const master = snap.nodes.find((n) => n.service === 'redis-master')!;
    expect(master.role).toBe('master');
    expect(master.onlineReplicas).toBe(2);
    for (const s of snap.sentinels) {
      const v = s.masters.mymaster!;
      expect(v.service).toBe('redis-master');
      expect(v.replicas.map((r) => r.service).sort()).toEqual(['redis-replica-1', 'redis-replica-2']);
      expect(v.sentinels.map((p) => p.service).sort()).toEqual(
        t.sentinels
          .map((x) => x.service)
          .filter((x) => x !== s.service)
          .sort(),
      );
    }
    if (network === 'bridge') {
      // Same port, different hosts: every node on its own 127.0.0.N.
      const hosts = new Set(allNodes(t).map((n) => n.local.host));
      expect(hosts.size).toBe(allNodes(t).length);
      expect(
        new Set(
          allNodes(t)
            .filter((n) => n.kind === 'redis')
            .map((n) => n.local.port),
        ),
      ).toEqual(new Set([6379]));
    }

    // Pid files, process records and config copies live under run/<service>/, configs 0600.
    const recs = new Map(allNodes(t).map((n) => [n.service, rt.readRecord(n.service)!]));
    for (const n of allNodes(t)) {
      const rec = recs.get(n.service)!;
      expect(alive(rec)).toBe(true);
      expect(readFileSync(path.join(outDir, 'run', n.service, 'pid'), 'utf8').trim()).toBe(String(rec.pid));
      expect(statSync(rt.confPath(n)).mode & 0o777).toBe(0o600);
    }

    await rt.pause('redis-replica-1');
    expect((await rt.ps()).find((s) => s.service === 'redis-replica-1')!.state).toBe('paused');
    const paused = await takeSnapshot(rt, secrets, { timeoutMs: 500 });
    expect(paused.nodes.find((n) => n.service === 'redis-replica-1')!.reachable).toBe(false);
    // Waiting for health names what is missing when it runs out of time.
    const timedOut = await waitHealthy(rt, secrets, { timeoutMs: 500, intervalMs: 100 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect((timedOut as TimeoutError).missing).toContain('redis-replica-1: paused');
    await rt.unpause('redis-replica-1');
    expect((await rt.ps()).find((s) => s.service === 'redis-replica-1')!.state).toBe('running');

    const sentinelRec = recs.get('redis-sentinel-2')!;
    await rt.kill('redis-sentinel-2');
    expect(alive(sentinelRec)).toBe(false);
    expect((await rt.ps()).find((s) => s.service === 'redis-sentinel-2')!.state).toBe('stopped');
    // Sentinels rewrite their config: restart must keep what it learned (its myid).
    const rewritten = readFileSync(rt.confPath(t.sentinels[1]!), 'utf8');
    expect(rewritten).toMatch(/sentinel myid [0-9a-f]{40}/);
    await rt.restart('redis-sentinel-2');
    expect(readFileSync(rt.confPath(t.sentinels[1]!), 'utf8')).toContain(rewritten.match(/sentinel myid [0-9a-f]{40}/)![0]);
    expect((await rt.ps()).find((s) => s.service === 'redis-sentinel-2')!.state).toBe('running');

    await rt.kill('redis-replica-2');
    await rt.restart('redis-replica-2');
    await waitHealthy(rt, secrets, { timeoutMs: 45_000 });

    const after = new Map(allNodes(t).map((n) => [n.service, rt.readRecord(n.service)!]));
    await rt.down();
    running.splice(running.indexOf(rt), 1);
    for (const [service, rec] of after) {
      expect(alive(rec), `${service} pid ${rec.pid} still running`).toBe(false);
      expect(existsSync(path.join(outDir, 'run', service, 'pid'))).toBe(false);
    }
    expect((await rt.ps()).every((s) => s.state === 'missing')).toBe(true);
    // Data kept without --volumes, removed with it.
    expect(existsSync(path.join(outDir, 'data', 'redis-master'))).toBe(true);
    await rt.down({ volumes: true });
    expect(existsSync(path.join(outDir, 'data'))).toBe(false);
  });
});

/**
 * The seed's bridge mode for real: one compose network, every node on its standard port inside
 * it, published ports outside, and the sentinels handing out an address that works from both
 * sides. `drill --up` runs the four drills that lose a master or a quorum (master-pause,
 * sentinel-and-master-pause, no-quorum, master-kill-restart) and must pass with no acknowledged
 * write lost, then leave no container and no network behind.
 *
 * Two topologies, chosen so that together they cover both sentinel implementations, both
 * announce styles and both with and without passwords:
 *   - bundled sentinels, the default announce address (host.docker.internal), no passwords;
 *   - redis-sentinel, a LAN address announced as a Linux user would (the offline-docker
 *     namespace's 10.254.254.1), auth.password and auth.sentinel-password.
 * bridge-clients.test.ts covers the other two pairings with master-pause.
 *
 * Runs where the engine's containers are reachable (inside the offline-docker namespace:
 * `offline-docker exec npx vitest run test/e2e`). Timings are reported, never asserted.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/drill/types.js';
import { runCli } from '../helpers/cli-inproc.js';
import { bridgeSpecYaml, containersOf, dockerUsable, LAN_ADDRESS, lanAddressHere, networksOf, skipNote, type BridgeSpecOptions } from '../helpers/docker.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';
import { runsSummary } from '../helpers/report-text.js';

const usable = dockerUsable();
const bundleBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs'));
const SCENARIOS = ['master-pause', 'sentinel-and-master-pause', 'no-quorum', 'master-kill-restart'];
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const cases: { name: string; spec: Omit<BridgeSpecOptions, 'project'>; skip: string | null }[] = [
  {
    name: 'bundled sentinels, announcing host.docker.internal, no passwords',
    spec: { implementation: 'bundled' },
    skip: bundleBuilt ? null : 'dist/sentinel.bundle.mjs not built',
  },
  {
    name: `redis-sentinel, announcing the LAN address ${LAN_ADDRESS}, with auth.password and auth.sentinel-password`,
    spec: { implementation: 'redis', announce: LAN_ADDRESS, password: true, sentinelPassword: true },
    skip: lanAddressHere ? null : `no interface here has ${LAN_ADDRESS} (the offline-docker namespace's LAN address)`,
  },
];

describe.skipIf(!usable)(`drill under Docker Compose, bridge networking${skipNote}`, () => {
  for (const c of cases) {
    it.skipIf(c.skip !== null)(
      `${c.name}: ${SCENARIOS.join(', ')} pass, no acknowledged write lost${c.skip ? ` [skipped: ${c.skip}]` : ''}`,
      async () => {
        const project = `scbridge-${c.spec.implementation}-${Math.random().toString(36).slice(2, 7)}`;
        const cwd = tempDir('sc-e2e-bridge-');
        dirs.push(cwd);
        writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await bridgeSpecYaml({ project, ...c.spec }));
        writeFileSync(path.join(cwd, '.env'), 'REDIS_PASSWORD=bridge-pw-1\nSENTINEL_PASSWORD=bridge-spw-2\n');

        const r = await runCli(['drill', ...SCENARIOS, '--up', '--runtime', 'docker', '--json'], cwd);
        const report = JSON.parse(r.stdout) as DrillReport;
        expect(r.code, `${runsSummary(report)}\n${r.stderr.slice(-3000)}`).toBe(0);
        expect(report).toMatchObject({ runtime: 'docker', network: 'bridge', sentinelImplementation: c.spec.implementation, passed: true });
        expect(report.runs.map((run) => [run.scenario, run.status])).toEqual(SCENARIOS.map((s) => [s, 'passed']));
        for (const run of report.runs) {
          expect(run.writes!.check!.lost, run.scenario).toEqual([]);
          expect(run.writes!.stats.acked, run.scenario).toBeGreaterThan(0);
        }
        // The failovers were real: a replica was promoted and the old master came back as its replica.
        const masterPause = report.runs.find((run) => run.scenario === 'master-pause')!.measurements!;
        expect(['redis-replica-1', 'redis-replica-2']).toContain(masterPause.promoted?.service);
        expect(masterPause.rejoins.find((x) => x.service === 'redis-master')?.as).toBe('replica');
        expect(containersOf(project)).toEqual([]);
        expect(networksOf(project)).toEqual([]);
      },
      900_000,
    );
  }
});

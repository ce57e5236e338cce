/**
 * Partition drills for real (issue 17): under Docker Compose in bridge mode, links cut with
 * iptables from helper containers sharing each target's network namespace. `drill --up` runs
 * master-partition, sentinel-minority-partition and replica-partition with both sentinel
 * implementations:
 *   - bundled sentinels with min-replicas-to-write 1 (max-lag 2 s): the partitioned master stops
 *     acknowledging writes, and no write it acknowledged past Redis's bound is lost;
 *   - redis-sentinel without it: the loss is shown (a warning naming the setting), not hidden.
 * Afterwards nothing is left: no container, no network, no helper, no run/partition.json.
 *
 * Runs inside the offline-docker namespace (`offline-docker exec npx vitest run test/e2e/partition-drill.test.ts`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../src/drill/types.js';
import { runCli } from '../helpers/cli-inproc.js';
import { bridgeSpecYaml, containersOf, dockerUsable, networksOf, skipNote } from '../helpers/docker.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';

const usable = dockerUsable();
const bundleBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs'));
const SCENARIOS = ['master-partition', 'sentinel-minority-partition', 'replica-partition'];
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const helpersOf = (project: string): string[] =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=sentinel-compose.nettools=${project}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

const cases = [
  { implementation: 'bundled' as const, minReplicas: true, skip: bundleBuilt ? null : 'dist/sentinel.bundle.mjs not built' },
  { implementation: 'redis' as const, minReplicas: false, skip: null },
];

describe.skipIf(!usable)(`partition drills under Docker Compose, bridge networking${skipNote}`, () => {
  for (const c of cases) {
    it.skipIf(c.skip !== null)(
      `${c.implementation} sentinels, ${c.minReplicas ? 'with' : 'without'} min-replicas-to-write: ${SCENARIOS.join(', ')} pass${c.skip ? ` [skipped: ${c.skip}]` : ''}`,
      async () => {
        const project = `scpart-${c.implementation}-${Math.random().toString(36).slice(2, 7)}`;
        const cwd = tempDir('sc-e2e-partition-');
        dirs.push(cwd);
        const spec = await bridgeSpecYaml({ project, implementation: c.implementation });
        writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec + (c.minReplicas ? 'redis: {min-replicas-to-write: 1, min-replicas-max-lag: 2}\n' : ''));

        const r = await runCli(['drill', ...SCENARIOS, '--up', '--runtime', 'docker', '--json'], cwd);
        const report = JSON.parse(r.stdout) as DrillReport;
        const summary = report.runs.map(
          (run) =>
            `${run.scenario}: ${run.status}${run.reason ? ` (${run.reason})` : ''}\n${run.expectations
              .filter((e) => !e.passed)
              .map((e) => `  ${e.check}: ${e.message}`)
              .join('\n')}`,
        );
        expect(r.code, `${summary.join('\n')}\n${r.stderr.slice(-3000)}`).toBe(0);
        expect(report.runs.map((run) => [run.scenario, run.status])).toEqual(SCENARIOS.map((s) => [s, 'passed']));

        const mp = report.runs.find((run) => run.scenario === 'master-partition')!;
        const side = mp.partition!.masterSide!;
        expect(mp.partition!.isolated).toEqual(['redis-master']);
        expect(mp.measurements!.rejoins.find((x) => x.service === 'redis-master')?.as).toBe('replica');
        // The client on the master's side kept writing to it after the cut, and it answered.
        expect(side.issuedAfterCut).toBeGreaterThan(0);
        expect(side.ackedAfterCut).toBeGreaterThan(0);
        const loss = mp.expectations.find((e) => e.check === 'partition-loss')!;
        if (c.minReplicas) {
          // NOREPLICAS once the replicas' acks were older than max-lag; nothing past the bound lost.
          expect(side.failedAfterCut).toBeGreaterThan(0);
          expect(side.lostPastBound).toEqual([]);
          expect(loss).toMatchObject({ severity: 'fail', passed: true });
          expect(side.ackWindow!.endMs).toBeLessThanOrEqual(mp.partition!.boundMs! + 1000);
        } else {
          // The documented loss, shown: every write it acknowledged during the partition is gone.
          expect(side.lost.length).toBeGreaterThan(0);
          expect(loss).toMatchObject({ severity: 'warn', passed: false });
          expect(loss.message).toContain('min-replicas-to-write');
        }
        const minority = report.runs.find((run) => run.scenario === 'sentinel-minority-partition')!;
        expect(minority.partition!.isolated).toEqual(['redis-sentinel-3']);
        expect(minority.expectations.find((e) => e.check === 'minority-no-odown')!.passed).toBe(true);
        const replica = report.runs.find((run) => run.scenario === 'replica-partition')!;
        expect(replica.writes!.check!.lost).toEqual([]);

        expect(containersOf(project)).toEqual([]);
        expect(networksOf(project)).toEqual([]);
        expect(helpersOf(project)).toEqual([]);
      },
      1_200_000,
    );
  }
});

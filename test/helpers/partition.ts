/**
 * The partition drills' end-to-end case, shared by test/e2e/partition-drill.test.ts and
 * test/e2e/partition-min-replicas.test.ts (two files so that vitest runs them side by side): a
 * bridge-mode topology of `implementation` sentinels, with or without min-replicas-to-write 1
 * (max-lag 2 s), `drill --up` through the given scenarios, and what each must show; afterwards
 * nothing is left: no container, no network, no helper.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { DrillReport } from '../../src/drill/types.js';
import { runCli } from './cli-inproc.js';
import { bridgeSpecYaml, containersOf, networksOf } from './docker.js';
import { repoRoot, tempDir } from './procs.js';
import { runsSummary } from './report-text.js';

export const PARTITION_SCENARIOS = ['master-partition', 'sentinel-minority-partition', 'replica-partition'];
export const noBundle = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs')) ? null : 'dist/sentinel.bundle.mjs not built';

export interface PartitionCase {
  implementation: 'bundled' | 'redis';
  minReplicas: boolean;
  scenarios: string[];
  /** Below a majority (1 of 3): the cut-off sentinel can start a failover that nobody elects. */
  quorum?: number;
  /** sentinels.down-after-milliseconds (default 1000). */
  downAfter?: number;
  skip: string | null;
}

export const partitionCaseTitle = (c: PartitionCase): string =>
  `${c.implementation} sentinels, ${c.minReplicas ? 'with' : 'without'} min-replicas-to-write${c.quorum ? `, quorum ${c.quorum}` : ''}: ${c.scenarios.join(', ')} pass${c.skip ? ` [skipped: ${c.skip}]` : ''}`;

/** The network-helper containers of a project (label set by src/runtime/compose/partition.ts). */
export const helpersOf = (project: string): string[] =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=sentinel-compose.nettools=${project}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

/** `dirs` collects the folder made, for the caller's afterEach. */
export async function partitionCase(c: PartitionCase, dirs: string[]): Promise<void> {
  const project = `scpart-${c.implementation}-${Math.random().toString(36).slice(2, 7)}`;
  const cwd = tempDir('sc-e2e-partition-');
  dirs.push(cwd);
  const spec = await bridgeSpecYaml({
    project,
    implementation: c.implementation,
    ...(c.quorum ? { quorum: c.quorum } : {}),
    ...(c.downAfter ? { downAfter: c.downAfter } : {}),
  });
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec + (c.minReplicas ? 'redis: {min-replicas-to-write: 1, min-replicas-max-lag: 2}\n' : ''));

  const r = await runCli(['drill', ...c.scenarios, '--up', '--runtime', 'docker', '--json', '--report', 'reports'], cwd);
  const report = JSON.parse(r.stdout) as DrillReport;
  // The report goes with the test's folder: what a failure needs to be understood is printed.
  const lateWrites = (run: DrillReport['runs'][number]) => {
    const side = run.partition?.masterSide;
    if (!side?.lostPastBound.length) return '';
    const late = side.samples.filter((x) => side.lostPastBound.includes(x.seq));
    return `\n  lost past the bound (cut from ${run.partition!.cutFrom} ms, healed at ${run.partition!.healedAt} ms): ${JSON.stringify(late)}`;
  };
  expect(r.code, `${runsSummary(report, lateWrites)}\n${r.stderr.slice(-3000)}`).toBe(0);
  expect(report.runs.map((run) => [run.scenario, run.status])).toEqual(c.scenarios.map((s) => [s, 'passed']));

  const mp = report.runs.find((run) => run.scenario === 'master-partition')!;
  const side = mp.partition!.masterSide!;
  expect(mp.partition!.isolated).toEqual(['redis-master']);
  expect(mp.measurements!.rejoins.find((x) => x.service === 'redis-master')?.as).toBe('replica');
  // The client on the master's side kept writing to it after the cut. Without the setting the
  // master answers until it is converted; with it (max-lag 2 s) it may refuse from the cut on, when
  // its replicas' last acks were already near the lag on a loaded machine (CI saw 0 acknowledged).
  expect(side.issuedAfterCut).toBeGreaterThan(0);
  const outcomes = new Map<string, number>();
  for (const x of side.samples.filter((x) => x.issuedAt >= mp.partition!.cutFrom)) {
    const k = x.ok ? 'ok' : (x.error ?? 'failed').slice(0, 60);
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  }
  if (!c.minReplicas) expect(side.ackedAfterCut, JSON.stringify([...outcomes])).toBeGreaterThan(0);
  const loss = mp.expectations.find((e) => e.check === 'partition-loss')!;
  if (c.minReplicas) {
    // NOREPLICAS once the replicas' acks were older than max-lag: no write sent past the bound
    // was acknowledged (so none of them could be lost).
    expect(side.failedAfterCut, JSON.stringify([...outcomes])).toBeGreaterThan(0);
    expect(side.lostPastBound).toEqual([]);
    expect(loss).toMatchObject({ severity: 'fail', passed: true });
    expect(side.ackedPastBound).toEqual([]);
  } else {
    // The documented loss, shown: every write it acknowledged during the partition is gone.
    expect(side.lost.length).toBeGreaterThan(0);
    expect(loss).toMatchObject({ severity: 'warn', passed: false });
    expect(loss.message).toContain('min-replicas-to-write');
  }
  const minority = report.runs.find((run) => run.scenario === 'sentinel-minority-partition');
  if (minority) {
    expect(minority.partition!.isolated).toEqual(['redis-sentinel-3']);
    const seen = minority.expectations.find((e) => e.check === 'minority-no-odown')!;
    expect(seen.passed).toBe(true);
    expect(minority.expectations.find((e) => e.check === 'no-failover')!.passed).toBe(true);
    if (c.quorum === 1) {
      // Its own +odown is enough for a failover it starts, and nobody elects it.
      expect(seen.message).toMatch(
        /quorum 1 is below a majority \(2\): redis-sentinel-3 reported \+sdown .*\+odown at .*\+try-failover at .*could not be elected leader/,
      );
    } else {
      expect(seen.message).toContain('and never +odown (quorum 2 of 3)');
    }
  }
  const replica = report.runs.find((run) => run.scenario === 'replica-partition');
  if (replica) expect(replica.writes!.check!.lost).toEqual([]);

  // The HTML report's chart of this very drill: the partition shaded, the old master's
  // acknowledgement window marked, a cross for each acknowledged write lost.
  const html = readFileSync(path.join(cwd, 'reports', 'report.html'), 'utf8');
  expect(html).toContain(`partition: redis-master cut off from ${Math.round(mp.partition!.cutFrom)} to ${Math.round(mp.partition!.healedAt!)} ms`);
  if (side.ackWindow)
    expect(html).toContain(
      `redis-master acknowledged writes from ${Math.round(side.ackWindow.startMs)} to ${Math.round(side.ackWindow.endMs)} ms after the cut`,
    );
  else expect(html).toContain('nothing after the cut');
  const crosses = side.lost.length + (mp.writes?.check?.lost.length ?? 0);
  if (crosses) expect(html).toContain(`<title>${crosses} acknowledged writes lost</title>`);
  else expect(html).not.toContain('acknowledged writes lost</title>');
  expect(html).toContain("write on the old master's side");

  expect(containersOf(project)).toEqual([]);
  expect(networksOf(project)).toEqual([]);
  expect(helpersOf(project)).toEqual([]);
}

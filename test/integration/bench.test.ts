/**
 * Smoke test of the benchmark scripts at their smallest settings: each one runs to the end, exits
 * 0, prints a table and one valid `JSON {...}` line with the figures it promises, and leaves no
 * process behind. No figure is judged: performance is never asserted in tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/procs.js';

const built = existsSync(path.join(repoRoot, 'dist', 'sentinel', 'main.js')) && existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: repoRoot, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function jsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l.startsWith('JSON '));
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!.slice(5)) as Record<string, unknown>;
}

/** Leftover temp folders of a script: there must be none once it exits. */
/** Temp dirs with this prefix that were not there before (other runs may have left some). */
function leftovers(prefix: string, before: string[]): string[] {
  return tempDirs(prefix).filter((f) => !before.includes(f));
}
function tempDirs(prefix: string): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith(prefix));
}

describe.skipIf(!built)('bench scripts (smoke, tiny settings)', () => {
  it('report-md.mjs: a table from every committed result, the partition one with both implementations', async () => {
    const files = ['failover', 'sentinel-cost', 'cli', 'partition'].map((b) => path.join('bench', 'results', `${b}.json`));
    const r = await run(process.execPath, [path.join('bench', 'report-md.mjs'), ...files]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of files) expect(r.stdout).toContain(`<!-- from ${f} -->`);
    const part = r.stdout.slice(r.stdout.indexOf('<!-- from bench/results/partition.json -->'));
    expect(part).toContain('| sentinel | min-replicas-to-write | passed |');
    expect(part).toMatch(/^\| bundled \| 0 \| \d+\/\d+ \|/m);
    expect(part).toMatch(/^\| redis-sentinel \| 1 \| \d+\/\d+ \|/m);
    const unknown = await run(process.execPath, [path.join('bench', 'report-md.mjs'), path.join('package.json')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown benchmark');
  });

  it('render.mjs: start-up, --help and render latency', async () => {
    const r = await run(process.execPath, ['bench/render.mjs', '--quick', '--masters', '1', '--runs', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('CLI latency');
    const json = jsonLine(r.stdout) as { benchmark: string; results: Array<{ case: string; wallMs: { median: number } }> };
    expect(json.benchmark).toBe('cli');
    expect(json.results.map((x) => x.case)).toEqual(['--version (start-up only)', '--help', 'render --help', 'render, 1 master', 'render --check, 1 master']);
    for (const x of json.results) expect(x.wallMs.median).toBeGreaterThan(0);
  }, 60_000);

  it('sentinel-cost.ts: CPU and RSS of both implementations', async () => {
    const before = tempDirs('sc-test-m0-');
    const r = await run(tsx, ['bench/sentinel-cost.ts', '--masters', '1', '--seconds', '1', '--warmup', '0']);
    expect(r.code, r.stderr).toBe(0);
    const json = jsonLine(r.stdout) as {
      benchmark: string;
      summary: Array<{ impl: string; cpuPercent: number; rssMb: number }>;
      ratios: Array<{ cpu: number | null }>;
    };
    expect(json.benchmark).toBe('sentinel-cost');
    expect(json.summary.map((s) => s.impl).sort()).toEqual(['bundled', 'redis']);
    for (const s of json.summary) {
      expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(s.rssMb).toBeGreaterThan(1);
    }
    expect(json.ratios).toHaveLength(1);
    expect(leftovers('sc-test-m0-', before)).toEqual([]);
  }, 90_000);

  it('failover.ts --quick: one master-pause drill through the drill engine, topology taken down', async () => {
    const before = tempDirs('sc-bench-failover-');
    const r = await run(tsx, ['bench/failover.ts', '--quick', '--impl', 'bundled']);
    expect(r.code, r.stderr).toBe(0);
    const json = jsonLine(r.stdout) as {
      benchmark: string;
      runs: Array<{
        impl: string;
        status: string;
        problems: string[];
        detectionMs: number | null;
        switchMs: number | null;
        rejoinMs: number | null;
        lostWrites: number | null;
      }>;
      summary: Array<{ metric: string }>;
    };
    expect(json.benchmark).toBe('failover');
    expect(json.runs).toHaveLength(1);
    const run0 = json.runs[0]!;
    expect(run0.status, run0.problems.join('\n')).toBe('passed');
    expect(run0.detectionMs).not.toBeNull();
    expect(run0.switchMs).not.toBeNull();
    expect(run0.rejoinMs).not.toBeNull();
    expect(run0.lostWrites).toBe(0);
    expect(json.summary.map((s) => s.metric)).toContain('switchMs');
    expect(leftovers('sc-bench-failover-', before)).toEqual([]);
  }, 90_000);
});

/**
 * `drill --up --runtime docker master-pause` under Docker Compose with host networking. Runs only
 * when an engine answers and its containers are reachable from here (test/helpers/docker.ts); the
 * bundled sentinel also needs its bundle built (dist/sentinel.bundle.mjs, copied into the image
 * by render). Bridge networking: bridge-drill.test.ts.
 * Timings are reported, never asserted.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { DrillReport } from '../../src/drill/types.js';
import { drillSpecYaml } from '../helpers/drill.js';
import { containersOf, dockerUsable, skipNote } from '../helpers/docker.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';

const engine = dockerUsable();
const bundleBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs'));
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) removeDir(d);
});

describe.skipIf(!engine)(`drill under Docker Compose, host mode${skipNote}`, () => {
  for (const implementation of ['redis', 'bundled'] as const) {
    const skip = implementation === 'bundled' && !bundleBuilt;
    it.skipIf(skip)(
      `master-pause with ${implementation} sentinels passes and leaves no container${skip ? ' [skipped: dist/sentinel.bundle.mjs not built]' : ''}`,
      async () => {
        const project = `scdrill-${implementation}-${Math.random().toString(36).slice(2, 7)}`;
        const cwd = tempDir('sc-e2e-drill-');
        dirs.push(cwd);
        writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await drillSpecYaml({ project, implementation, replicas: 2 }));
        let stdout = '';
        vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
        const code = await main(['drill', 'master-pause', '--up', '--runtime', 'docker', '--json', '--report', 'report', '--no-color'], { cwd });
        vi.restoreAllMocks();
        const report = JSON.parse(stdout) as DrillReport;
        const run = report.runs[0]!;
        expect(code, JSON.stringify(run.expectations, null, 2) + (run.reason ?? '')).toBe(0);
        expect(report.runtime).toBe('docker');
        expect(run.status).toBe('passed');
        const m = run.measurements!;
        expect(m.elected?.sentinel).toMatch(/^redis-sentinel-\d$/);
        expect(['redis-replica-1', 'redis-replica-2']).toContain(m.promoted?.service);
        expect(m.rejoins.find((r) => r.service === 'redis-master')?.as).toBe('replica');
        expect(run.writes!.check!.lost).toEqual([]);
        expect(readFileSync(path.join(cwd, 'report', 'junit.xml'), 'utf8')).toContain('failures="0"');
        expect(containersOf(project)).toEqual([]);
      },
      300_000,
    );
  }
});

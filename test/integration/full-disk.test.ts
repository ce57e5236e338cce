/**
 * A full disk and a read-only filesystem, for real: small tmpfs mounts made by the test (root
 * only; skipped elsewhere) and unmounted afterwards. Every command that writes (init, render,
 * up, drill --report) must end with a clear error and exit 2, leave nothing half-written, change
 * nothing that was there, and leave no process running.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, fstatSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileSystemError } from '../../src/common/errors.js';
import { writeReports } from '../../src/drill/report/write.js';
import type { DrillReport } from '../../src/drill/types.js';
import { canConnect } from '../../src/runtime/ports.js';
import { tempDir } from '../helpers/procs.js';
import { testSpecText } from '../helpers/topology.js';
import { runCli as run } from '../helpers/cli-inproc.js';

const mounts: string[] = [];

function mountTmpfs(size: string, readOnly = false): string | null {
  const dir = tempDir('sc-fs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounts.push(dir);
  return dir;
}

const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = mountTmpfs('64k');
  return probe !== null;
})();

/** Fills the filesystem at `dir`, then frees `freeKiB`. */
function fill(dir: string, freeKiB = 0): void {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  ftruncateSync(fd, Math.max(0, fstatSync(fd).size - freeKiB * 1024));
  closeSync(fd);
}

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

const upDirs: string[] = [];
afterEach(async () => {
  for (const d of upDirs.splice(0)) await run(['down', '--volumes', '--runtime', 'local', '--out', d], path.dirname(d));
});

afterAll(() => {
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    }
    rmSync(m, { recursive: true, force: true });
  }
});

describe.skipIf(!canMount)('a full disk or a read-only folder', () => {
  let spec: string;
  let cwd: string;
  beforeAll(async () => {
    cwd = tempDir('sc-fs-cwd-');
    spec = await testSpecText({ project: 'fulldisk', network: 'host', implementation: 'redis' });
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec);
  });

  it('render: exit 2 saying why, nothing written, an earlier render as it was', async () => {
    const full = mountTmpfs('1m')!;
    expect((await run(['render', '--out', path.join(full, 'out')], cwd)).code).toBe(0);
    const before = readFileSync(path.join(full, 'out', 'compose.yaml'), 'utf8');
    fill(full);
    const snapshot = listing(full);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec.replace('replicas: 2', 'replicas: 1'));
    try {
      for (const out of ['out', 'new/out']) {
        const r = await run(['render', '--out', path.join(full, out)], cwd);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^error: rendering into .* failed: no space left on the device; .*\n {2}fix: free some space there/m);
        expect(listing(full)).toEqual(snapshot);
      }
      expect(readFileSync(path.join(full, 'out', 'compose.yaml'), 'utf8')).toBe(before);
    } finally {
      writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec);
    }

    const ro = mountTmpfs('64k', true)!;
    for (const out of [path.join(ro, 'out'), path.join(ro, 'a', 'b'), ro]) {
      const r = await run(['render', '--out', out, '--json'], cwd);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({ type: 'FileSystemError', exitCode: 2 });
    }
    expect(readdirSync(ro)).toEqual([]);
    // --out a mount point: it cannot be swapped for a new folder; render says to go inside it.
    const mp = mountTmpfs('1m')!;
    const r = await run(['render', '--out', mp], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a mount point cannot be replaced');
    expect(r.stderr).toContain('fix: use a folder inside it');
    expect(readdirSync(mp)).toEqual([]);
    expect(readdirSync(path.dirname(mp)).filter((f) => f.startsWith(`.${path.basename(mp)}.`))).toEqual([]);
  });

  it('init: the spec and the .env with its password are written together or not at all', async () => {
    const full = mountTmpfs('64k')!;
    writeFileSync(path.join(full, '.env'), 'OTHER=1\n');
    fill(full);
    for (const spec of ['s.yaml', 'sub/dir/s.yaml']) {
      const r = await run(['init', '--spec', path.join(full, spec), '--password'], cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('no space left on the device');
    }
    expect(readdirSync(full).sort()).toEqual(['.env', 'filler']);
    expect(readFileSync(path.join(full, '.env'), 'utf8')).toBe('OTHER=1\n');
    const ro = mountTmpfs('64k', true)!;
    const r = await run(['init', '--spec', path.join(ro, 'x', 's.yaml')], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the filesystem is read-only');
  });

  it('drill --report: a read-only folder is refused before anything runs; a full one leaves no partial report', async () => {
    const ro = mountTmpfs('64k', true)!;
    const r = await run(['drill', '--report', path.join(ro, 'reports'), '--out', path.join(cwd, 'nothing-here')], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--report: cannot be written: the filesystem is read-only');
    expect(r.stderr).not.toContain('--out');

    const full = mountTmpfs('64k')!;
    fill(full, 8);
    const report: DrillReport = {
      version: 1,
      tool: 'sentinel-compose drill',
      project: 'fulldisk',
      runtime: 'local',
      sentinelImplementation: 'redis',
      network: 'host',
      startedAt: '2020-04-25T08:44:47.000Z',
      durationMs: 1,
      options: { rate: 50, readRate: 0, commandTimeoutMs: 1000, disconnectTimeoutMs: 200, blockedAfterMs: 250, baselineMs: 2000 },
      sentinelIds: {},
      runs: [],
      passed: true,
      counts: { passed: 0, failed: 0, skipped: 0, interrupted: 0 },
    };
    expect(() => writeReports(path.join(full, 'reports', 'today'), report)).toThrow(FileSystemError);
    expect(readdirSync(full)).toEqual(['filler']);
  });

  it('up: whatever write fails, exit 2, nothing left running and nothing recorded', async () => {
    const disk = mountTmpfs('4m')!;
    const out = path.join(disk, 'out');
    expect((await run(['render', '--out', out], cwd)).code).toBe(0);
    const ports = [...spec.matchAll(/(?:redis|sentinel): (\d+)/g)].map((m) => Number(m[1]));
    // From no room at all to room for some of the nodes' files: each fails at another step.
    for (const freeKiB of [0, 8, 16, 24, 32, 48]) {
      rmSync(path.join(disk, 'filler'), { force: true });
      fill(disk, freeKiB);
      upDirs.push(out);
      const r = await run(['up', '--out', out, '--runtime', 'local', '--timeout', '20'], cwd);
      expect(r.code, `${freeKiB} KiB free: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('no space left on the device');
      expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
      for (const base of ports) {
        for (let p = base; p < base + 3; p++) expect(await canConnect('127.0.0.1', p), `${freeKiB} KiB free: port ${p}`).toBe(false);
      }
      expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
      await run(['down', '--volumes', '--out', out], cwd);
      expect(existsSync(path.join(out, 'data'))).toBe(false);
    }
  });
});

/**
 * The installed entry point: bin/sentinel-compose.js loads the esbuild bundle (dist/bundle) that
 * `npm run build` makes, so this runs the built CLI as users do: a real process, exit codes,
 * stdout/stderr. Skipped when dist/ was not built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/procs.js';

const bin = path.join(repoRoot, 'bin', 'sentinel-compose.js');
const built = existsSync(path.join(repoRoot, 'dist', 'bundle', 'main.mjs'));

const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

describe.skipIf(!built)('bin/sentinel-compose.js (bundled build)', () => {
  it('prints the version and help, and maps errors to exit codes', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sc-bin-'));
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(cli(['--version'], cwd).stdout.trim()).toBe(version);
    const help = cli(['render', '--help'], cwd);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
    const typo = cli(['valdate'], cwd);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/did you mean "validate"/);
    // eslint-disable-next-line no-control-regex -- an ANSI escape is exactly what must not be there
    expect(typo.stderr).not.toMatch(/\u001b\[/); // NO_COLOR
  });

  it('init, render and render --check, with the sentinel bundle given explicitly', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sc-bin-'));
    expect(cli(['init', '--network', 'bridge', '--password'], cwd).status).toBe(0);
    writeFileSync(path.join(cwd, 'fake-sentinel.mjs'), 'console.log("sentinel")\n');
    const r = cli(['render', '--sentinel-bundle', 'fake-sentinel.mjs'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(cwd, 'out', 'sentinel-image', 'sentinel.mjs'), 'utf8')).toBe('console.log("sentinel")\n');
    expect(cli(['render', '--check', '--sentinel-bundle', 'fake-sentinel.mjs'], cwd).status).toBe(0);
    const json = cli(['validate', '--json'], cwd);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
    // Same spec, same bytes, also across processes.
    const before = readFileSync(path.join(cwd, 'out', 'compose.yaml'), 'utf8');
    expect(cli(['render', '--sentinel-bundle', 'fake-sentinel.mjs'], cwd).status).toBe(0);
    expect(readFileSync(path.join(cwd, 'out', 'compose.yaml'), 'utf8')).toBe(before);
  });
});

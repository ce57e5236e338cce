/**
 * The published package works from a tarball in an empty directory:
 * `npx ./sentinel-compose-<v>.tgz --help`, then init and render. npx installs the dependencies
 * from the npm registry, so this runs only when the registry answers. It packs the dist/ that
 * `npm test` built (--ignore-scripts: rebuilding here would pull dist/ from under other tests).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/procs.js';

const registryUp = spawnSync('npm', ['ping'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
const built = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));

describe.skipIf(!registryUp || !built)('npm pack', () => {
  it('npx ./sentinel-compose-<version>.tgz runs --help, init and render in an empty directory', () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'sc-pack-'));
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    const empty = mkdtempSync(path.join(tmpdir(), 'sc-empty-'));
    copyFileSync(path.join(packDir, name), path.join(empty, name));
    const npx = (...args: string[]) => execFileSync('npx', ['--yes', `./${name}`, ...args, '--no-color'], { cwd: empty, encoding: 'utf8', timeout: 240_000 });
    expect(npx('--help')).toMatch(/sentinel-compose init/);
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(npx('--version').trim()).toBe(version);
    npx('init', '--implementation', 'redis');
    expect(readFileSync(path.join(empty, 'sentinel-compose.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
    expect(npx('render')).toMatch(/rendered \d+ files to out/);
    expect(existsSync(path.join(empty, 'out', 'compose.yaml'))).toBe(true);
    rmSync(packDir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }, 300_000);
});

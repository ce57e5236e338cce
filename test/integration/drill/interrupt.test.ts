/**
 * Ctrl-C during `drill --up`: the paused master is brought back, the topology it started is
 * taken down, and the command exits 130. Runs the built CLI (bin/ -> dist/) as a real process,
 * because signals are the point.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../../src/runtime/local/runtime.js';
import { renderNodeConfig } from '../../../src/render/index.js';
import type { Topology } from '../../../src/topology/types.js';
import { drillSpecYaml } from '../../helpers/drill.js';
import { removeDir, repoRoot, tempDir } from '../../helpers/procs.js';

const built = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('drill --up, interrupted', () => {
  it.skipIf(!built)(`SIGINT brings the master back, takes the topology down and exits 130${built ? '' : ' [skipped: run npm run build first]'}`, async () => {
    const cwd = tempDir('sc-drill-int-');
    dirs.push(cwd);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await drillSpecYaml({ replicas: 1 }));
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'sentinel-compose.js'), 'drill', '--up', '--runtime', 'local', '--no-color'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalled && /\] pause redis-master/.test(stderr)) {
        signalled = true;
        setTimeout(() => child.kill('SIGINT'), 500);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(signalled, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('SIGINT: stopping');
    expect(stderr).toMatch(/brought back redis-master/);
    expect(stderr).toContain('taking ');

    const out = path.join(cwd, 'out');
    const topology = JSON.parse(readFileSync(path.join(out, 'topology.json'), 'utf8')) as Topology;
    const rt = new LocalRuntime({ outDir: out, topology, configFor: (n) => renderNodeConfig(topology, n.service, 'local', {}) });
    expect((await rt.ps()).filter((s) => s.state === 'running' || s.state === 'paused')).toEqual([]);
    expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
  }, 120_000);
});

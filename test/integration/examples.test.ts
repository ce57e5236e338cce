/**
 * The committed renders under generated/ are what examples/ render to (`render --check`), and
 * each rendered compose file is accepted by `docker-compose config -q` when docker-compose is
 * installed (CI installs it), besides the JSON schema check in the unit tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { composeSchemaErrors } from '../helpers/compose-schema.js';
import { repoRoot } from '../helpers/procs.js';

const examples = readdirSync(path.join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('examples and generated/', () => {
  it('has the examples the issue asks for', () => {
    expect(examples).toEqual(expect.arrayContaining(['seed-host', 'seed-bridge', 'two-masters-with-password']));
  });

  for (const name of examples) {
    it(`generated/${name} is current (render --check)`, async () => {
      const code = await main(
        ['render', '--check', '--spec', `examples/${name}.yaml`, '--out', `generated/${name}`, '--sentinel-bundle', 'placeholder', '--no-color'],
        { cwd: repoRoot },
      );
      expect(code, `${stderr}\nregenerate with: npm run build && npm run render:examples`).toBe(0);
      expect(composeSchemaErrors(readFileSync(path.join(repoRoot, 'generated', name, 'compose.yaml'), 'utf8'))).toEqual([]);
    });

    it.skipIf(!hasDockerCompose)(`docker-compose config -q accepts generated/${name}`, () => {
      // Throws (with docker-compose's message) on an invalid file.
      execFileSync('docker-compose', ['config', '-q'], { cwd: path.join(repoRoot, 'generated', name), stdio: 'pipe' });
    });
  }
});

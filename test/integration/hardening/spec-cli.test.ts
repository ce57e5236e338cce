/**
 * The CLI on hostile specs: `sentinel-compose validate --spec X` on a sample of generated bad
 * specs exits 2 with a message naming the field, never a stack trace; specs that are valid exit 0.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../../src/common/errors.js';
import { parseSpec } from '../../../src/topology/load.js';
import { repoRoot, stopAll, tempDir } from '../../helpers/procs.js';
import { mutatedExample, nasty, tree, yamlish } from '../../helpers/spec-arbitraries.js';

const BIN = path.join(repoRoot, 'bin', 'sentinel-compose.js');
const SAMPLE = Number(process.env.HARDENING_CLI_SAMPLE ?? 8);

afterAll(async () => {
  await stopAll();
});

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('validate on hostile specs', () => {
  it('exits 2 with field paths and no stack trace, or 0 for a spec that is valid', async () => {
    const dir = tempDir('sc-spec-cli-');
    const texts = [
      ...fc.sample(nasty, { numRuns: SAMPLE, seed: 7 }),
      ...fc.sample(yamlish, { numRuns: SAMPLE, seed: 8 }),
      ...fc.sample(
        tree.map((t) => stringify(t)),
        { numRuns: SAMPLE, seed: 9 },
      ),
      ...fc.sample(mutatedExample, { numRuns: SAMPLE, seed: 10 }),
      'x: &x { <<: *x }\n',
      'masters: [*nowhere]\n',
      `${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    ];
    let usage = 0;
    for (const [i, text] of texts.entries()) {
      const file = path.join(dir, `spec-${i}.yaml`);
      writeFileSync(file, text);
      // What the library says decides what the CLI must say.
      let expected: 0 | 2 = 0;
      try {
        parseSpec(text, { file, env: {}, dotEnv: {} });
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        expected = 2;
      }
      const r = await run(['validate', '--spec', file], dir);
      const why = `spec:\n${text.slice(0, 500)}\nexit ${r.code}\nstderr:\n${r.stderr}`;
      expect(r.code, why).toBe(expected);
      expect(r.stderr, why).not.toMatch(/^\s+at /m);
      expect(r.stdout + r.stderr, why).not.toMatch(/internal error/);
      if (expected === 2) {
        usage++;
        expect(r.stderr.trim().length, why).toBeGreaterThan(0);
      }
    }
    expect(usage).toBeGreaterThan(texts.length / 2);
  });
});

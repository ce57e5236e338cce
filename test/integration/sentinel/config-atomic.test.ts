/**
 * The config rewrite survives SIGKILL at any moment: a child process rewrites sentinel.conf in a
 * tight loop (each version bumps the epoch) and is killed at random times; the file on disk must
 * always be one complete version, readable by the parser, never torn or empty, and no older than
 * the last version the child reported written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { parseSentinelConfig } from '../../../src/sentinel/config/index.js';
import { repoRoot, removeDir, tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

const CHILD = `
import { rewriteSentinelConfig } from './rewrite.mjs';
const file = process.argv[2];
for (let epoch = 1; ; epoch++) {
  rewriteSentinelConfig(file, {
    myid: 'f'.repeat(40),
    currentEpoch: epoch,
    globals: { announcePort: 0, resolveHostnames: false, announceHostnames: false, denyScriptsReconfig: true },
    masters: [{ name: 'm', host: '127.0.0.1', port: 7000 + (epoch % 3), quorum: 2, downAfterMs: 1000, failoverTimeoutMs: 180000,
      parallelSyncs: 1, masterRebootDownAfterPeriodMs: 0, configEpoch: epoch, leaderEpoch: epoch,
      knownReplicas: Array.from({ length: 50 }, (_, i) => ({ host: '127.0.0.1', port: 8000 + i })),
      knownSentinels: [], renamedCommands: [] }],
    dir: process.cwd(), port: 26379, protectedMode: false, users: new Map(),
  });
  process.stdout.write(epoch + '\\n');
}
`;

describe('atomic config rewrite', () => {
  it('leaves a complete file whenever the writer is SIGKILLed', async () => {
    const dir = tempDir('sc-atomic-');
    dirs.push(dir);
    await build({
      entryPoints: [path.join(repoRoot, 'src/sentinel/config/rewrite.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: path.join(dir, 'rewrite.mjs'),
      logLevel: 'silent',
    });
    writeFileSync(path.join(dir, 'child.mjs'), CHILD);
    const file = path.join(dir, 'sentinel.conf');
    writeFileSync(file, '# user comment\nsentinel monitor m 127.0.0.1 7000 2\n');
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, [path.join(dir, 'child.mjs'), file], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      const started = new Promise((r) => child.stdout.once('data', r));
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await started;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 100)));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      const lastReported = Number(out.trim().split('\n').filter(Boolean).pop() ?? 0);
      const text = readFileSync(file, 'utf8');
      const cfg = parseSentinelConfig(text, file);
      expect(text.startsWith('# user comment\n')).toBe(true);
      expect(cfg.masters[0]!.knownReplicas).toHaveLength(50);
      // Written-and-reported versions are never lost; at most the one in flight is missing.
      expect(cfg.currentEpoch).toBeGreaterThanOrEqual(lastReported);
      expect(cfg.masters[0]!.configEpoch).toBe(cfg.currentEpoch);
    }
    // Temp files of killed writers may remain (as with Redis); the config itself is never one.
    expect(readdirSync(dir).filter((f) => f === 'sentinel.conf')).toHaveLength(1);
  });
});

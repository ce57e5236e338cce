/**
 * The interrupt policy of up, drill and down (src/cli/interrupt.ts) on a real process: the first
 * signal starts the clean-up; the same signal again within a second is the same request (npx
 * forwards Ctrl-C, a closed terminal hangs up the shell and its jobs); a later Ctrl-C or SIGTERM
 * quits at once and says what is left; a later SIGHUP or closed pipe never does.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/procs.js';

const child = path.join(repoRoot, 'test', 'helpers', 'interrupt-child.ts');
const running = new Set<ReturnType<typeof spawn>>();
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
});

function start(cleanupMs = 3000) {
  const c = spawn(process.execPath, ['--import', 'tsx', child], { env: { ...process.env, CLEANUP_MS: String(cleanupMs) }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(c);
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  c.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number>((resolve) => c.once('exit', (code, sig) => resolve(code ?? (sig ? -1 : 0))));
  const ready = new Promise<void>((resolve) => {
    const on = () => stdout.includes('ready') && (c.stdout.off('data', on), resolve());
    c.stdout.on('data', on);
  });
  return { c, ready, exited, stdout: () => stdout, stderr: () => stderr.replace(/progress\n/g, '') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('interrupting a command that cleans up', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s starts the clean-up, which finishes, and the exit code is %i', async (sig, code) => {
    const p = start(500);
    await p.ready;
    p.c.kill(sig);
    expect(await p.exited).toBe(code);
    expect(p.stdout()).toContain(`stop ${sig}\nclean\n`);
  });

  it('the same signal twice at once is one request: the clean-up finishes', async () => {
    const p = start(1500);
    await p.ready;
    p.c.kill('SIGINT');
    await sleep(50);
    p.c.kill('SIGINT');
    expect(await p.exited).toBe(130);
    expect(p.stdout()).toContain('clean');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s a second later quits at once, saying what is left', async (second) => {
    const p = start(10_000);
    await p.ready;
    p.c.kill('SIGINT');
    await sleep(1200);
    p.c.kill(second);
    expect(await p.exited).toBe(second === 'SIGINT' ? 130 : 143);
    expect(p.stdout()).not.toContain('clean');
    expect(p.stderr()).toContain(`${second} again: quitting now. LEFT: the things it did not clean up`);
  });

  it('a later SIGHUP (the terminal closed after Ctrl-C) does not cut the clean-up short', async () => {
    const p = start(2500);
    await p.ready;
    p.c.kill('SIGINT');
    await sleep(1200);
    p.c.kill('SIGHUP');
    expect(await p.exited).toBe(130);
    expect(p.stdout()).toContain('clean');
  });

  it('a closed stderr (the reader of `2>&1 | head` went away) is an interrupt, not a crash', async () => {
    const p = start(300);
    await p.ready;
    p.c.stderr.destroy();
    expect(await p.exited).toBe(141);
    expect(p.stdout()).toContain('stop SIGPIPE\nclean\n');
  });
});

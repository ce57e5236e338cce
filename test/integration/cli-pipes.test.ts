/**
 * `sentinel-compose status --watch | head -1`: the reader goes away and the CLI must end quietly
 * (exit 0, no EPIPE stack trace), for the commands that keep writing (status --watch, logs
 * --follow) and for one-shot output whose reader is gone before it is written. The real CLI
 * (bin/) in a child process, since only a real pipe gives a real EPIPE.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/procs.js';
import { testSpecText } from '../helpers/topology.js';

const BIN = path.join(repoRoot, 'bin', 'sentinel-compose.js');
const children = new Set<import('node:child_process').ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Runs the CLI, closes its stdout after `closeAfter` bytes (0: at once), and waits for it to end. */
function runClosingStdout(
  args: string[],
  cwd: string,
  closeAfter: number,
): Promise<{ code: number | null; signal: string | null; stderr: string; got: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    children.add(child);
    let stderr = '';
    let got = '';
    child.stderr.on('data', (d) => (stderr += d));
    const close = () => child.stdout.destroy();
    if (closeAfter === 0) close();
    else
      child.stdout.on('data', (d) => {
        got += d;
        if (got.length >= closeAfter) close();
      });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stderr, got });
    });
  });
}

async function renderedFolder(): Promise<string> {
  const cwd = tempDir('sc-pipes-');
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await testSpecText({ project: 'pipes', network: 'host', implementation: 'redis' }));
  const r = await runClosingStdout(['render'], cwd, 1e9);
  expect(r.code, r.stderr).toBe(0);
  return cwd;
}

describe('a closed pipe ends the CLI quietly', () => {
  it('status --watch | head -1', async () => {
    const cwd = await renderedFolder();
    const r = await runClosingStdout(['status', '--watch', '--interval', '0.2', '--runtime', 'local'], cwd, 1);
    expect(r.got.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });

  it('status --watch --json | head -1', async () => {
    const cwd = await renderedFolder();
    const r = await runClosingStdout(['status', '--watch', '--json', '--interval', '0.2', '--runtime', 'local'], cwd, 1);
    expect(r.stderr).toBe('');
    expect([r.code, r.signal]).toEqual([0, null]);
  });

  it('logs --follow | head -1, while the log keeps growing', async () => {
    const cwd = await renderedFolder();
    const log = path.join(cwd, 'out', 'run', 'redis-master', 'redis-master.log');
    mkdirSync(path.dirname(log), { recursive: true });
    writeFileSync(log, '1:M 01 Jan 2024 00:00:00.000 * Ready to accept connections tcp\n');
    const writer = setInterval(() => appendFileSync(log, `1:M 01 Jan 2024 00:00:00.000 * line ${Date.now()}\n`), 50);
    try {
      const r = await runClosingStdout(['logs', '--follow', '--runtime', 'local', '-s', 'redis-master'], cwd, 1);
      expect(r.stderr).toBe('');
      expect([r.code, r.signal]).toEqual([0, null]);
    } finally {
      clearInterval(writer);
    }
  });

  it('one-shot output whose reader is already gone', async () => {
    const cwd = await renderedFolder();
    for (const args of [['validate', '--json'], ['drill', '--list', '--json'], ['render', '--check', '--json'], ['--help']]) {
      const r = await runClosingStdout(args, cwd, 0);
      expect(r.stderr, args.join(' ')).not.toMatch(/EPIPE|internal error|^\s+at /m);
      expect(r.signal, args.join(' ')).toBe(null);
      expect(r.code, args.join(' ')).toBe(0);
    }
  });
});

/**
 * The sentinel as a process: id generated and kept, command-line options, dir/logfile/pidfile,
 * clean exit on SIGTERM/SIGINT/SHUTDOWN, a second copy on a busy port, bad config files, and the
 * esbuild bundle the image runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitForPort } from '../../helpers/ports.js';
import { repoRoot, startRedis, startSentinel, stopAll, tempDir } from '../../helpers/procs.js';
import { sentinelCall } from './topology.js';
import { text, toJs } from '../../helpers/resp-conn.js';

afterAll(async () => {
  await stopAll();
});

const MAIN = path.join(repoRoot, 'dist', 'sentinel', 'main.js');
const BUNDLE = path.join(repoRoot, 'dist', 'sentinel.bundle.mjs');

function run(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function exitOf(child: import('node:child_process').ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

/** Waits until the process sleeps opening a FIFO (Linux: /proc/<pid>/wchan). */
async function blockedOnFifo(pid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let wchan = '';
  for (;;) {
    try {
      wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
    } catch (err) {
      wchan = String(err);
    }
    if (/fifo|partner/.test(wchan)) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} is not waiting on its config FIFO (wchan: ${wchan})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitUntilAnswers(port: number): Promise<void> {
  await waitForPort(port);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pong = await sentinelCall(port, 'PING').then(text, (err: unknown) => String(err));
    if (pong === 'PONG') return;
    if (Date.now() > deadline) throw new Error(`the sentinel on ${port} does not answer PING: ${pong}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the sentinel process', () => {
  it('generates and persists its id, and keeps it across restarts', async () => {
    const m = await startRedis('m');
    const s = await startSentinel('s', { implementation: 'bundled', conf: [`sentinel monitor mymaster 127.0.0.1 ${m.port} 1`] });
    const id = text(await sentinelCall(s.port, 'SENTINEL', 'MYID'));
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(readFileSync(s.confFile, 'utf8')).toContain(`sentinel myid ${id}`);
    expect(s.log()).toContain(`Sentinel ID is ${id}`);
    expect(s.log()).toMatch(/# \+monitor master mymaster 127\.0\.0\.1 \d+ quorum 1/);
    await s.stop('SIGTERM');
    const child = spawn(process.execPath, [MAIN, s.confFile], { stdio: 'ignore' });
    try {
      await waitForPort(s.port);
      expect(text(await sentinelCall(s.port, 'SENTINEL', 'MYID'))).toBe(id);
    } finally {
      child.kill('SIGKILL');
      await exitOf(child);
    }
  });

  it('exits cleanly on SIGTERM and SIGINT, and on SHUTDOWN', async () => {
    for (const how of ['SIGTERM', 'SIGINT', 'SHUTDOWN'] as const) {
      const dir = tempDir('sc-proc-');
      const port = await freePort();
      const conf = path.join(dir, 'sentinel.conf');
      writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 1 2\n`);
      const child = spawn(process.execPath, [MAIN, conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      // Ready means it answers, not just that the kernel accepts connections on its port.
      await waitUntilAnswers(port);
      const started = Date.now();
      if (how === 'SHUTDOWN') await sentinelCall(port, 'SHUTDOWN').catch(() => undefined);
      else child.kill(how);
      expect(await exitOf(child)).toBe(0);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(out).toContain('bye bye');
    }
  });

  it('exits cleanly on a SIGTERM or SIGINT that arrives while it is still starting', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      // The config file is a FIFO: reading it blocks the sentinel in the middle of its startup
      // (before it listens) until the test writes the config, so the signal lands there for sure.
      const dir = tempDir('sc-proc-early-');
      const port = await freePort();
      const conf = path.join(dir, 'sentinel.conf');
      execFileSync('mkfifo', [conf]);
      const child = spawn(process.execPath, [MAIN, conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      try {
        await blockedOnFifo(child.pid!);
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 100));
      // Non-blocking: if the signal killed the sentinel, nobody reads, and this throws (ENXIO)
      // instead of hanging the test.
      const body = `port ${port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 1 2\n`;
      let fd: number;
      try {
        fd = openSync(conf, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        await exitOf(child);
        throw new Error(`the sentinel did not survive ${signal} during startup (exit code ${child.exitCode}, signal ${child.signalCode})\n${out}`, {
          cause: err,
        });
      }
      try {
        writeSync(fd, body);
      } finally {
        closeSync(fd);
      }
      // A plain file from now on: a config rewrite reads the file again.
      writeFileSync(`${conf}.tmp`, body);
      renameSync(`${conf}.tmp`, conf);
      expect(await exitOf(child), out).toBe(0);
      expect(out).toContain(`Received ${signal} scheduling shutdown`);
      expect(out).toContain('bye bye');
      // Acted on before monitoring started.
      expect(out).not.toContain('+monitor');
    }
  });

  it('a second copy on a busy port exits non-zero with a clear error and leaves the config untouched', async () => {
    const port = await freePort();
    const first = await startSentinel('first', { implementation: 'bundled', conf: ['sentinel monitor mymaster 127.0.0.1 1 2'], port });
    const dir = tempDir('sc-second-');
    const conf = path.join(dir, 'sentinel.conf');
    const body = `# my comment\nport ${port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 1 2\n`;
    writeFileSync(conf, body);
    const r = await run([MAIN, conf]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(new RegExp(`listen.*127\\.0\\.0\\.1:${port}|${port}.*(in use|EADDRINUSE)`, 'i'));
    expect(readFileSync(conf, 'utf8')).toBe(body);
    expect(text(await sentinelCall(first.port, 'PING'))).toBe('PONG');
  });

  it('takes redis-sentinel style --options, chdirs to dir, writes logfile and pidfile', async () => {
    const dir = tempDir('sc-opts-');
    const port = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(conf, `port 1\nbind 127.0.0.1\ndir ${dir}\nlogfile "sentinel.log"\npidfile "s.pid"\nsentinel monitor mymaster 127.0.0.1 1 2\n`);
    const child = spawn(process.execPath, [MAIN, conf, '--port', String(port), '--loglevel', 'verbose'], { stdio: 'ignore' });
    try {
      await waitForPort(port);
      const info = text(await sentinelCall(port, 'INFO', 'server'));
      expect(info).toContain(`tcp_port:${port}`);
      expect(info).toContain(`config_file:${conf}`);
      expect(readFileSync(path.join(dir, 's.pid'), 'utf8').trim()).toBe(String(child.pid));
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(path.join(dir, 'sentinel.log'), 'utf8')).toMatch(/^\d+:X \d{2} \w{3} \d{4} [\d:.]+ # .*starting/m);
      // As with redis-sentinel, the rewrite persists the port in effect.
      expect(readFileSync(conf, 'utf8')).toMatch(new RegExp(`^port ${port}$`, 'm'));
    } finally {
      child.kill('SIGTERM');
      await exitOf(child);
    }
    expect(existsSync(path.join(dir, 's.pid'))).toBe(false);
  });

  it('refuses a bad config file, naming the line, without touching it', async () => {
    const dir = tempDir('sc-bad-');
    const conf = path.join(dir, 'sentinel.conf');
    const body = 'port 26999\nsentinel monitor mymaster 127.0.0.1 6379 2\nnot-a-directive 1\n';
    writeFileSync(conf, body);
    const r = await run([MAIN, conf]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/:3\b/);
    expect(r.out).toContain('not-a-directive');
    expect(readFileSync(conf, 'utf8')).toBe(body);
    const none = await run([MAIN]);
    expect(none.code).toBe(1);
    expect(none.out).toContain('Sentinel needs config file on disk to save state');
  });

  it('runs from the esbuild bundle the image uses', async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} missing: run npm run build`);
    const m = await startRedis('bm');
    const dir = tempDir('sc-bundle-');
    const port = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 ${m.port} 1\n`);
    const child = spawn(process.execPath, [BUNDLE, conf], { stdio: 'ignore' });
    try {
      await waitForPort(port);
      expect(toJs(await sentinelCall(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'))).toEqual(['127.0.0.1', String(m.port)]);
      expect(toJs(await sentinelCall(port, 'ROLE'))).toEqual(['sentinel', ['mymaster']]);
    } finally {
      child.kill('SIGTERM');
      expect(await exitOf(child)).toBe(0);
    }
  });
});

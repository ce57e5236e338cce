import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/procs.js';
import { MissingDependencyError } from '../../../src/common/errors.js';
import { bundledSentinelScript, packageRoot, redisServerCommand, sentinelCommand } from '../../../src/runtime/local/binaries.js';
import {
  isSameProcess,
  processStartTime,
  processStateLetter,
  signalOwn,
  spawnDetached,
  waitForExit,
  type ProcessRecord,
} from '../../../src/runtime/local/process.js';

describe('process identity', () => {
  it('a pid whose start time differs (a reused pid) is not ours: nothing is signalled', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const real = processStartTime(child.pid!)!;
    expect(real).toBeTruthy();
    const impostor: ProcessRecord = { pid: child.pid!, startTime: String(Number(real) + 1), command: 'sleep', args: [], startedAt: 0 };
    expect(isSameProcess(impostor)).toBe(false);
    expect(signalOwn(impostor, 'SIGKILL')).toBe(false);
    expect(child.exitCode).toBeNull();
    const ours: ProcessRecord = { ...impostor, startTime: real };
    expect(signalOwn(ours, 'SIGKILL')).toBe(true);
    expect(await waitForExit(ours, 5000)).toBe(true);
  });

  it('a started process is recorded before anything else can run, so a CLI killed a moment later still knows it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-spawn-'));
    let recorded: ProcessRecord | null = null;
    const started = spawnDetached('sleep', ['30'], { cwd: dir, logFile: path.join(dir, 'log'), record: (r) => (recorded = r) });
    // Synchronously: no await (no chance for the event loop, or a SIGKILL handler-less death, in between).
    expect(recorded).not.toBeNull();
    const rec = await started;
    expect(rec).toEqual(recorded);
    expect(isSameProcess(rec)).toBe(true);
    expect(signalOwn(rec, 'SIGKILL')).toBe(true);
    expect(await waitForExit(rec, 5000)).toBe(true);
  });

  it('a CLI killed before it recorded a process it started leaves nothing running', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-spawn-'));
    const pidFile = path.join(dir, 'pid');
    const script = path.join(repoRoot, 'test', 'helpers', 'spawn-then-die.ts');
    const cli = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, DIR: dir, PID_FILE: pidFile }, stdio: 'ignore' });
    await new Promise((r) => cli.once('exit', r));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // The shell never got its "go": it exits instead of running `sleep 30`.
    const gone = () => processStartTime(pid) === null || processStateLetter(pid) === 'Z';
    const deadline = Date.now() + 5000;
    while (!gone() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const stillRuns = !gone();
    if (stillRuns) process.kill(pid, 'SIGKILL');
    expect(stillRuns, `pid ${pid} still runs`).toBe(false);
  });

  it('a pid that does not exist is not ours', () => {
    expect(isSameProcess({ pid: 2 ** 22 + 17, startTime: '1', command: 'x', args: [], startedAt: 0 })).toBe(false);
  });
});

describe('programs', () => {
  it('missing redis-server and redis-sentinel say how to install them', () => {
    const err = (() => {
      try {
        redisServerCommand('/nonexistent');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as Error).message).toContain('apt-get install -y redis-server redis-sentinel');
    expect((err as Error).message).toContain('--runtime docker');
    expect(() => sentinelCommand('redis', '/nonexistent')).toThrow(/redis-sentinel/);
  });

  it('redis-sentinel found on PATH; the bundled sentinel runs on this node', () => {
    expect(sentinelCommand('redis').command).toMatch(/redis-sentinel$/);
  });

  it('finds the bundled sentinel inside an installed package, and explains when it is missing', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sc-pkg-'));
    const pkg = path.join(root, 'node_modules', 'sentinel-compose');
    mkdirSync(path.join(pkg, 'dist', 'runtime', 'local'), { recursive: true });
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'someones-app' }));
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'sentinel-compose' }));
    const moduleFile = path.join(pkg, 'dist', 'runtime', 'local', 'binaries.js');
    expect(packageRoot(moduleFile)).toBe(pkg);
    expect(() => bundledSentinelScript(pkg)).toThrow(MissingDependencyError);
    expect(() => bundledSentinelScript(pkg)).toThrow(/npm run build|implementation: redis/);
    mkdirSync(path.join(pkg, 'dist', 'sentinel'));
    writeFileSync(path.join(pkg, 'dist', 'sentinel', 'main.js'), '');
    expect(bundledSentinelScript(pkg)).toBe(path.join(pkg, 'dist', 'sentinel', 'main.js'));
  });
});

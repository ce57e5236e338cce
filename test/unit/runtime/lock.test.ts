/**
 * run/lock: one of up, down and drill at a time on a folder; a lock whose holder is gone is
 * taken over (and said so); a lock is only ever removed by its holder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { processStartTime } from '../../../src/runtime/local/process.js';
import { acquireLock, describeReplaced, lockPath, readLock } from '../../../src/runtime/lock.js';
import { ensureRunDir } from '../../../src/runtime/state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sc-lock-'));
  dirs.push(d);
  return d;
}

async function deadPid(): Promise<{ pid: number; startTime: string | null }> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const startTime = processStartTime(child.pid!);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return { pid: child.pid!, startTime };
}

describe('the folder lock', () => {
  it('a second command is refused while the first holds it, with its name, pid and how to stop it', () => {
    const dir = outDir();
    const first = acquireLock(dir, 'drill', 'out');
    let err: unknown;
    try {
      acquireLock(dir, 'up', 'out');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).toContain(`--out: out is in use by \`sentinel-compose drill\` (pid ${process.pid}, since `);
    expect(msg).toContain('up cannot run on it at the same time');
    expect(msg).toContain(`kill -INT ${process.pid}\` (it brings back what it paused first)`);
    first.release();
    expect(existsSync(lockPath(dir))).toBe(false);
    const second = acquireLock(dir, 'up', 'out');
    expect(second.replaced).toBeNull();
    second.release();
  });

  it('a lock whose holder is gone (killed outright) is taken over, and says whose it was', async () => {
    const dir = outDir();
    ensureRunDir(dir);
    const dead = await deadPid();
    writeFileSync(lockPath(dir), JSON.stringify({ command: 'drill', ...dead, since: Date.now() - 60_000 }));
    const lock = acquireLock(dir, 'up', 'out');
    expect(lock.replaced).toMatchObject({ command: 'drill', pid: dead.pid });
    expect(describeReplaced(lock.replaced!)).toBe(`\`sentinel-compose drill\` (pid ${dead.pid}) ended without cleaning up (killed?); taking over its lock`);
    expect(readLock(dir)).toMatchObject({ command: 'up', pid: process.pid });
    lock.release();
  });

  it('a pid reused by another process is not the holder', () => {
    const dir = outDir();
    ensureRunDir(dir);
    // Our own pid, but with another start time: the process that took the lock is gone.
    writeFileSync(lockPath(dir), JSON.stringify({ command: 'down', pid: process.pid, startTime: '1', since: 0 }));
    const lock = acquireLock(dir, 'up', 'out');
    expect(lock.replaced?.command).toBe('down');
    lock.release();
  });

  it('an unreadable lock (a crash while it was written by an older version) is stale', () => {
    const dir = outDir();
    ensureRunDir(dir);
    writeFileSync(lockPath(dir), '{"comm');
    const lock = acquireLock(dir, 'drill', 'out');
    expect(readLock(dir)?.command).toBe('drill');
    lock.release();
  });

  it('release removes only its own lock, and an emptied run/ with it', () => {
    const dir = outDir();
    const lock = acquireLock(dir, 'down', 'out');
    // Someone broke it and took it (it looked stale to them): theirs stays.
    const theirs = JSON.stringify({ command: 'up', pid: process.pid, startTime: processStartTime(process.pid), since: 1 });
    writeFileSync(lockPath(dir), theirs);
    lock.release();
    expect(readFileSync(lockPath(dir), 'utf8')).toBe(theirs);
    rmSync(lockPath(dir));
    const again = acquireLock(dir, 'down', 'out');
    again.release();
    expect(existsSync(path.join(dir, 'run'))).toBe(false);
  });
});

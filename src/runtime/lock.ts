/**
 * One command at a time changes a running topology. `up`, `down` and `drill` hold `run/lock`
 * while they run: two `up`s would start every node twice, a `down` in the middle of a drill would
 * pull the topology from under it, and a second drill would pause what the first one measures.
 * The lock names its holder (command, pid and the pid's start time, so that a reused pid is not
 * mistaken for it); a lock whose holder is gone (killed with SIGKILL, machine rebooted) is stale
 * and is taken over, and the caller is told so.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { timeOfDay } from '../common/clock.js';
import { UsageError } from '../common/errors.js';
import { stillRunning, thisProcess } from './local/process.js';
import { dropRunDirIfEmpty, ensureRunDir, runDir } from './state.js';

export interface LockHolder {
  /** The command, e.g. `drill` or `up`. */
  command: string;
  pid: number;
  /** The pid's start time (see process.ts), to tell it from a later process with the same pid. */
  startTime: string | null;
  /** Wall-clock ms when the lock was taken. */
  since: number;
}

export interface Lock {
  holder: LockHolder;
  /** The holder of a stale lock this one replaced (its process is gone), for the caller to mention. */
  replaced: LockHolder | null;
  release(): void;
}

export function lockPath(outDir: string): string {
  return path.join(runDir(outDir), 'lock');
}

export function readLock(outDir: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(lockPath(outDir), 'utf8')) as LockHolder;
    return typeof h?.pid === 'number' && typeof h.command === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Whether the process that took the lock is still running. */
export function holderAlive(h: LockHolder): boolean {
  return stillRunning(h);
}

/**
 * Takes the lock of `outDir` for `command`, or throws a UsageError naming the command that holds
 * it. `outArg` is the folder as the user wrote it, for the message.
 */
export function acquireLock(outDir: string, command: string, outArg: string): Lock {
  ensureRunDir(outDir);
  const file = lockPath(outDir);
  const holder: LockHolder = { command, ...thisProcess(), since: Date.now() };
  // Written beside the lock and hard-linked into place: link fails if the lock exists, and a
  // reader never sees a half-written lock.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder) + '\n', { mode: 0o644 });
  let replaced: LockHolder | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
      }
      const current = readLock(outDir);
      if (current && holderAlive(current)) throw busy(current, command, outArg);
      // Stale (or unreadable): move it aside first, so that two commands breaking the same stale
      // lock cannot both win, then check that what was moved is what was judged stale.
      const aside = `${file}.stale-${process.pid}`;
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readLockFile(aside);
      rmSync(aside, { force: true });
      if (moved && holderAlive(moved)) throw busy(moved, command, outArg);
      replaced = moved ?? current;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const current = readLock(outDir);
    if (current?.pid === holder.pid && current.since === holder.since) rmSync(file, { force: true });
    // `down --volumes` empties run/; the lock was the last thing in it.
    dropRunDirIfEmpty(outDir);
  };
  // A command that exits without its finally (process.exit on a second Ctrl-C) lets go too.
  process.on('exit', release);
  return { holder, replaced, release };
}

function readLockFile(file: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

function busy(h: LockHolder, command: string, outArg: string): UsageError {
  const fix =
    h.command === 'drill'
      ? `wait until it ends, or stop it with \`kill -INT ${h.pid}\` (it brings back what it paused first)`
      : `wait until it ends, or stop it with \`kill -INT ${h.pid}\``;
  return new UsageError([
    {
      path: '--out',
      message: `${outArg} is in use by \`sentinel-compose ${h.command}\` (pid ${h.pid}, since ${timeOfDay(h.since)}); ${command} cannot run on it at the same time`,
      fix,
    },
  ]);
}

/** One line about a stale lock that was taken over, for the user. */
export function describeReplaced(h: LockHolder): string {
  return `\`sentinel-compose ${h.command}\` (pid ${h.pid}) ended without cleaning up (killed?); taking over its lock`;
}

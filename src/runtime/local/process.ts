/**
 * Detached processes that outlive the CLI, and signalling them only while they are still the
 * process we started. A pid alone can be reused by the kernel after its process exits, so every
 * start records the pid together with the process's start time (Linux: field 22 of
 * /proc/<pid>/stat; elsewhere `ps -o lstart=`), and every signal first checks that both still
 * match. redis-server rewrites its own argv (its title becomes `redis-server 127.0.0.1:6379`), so
 * the command line is not a stable identity; the start time is.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';

export interface ProcessRecord {
  pid: number;
  /** Opaque start-time stamp of that pid when we started it. */
  startTime: string;
  command: string;
  args: string[];
  /** Wall-clock ms when started. */
  startedAt: number;
}

/** The start-time stamp of a live pid, or null when no such process exists. */
export function processStartTime(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may contain spaces or ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[0] is field 3 (state); field 22 is starttime.
      return rest[19] ?? null;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() || null;
  } catch {
    return null;
  }
}

/** Linux process state letter (R, S, T = stopped, Z = zombie, ...), or null when unknown. */
export function processStateLetter(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'state=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim().charAt(0) || null;
  } catch {
    return null;
  }
}

/**
 * Whether the process identified by `pid` and its start time (null: not known) still runs, and
 * is not a later process that got the same pid: who holds a folder's lock, who paused a node.
 */
export function stillRunning(p: { pid: number; startTime: string | null }): boolean {
  const now = processStartTime(p.pid);
  if (now === null || (p.startTime !== null && now !== p.startTime)) return false;
  return processStateLetter(p.pid) !== 'Z';
}

/** This process, as stillRunning() identifies it. */
export function thisProcess(): { pid: number; startTime: string | null } {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

/** True while the recorded process is alive and is still the one we started (not a reused pid). */
export function isSameProcess(rec: ProcessRecord): boolean {
  const now = processStartTime(rec.pid);
  if (now === null || now !== rec.startTime) return false;
  // A zombie has exited; only its parent's wait() is pending.
  return processStateLetter(rec.pid) !== 'Z';
}

/**
 * Starts `command` in its own process group with stdout and stderr appended to `logFile`, and
 * lets it go: the CLI can exit and the process keeps running. It runs with umask 077 (through
 * `sh -c 'umask 077; exec ...'`, so the pid stays the command's): Redis and Sentinel rewrite
 * their config by writing a new file and renaming it, and that file may hold passwords.
 *
 * `record` is given the process's pid and start time before the command runs: the shell waits
 * for a "go" on its stdin, sent once `record` returned. A CLI killed outright (SIGKILL) in
 * between closes that pipe, and the shell exits without running the command, so nothing can be
 * left running that `down` does not know about.
 */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv; record?: (rec: ProcessRecord) => void },
): Promise<ProcessRecord> {
  const fd = openSync(opts.logFile, 'a', 0o600);
  return new Promise<ProcessRecord>((resolve, reject) => {
    let settled = false;
    const script = 'umask 077 && read -r go && [ "$go" = go ] && exec "$0" "$@" </dev/null';
    const child = spawn('/bin/sh', ['-c', script, command, ...args], {
      cwd: opts.cwd,
      detached: true,
      stdio: ['pipe', fd, fd],
      env: opts.env ?? process.env,
    });
    child.once('error', (err) => {
      closeSync(fd);
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    if (child.pid === undefined) return;
    const rec: ProcessRecord = { pid: child.pid, startTime: processStartTime(child.pid) ?? '', command, args, startedAt: Date.now() };
    try {
      opts.record?.(rec);
    } catch (err) {
      // Not recorded, so never run: the shell reads EOF and exits.
      child.stdin!.destroy();
      closeSync(fd);
      settled = true;
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    child.stdin!.end('go\n');
    child.once('spawn', () => {
      closeSync(fd);
      child.unref();
      settled = true;
      resolve(rec);
    });
  });
}

/**
 * Sends `signal` to the recorded process if it is still the one we started. Returns false (and
 * sends nothing) when it is gone or the pid now belongs to someone else.
 */
export function signalOwn(rec: ProcessRecord, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(rec)) return false;
  try {
    process.kill(rec.pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Waits until the recorded process is gone (or is no longer ours). */
export async function waitForExit(rec: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(rec)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isSameProcess(rec);
}

/**
 * Stops the process politely (SIGCONT first, since a paused process cannot handle SIGTERM), and
 * with SIGKILL when it does not exit within `graceMs`.
 */
export async function stopOwn(rec: ProcessRecord, graceMs = 5000): Promise<void> {
  if (!isSameProcess(rec)) return;
  signalOwn(rec, 'SIGCONT');
  signalOwn(rec, 'SIGTERM');
  if (await waitForExit(rec, graceMs)) return;
  signalOwn(rec, 'SIGKILL');
  await waitForExit(rec, 2000);
}

/** Finds an executable on PATH without running it. */
export function findOnPath(name: string, pathEnv = process.env.PATH ?? ''): string | null {
  for (const dir of pathEnv.split(':')) {
    if (!dir) continue;
    const candidate = `${dir}/${name}`;
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

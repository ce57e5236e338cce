/**
 * What this tool paused or killed and has not brought back yet, in `run/faults.json`. A drill
 * records each fault as it puts it in place and forgets it once healed, so that when the drill
 * dies without healing (SIGKILL, a crash, the machine going to sleep) the next `up`, `status`,
 * `drill` or `down` knows that a frozen master is the tool's doing and can bring it back, and
 * says so. Paused nodes are also found without the record (a stopped process, a paused
 * container); the record says who did it.
 *
 * The fault commands (`sentinel-compose pause`, `kill`) put a fault in place on purpose and end:
 * their record names the command, and it stands until `unpause` or `restart` (or `down`) undoes
 * it. Nothing resumes such a node on its own: the process that did it is gone by design, not
 * because it died half-way.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stillRunning, thisProcess } from './local/process.js';
import { ensureRunDir, runDir } from './state.js';

/** The commands that leave a fault in place on purpose, for the user to undo. */
export type FaultCommand = 'pause' | 'kill';

export interface Fault {
  service: string;
  kind: 'paused' | 'killed';
  /** Set when a fault command did it on purpose (see above); absent for a drill's faults, which it brings back itself. */
  command?: FaultCommand;
  /** A data node's role when a fault command took it down, as it said just before. */
  role?: 'master' | 'replica';
  /** Wall-clock ms. */
  at: number;
  /** The sentinel-compose process that put it in place. */
  by: { pid: number; startTime: string | null };
}

function faultsPath(outDir: string): string {
  return path.join(runDir(outDir), 'faults.json');
}

export function readFaults(outDir: string): Fault[] {
  try {
    const list = JSON.parse(readFileSync(faultsPath(outDir), 'utf8')) as Fault[];
    return Array.isArray(list) ? list.filter((f) => typeof f?.service === 'string') : [];
  } catch {
    return [];
  }
}

function writeFaults(outDir: string, list: Fault[]): void {
  const file = faultsPath(outDir);
  if (!list.length) {
    rmSync(file, { force: true });
    return;
  }
  ensureRunDir(outDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, file);
}

export function recordFault(outDir: string, service: string, kind: Fault['kind'], how: { command?: FaultCommand; role?: Fault['role'] } = {}): void {
  const fault: Fault = {
    service,
    kind,
    ...(how.command ? { command: how.command } : {}),
    ...(how.role ? { role: how.role } : {}),
    at: Date.now(),
    by: thisProcess(),
  };
  writeFaults(outDir, [...readFaults(outDir).filter((f) => f.service !== service), fault]);
}

export function clearFault(outDir: string, service: string): void {
  const list = readFaults(outDir);
  if (list.some((f) => f.service === service))
    writeFaults(
      outDir,
      list.filter((f) => f.service !== service),
    );
}

export function clearFaults(outDir: string): void {
  writeFaults(outDir, []);
}

/**
 * After a runtime's `up`: every record but those of services still paused (`up` starts what is not
 * running, and does not resume a node paused on purpose, see bring-up).
 */
export function clearFaultsExcept(outDir: string, stillPaused: readonly string[]): void {
  const list = readFaults(outDir);
  const kept = list.filter((f) => f.kind === 'paused' && stillPaused.includes(f.service));
  if (kept.length !== list.length) writeFaults(outDir, kept);
}

/** Whether the process that put the fault in place is still running (and so will heal it). */
export function faultOwnerAlive(f: Fault): boolean {
  return stillRunning(f.by);
}

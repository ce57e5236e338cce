/**
 * What this tool paused or killed and has not brought back yet, in `run/faults.json`. A drill
 * records each fault as it puts it in place and forgets it once healed, so that when the drill
 * dies without healing (SIGKILL, a crash, the machine going to sleep) the next `up`, `status`,
 * `drill` or `down` knows that a frozen master is the tool's doing and can bring it back, and
 * says so. Paused nodes are also found without the record (a stopped process, a paused
 * container); the record says who did it.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stillRunning, thisProcess } from './local/process.js';
import { ensureRunDir, runDir } from './state.js';

export interface Fault {
  service: string;
  kind: 'paused' | 'killed';
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

export function recordFault(outDir: string, service: string, kind: Fault['kind']): void {
  writeFaults(outDir, [...readFaults(outDir).filter((f) => f.service !== service), { service, kind, at: Date.now(), by: thisProcess() }]);
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

/** Whether the process that put the fault in place is still running (and so will heal it). */
export function faultOwnerAlive(f: Fault): boolean {
  return stillRunning(f.by);
}

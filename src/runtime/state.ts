/**
 * `DIR/run/state.json` remembers which runtime brought an output directory up, so that `status`,
 * `down` and `logs` use the same one without flags. `data/` and `run/` inside the output belong
 * to the runtime; render never touches them.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RuntimeKind } from './types.js';

export interface RunState {
  version: 1;
  runtime: RuntimeKind;
  project: string;
  /** Wall-clock ms of the `up` that wrote this. */
  startedAt: number;
  /** docker: the compose command that was used, e.g. ["docker-compose"] or ["docker", "compose"]. */
  compose?: string[];
  /**
   * `drill --up` when that drill started it (and means to take it down); absent when `up` did.
   * Found while no drill holds the folder's lock, it is what a drill that died left up.
   */
  startedBy?: 'drill --up';
}

export function runDir(outDir: string): string {
  return path.join(outDir, 'run');
}

/**
 * The run directory holds the local runtime's config copies (with passwords) and what identifies
 * the processes `down` will kill: private to the owner whatever the umask, also when an older
 * version created it wider.
 */
export function ensureRunDir(outDir: string): string {
  const dir = runDir(outDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export function dataDir(outDir: string): string {
  return path.join(outDir, 'data');
}

export function statePath(outDir: string): string {
  return path.join(runDir(outDir), 'state.json');
}

export function readState(outDir: string): RunState | null {
  let text: string;
  try {
    text = readFileSync(statePath(outDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as RunState;
    if (parsed && (parsed.runtime === 'docker' || parsed.runtime === 'local')) return parsed;
  } catch {
    /* a half-written or hand-edited file: treat as absent */
  }
  return null;
}

export function writeState(outDir: string, state: RunState): void {
  ensureRunDir(outDir);
  const file = statePath(outDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, file);
}

export function clearState(outDir: string): void {
  rmSync(statePath(outDir), { force: true });
}

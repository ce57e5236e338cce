/**
 * `DIR/run/state.json` remembers which runtime brought an output directory up, so that `status`,
 * `down` and `logs` use the same one without flags. `data/` and `run/` inside the output belong
 * to the runtime; render never touches them.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFilesAtomic } from '../common/files.js';
import { UsageError } from '../common/errors.js';
import { isOwned, leftIn, makeOwnedDir, OWNED_MARKER } from './owned.js';
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
  mkdirSync(outDir, { recursive: true });
  makeOwnedDir(outDir, ['run'], 0o700);
  // A run/ of someone else's (or a symlink) would get our pid files, and its mode changed.
  if (!isOwned(dir)) {
    throw new UsageError([
      {
        path: dir,
        message: `exists, and sentinel-compose did not create it (it has no ${OWNED_MARKER}); sentinel-compose keeps its process records there`,
        fix: 'move it away, or render into another --out',
      },
    ]);
  }
  chmodSync(dir, 0o700);
  return dir;
}

export function dataDir(outDir: string): string {
  return path.join(outDir, 'data');
}

/**
 * data/ (and data/<service>), created private and marked as the tool's where they did not exist:
 * a data/ that was already there (the user's, or Docker's) is used but never deleted.
 */
export function ensureDataDir(outDir: string, service?: string): string {
  return makeOwnedDir(outDir, ['data', ...(service ? [service] : [])], 0o700);
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
    if (parsed && (parsed.runtime === 'docker' || parsed.runtime === 'local' || parsed.runtime === 'swarm')) return parsed;
  } catch {
    /* a half-written or hand-edited file: treat as absent */
  }
  return null;
}

/** What `up` (or `drill --up`) records as it starts `runtime`: with Docker, the compose command it used. */
export function newRunState(runtime: { kind: RuntimeKind; compose?: { command: string[] } }, project: string, startedBy?: RunState['startedBy']): RunState {
  return {
    version: 1,
    runtime: runtime.kind,
    project,
    startedAt: Date.now(),
    ...(runtime.compose ? { compose: runtime.compose.command } : {}),
    ...(startedBy ? { startedBy } : {}),
  };
}

export function writeState(outDir: string, state: RunState): void {
  ensureRunDir(outDir);
  writeFilesAtomic([{ file: statePath(outDir), content: JSON.stringify(state, null, 2) + '\n', mode: 0o644 }], `recording the run in ${outDir}`);
}

export function clearState(outDir: string): void {
  rmSync(statePath(outDir), { force: true });
  dropRunDirIfEmpty(outDir);
}

/** After `down --volumes` nothing else is left in run/ but its marker: leave no trace. */
export function dropRunDirIfEmpty(outDir: string): void {
  const dir = runDir(outDir);
  if (isOwned(dir) && leftIn(dir).every((f) => f === OWNED_MARKER)) rmSync(dir, { recursive: true, force: true });
}

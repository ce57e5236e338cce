/**
 * The one answer to "is --out rendered, and is it what should run?", for everything that starts a
 * topology from a spec (`up`, `drill --up`, the library):
 *
 * - no topology.json in the folder: render the spec into it;
 * - rendered, and the spec renders to the same files: run it as it is;
 * - rendered, the spec changed since, nothing recorded as running from it, and every file still
 *   as that render wrote it: render again. Whoever edited the spec and starts the topology means
 *   the edited one; nothing of theirs is in the folder to lose;
 * - otherwise run the folder as it is and say why: a file changed by hand since it was rendered,
 *   or a file render did not write, is never overwritten unasked (`render` replaces them when
 *   asked), and a topology that is up is not re-configured under its running nodes;
 * - rendered and no spec file (or one that no longer loads or renders): run what was rendered.
 *
 * "Still as that render wrote it" is checked by rendering the folder's own topology.json and
 * secrets again: render is deterministic, so any difference is someone else's doing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkOutput, defaultSentinelBundle, readSecrets, renderFiles, writeOutput, type RenderedFile, type SentinelBundle } from '../../render/index.js';
import type { LoadedSpec } from '../../topology/load.js';
import type { Topology } from '../../topology/types.js';
import { loadRendered } from '../open.js';
import { readState } from '../state.js';
import { recordedRunIsLive } from './ports.js';

/** Where a topology comes from. */
export interface SpecSource {
  /** Reads and validates the spec (throws a UsageError naming the field); the built-in default when that is what the caller uses. */
  load(): LoadedSpec | Promise<LoadedSpec>;
  /** False when no spec file exists: a folder rendered already then runs as it is, without loading anything. */
  exists: boolean;
  /** How messages name the spec, e.g. `sentinel-compose.yaml`. */
  label: string;
}

export type OutputAction =
  /** Not rendered yet: the spec is rendered into it. */
  | 'render'
  /** Rendered from an earlier version of the spec and untouched since: rendered again. */
  | 'update'
  /** Run as it is. */
  | 'keep';

export interface OutputPlan {
  outDir: string;
  action: OutputAction;
  /** What will run: the spec's topology when rendering, the folder's otherwise. */
  topology: Topology;
  /** What is written for render and update. */
  files: RenderedFile[];
  /** render/update: one line saying what is written. keep: why the spec's changes are not applied (a warning), if they are not. */
  message?: string;
  /** keep: files in which the folder differs from what the spec renders to now. */
  differs: string[];
}

export interface OutputOptions {
  /** --out as the user wrote it, for messages; the absolute path otherwise. */
  outLabel?: string;
  /** The bundled sentinel to copy into sentinel-image/ (default: this package's build). */
  sentinelBundle?: string;
}

/** Decides what to do with `outDir` (see the top of this file); reads, never writes. */
export async function planOutput(outDir: string, spec: SpecSource, opts: OutputOptions = {}): Promise<OutputPlan> {
  const out = opts.outLabel ?? outDir;
  const bundle: SentinelBundle = { file: opts.sentinelBundle ?? defaultSentinelBundle() };
  if (!existsSync(path.join(outDir, 'topology.json'))) {
    const loaded = await spec.load();
    // A missing bundle is a MissingDependencyError here, before anything is written (whatever
    // the runtime: a folder is rendered once and may be run under Docker later).
    const files = renderFiles(loaded.topology, loaded.secrets, { specName: path.basename(loaded.file), sentinelBundle: bundle });
    return {
      outDir,
      action: 'render',
      topology: loaded.topology,
      files,
      differs: [],
      message: `rendered ${labelOf(loaded, spec)} into ${out} (${files.length} files)`,
    };
  }
  const keep = (message?: string, differs: string[] = []): OutputPlan => ({
    outDir,
    action: 'keep',
    topology: loadRendered(outDir).topology,
    files: [],
    differs,
    message,
  });
  if (!spec.exists) return keep();

  let loaded: LoadedSpec;
  let files: RenderedFile[];
  try {
    loaded = await spec.load();
    files = renderFiles(loaded.topology, loaded.secrets, { specName: path.basename(loaded.file), sentinelBundle: bundle });
  } catch (err) {
    // Say it, but run what was rendered: a spec may need variables only its render step had.
    return keep(`${spec.label} does not render now (${firstLine(err)}); running ${out} as it was rendered`);
  }
  const now = checkOutput(outDir, files);
  const differs = [...now.changed, ...now.missing];
  if (!differs.length) return keep();
  const label = labelOf(loaded, spec);
  const shown = list(differs);

  const state = readState(outDir);
  // Recorded as up and still running: not re-configured under its running nodes. A stale record
  // (nothing of it runs any more) is not up.
  if (state && recordedRunIsLive(outDir)) {
    return keep(
      `${out} is not what ${label} renders to now (${shown}), but it is recorded as up (${state.runtime}): running it as it is. ` +
        `\`sentinel-compose down --out ${out}\` and starting it again applies the change.`,
      differs,
    );
  }
  const touched = changedSinceRendered(outDir, path.basename(loaded.file), bundle);
  if (touched.length) {
    return keep(
      `${out} is not what ${label} renders to now (${shown}), and ${list(touched)} changed since it was rendered: running it as it is, so that nothing of yours is overwritten. ` +
        `\`sentinel-compose render --spec ${spec.label} --out ${out}\` replaces ${touched.length === 1 ? 'it' : 'them'} with what the spec renders to.`,
      differs,
    );
  }
  return {
    outDir,
    action: 'update',
    topology: loaded.topology,
    files,
    differs: [],
    message: `${label} changed since ${out} was rendered (${shown}): rendered it again`,
  };
}

/** Writes what the plan says (render, update); nothing for keep. */
export function applyOutput(plan: OutputPlan): void {
  if (plan.action !== 'keep') writeOutput(plan.outDir, plan.files);
}

/**
 * Files of `outDir` that are not as its last render wrote them (edited, added or removed by
 * someone else), found by rendering its own topology.json and .env again. When that cannot be
 * done (a folder from another version), every file counts as changed: nothing is overwritten.
 */
function changedSinceRendered(outDir: string, specName: string, bundle: SentinelBundle): string[] {
  try {
    const topology = JSON.parse(readFileSync(path.join(outDir, 'topology.json'), 'utf8')) as Topology;
    const before = renderFiles(topology, readSecrets(outDir), { specName, sentinelBundle: bundle });
    const c = checkOutput(outDir, before);
    return [...c.changed, ...c.missing, ...c.extra];
  } catch {
    return ['topology.json'];
  }
}

function labelOf(loaded: LoadedSpec, spec: SpecSource): string {
  return loaded.builtIn ? 'the built-in default' : spec.label;
}

function list(files: string[]): string {
  return files.slice(0, 3).join(', ') + (files.length > 3 ? `, and ${files.length - 3} more` : '');
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/**
 * Putting rendered files on disk without ever leaving a half-written folder: everything is
 * written to a temporary folder beside the target, which is then swapped in. `data/` and `run/`
 * belong to the runtime and are carried over untouched. A file in the target that the previous
 * render did not write (per its manifest) is the user's: render refuses unless `force`.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
  lstatSync,
} from 'node:fs';
import path from 'node:path';
import { mkdirp } from '../common/files.js';
import { placeError, UsageError } from '../common/errors.js';
import { MANIFEST_FILE, type RenderedFile } from './files.js';

/** Folders inside the output that belong to the runtime, never to render. */
export const RUNTIME_DIRS = ['data', 'run'] as const;

export const DEFAULT_OUT_DIR = 'out';

export interface WriteResult {
  outDir: string;
  written: string[];
  /** Files of an earlier render that this one no longer produces (removed). */
  removed: string[];
  /** Files render did not write, deleted because of `force`. */
  forced: string[];
}

export function writeOutput(outDir: string, files: RenderedFile[], opts: { force?: boolean } = {}): WriteResult {
  // A symlinked --out stays a symlink: the folder it points to is the one rendered.
  const abs = existsSync(outDir) ? realpathSync(path.resolve(outDir)) : path.resolve(outDir);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  let existing: string[] = [];
  let previous = new Set<string>();
  let mode: number | undefined;
  if (existsSync(abs)) {
    const st = statSync(abs);
    if (!st.isDirectory()) {
      throw new UsageError([{ path: '--out', value: outDir, message: 'exists and is not a directory', fix: 'choose another --out' }]);
    }
    mode = st.mode & 0o7777;
    existing = listFiles(abs);
    previous = readManifest(abs);
    // data/ and run/ are the runtime's only in a folder render made its own before: in any other
    // folder they are the user's, and would be carried into the output, then deleted by `down --volumes`.
    const theirs = lstatExists(path.join(abs, MANIFEST_FILE)) ? [] : RUNTIME_DIRS.filter((d) => lstatExists(path.join(abs, d)));
    if (theirs.length) {
      throw new UsageError([
        {
          path: '--out',
          value: outDir,
          message: `was not rendered into before, and holds ${theirs.map((d) => `${d}/`).join(' and ')}, which sentinel-compose uses for its own files`,
          fix: 'render into a new or empty folder (render never takes over or deletes a data/ or run/ it did not make, even with --force)',
        },
      ]);
    }
  }
  const foreign = existing.filter((f) => f !== MANIFEST_FILE && !previous.has(f));
  if (foreign.length && !opts.force) {
    const shown = foreign.slice(0, 10).join(', ') + (foreign.length > 10 ? `, and ${foreign.length - 10} more` : '');
    throw new UsageError([
      {
        path: '--out',
        value: outDir,
        message: `holds files that sentinel-compose did not write: ${shown}`,
        fix: 'choose an empty or new --out, move those files away, or pass --force to delete them (data/ and run/ are always kept)',
      },
    ]);
  }
  const newPaths = new Set(files.map((f) => f.path));

  // Whatever fails (a full disk, a read-only folder, --out a mount point), --out is left as it
  // was and nothing is left beside it.
  let madeParent: string | undefined;
  let tmp: string | undefined;
  try {
    madeParent = mkdirp(parent);
    tmp = mkdtempSync(path.join(parent, `.${base}.render-`));
    writeTree(tmp, files, mode);
    swapIn(tmp, abs);
  } catch (err) {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (madeParent && !existsSync(abs)) rmSync(madeParent, { recursive: true, force: true });
    throw placeError(err, `rendering into ${outDir}`, mode === undefined ? 'nothing was written' : `${outDir} is as it was`);
  }
  return {
    outDir: abs,
    written: files.map((f) => f.path),
    removed: [...previous].filter((f) => !newPaths.has(f) && existing.includes(f)),
    forced: foreign,
  };
}

function writeTree(tmp: string, files: RenderedFile[], mode: number | undefined): void {
  // mkdtemp makes 0700; the output is an ordinary folder (.env alone is private), or keeps the
  // mode of the folder it replaces.
  chmodSync(tmp, mode ?? 0o755 & ~process.umask());
  // One mkdir per folder and a chmod only where the umask changed the mode: rendering 50
  // masters writes ~330 files, and on a busy machine the system calls are most of the time.
  const umask = process.umask();
  const made = new Set<string>();
  for (const f of files) {
    const target = path.join(tmp, f.path);
    const parentDir = path.dirname(target);
    if (!made.has(parentDir)) {
      mkdirSync(parentDir, { recursive: true });
      made.add(parentDir);
    }
    writeFileSync(target, f.content, { mode: f.mode });
    if ((f.mode & ~umask) !== f.mode) chmodSync(target, f.mode);
  }
}

/** Puts the written folder in place of `abs`, carrying the runtime's folders over. */
function swapIn(tmp: string, abs: string): void {
  if (!existsSync(abs)) {
    renameSync(tmp, abs);
    return;
  }
  const parent = path.dirname(abs);
  const old = mkdtempSync(path.join(parent, `.${path.basename(abs)}.old-`));
  rmSync(old, { recursive: true });
  renameSync(abs, old);
  const moved: string[] = [];
  try {
    for (const dir of RUNTIME_DIRS) {
      if (lstatExists(path.join(old, dir))) {
        renameSync(path.join(old, dir), path.join(tmp, dir));
        moved.push(dir);
      }
    }
    renameSync(tmp, abs);
  } catch (err) {
    // Put everything back as it was: the old output with its runtime folders.
    for (const dir of moved) renameSync(path.join(tmp, dir), path.join(old, dir));
    if (!existsSync(abs)) renameSync(old, abs);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

export interface CheckResult {
  outDir: string;
  changed: string[];
  missing: string[];
  extra: string[];
}

/**
 * Compares a render with what is on disk, ignoring data/ and run/: contents, and the executable
 * bit (all that git keeps of a file's mode, so a fresh clone of committed output still matches).
 */
export function checkOutput(outDir: string, files: RenderedFile[]): CheckResult {
  const abs = path.resolve(outDir);
  const existing = existsSync(abs) && statSync(abs).isDirectory() ? listFiles(abs) : [];
  const have = new Set(existing);
  const changed: string[] = [];
  const missing: string[] = [];
  for (const f of files) {
    if (!have.has(f.path)) {
      missing.push(f.path);
      continue;
    }
    const file = path.join(abs, f.path);
    const onDisk = readFileSync(file);
    const want = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    if (!onDisk.equals(want) || (statSync(file).mode & 0o100) !== (f.mode & 0o100)) changed.push(f.path);
  }
  const rendered = new Set(files.map((f) => f.path));
  const extra = existing.filter((f) => !rendered.has(f));
  return { outDir: abs, changed, missing, extra };
}

/** Relative paths of every file under `dir`, except the runtime's folders. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (!rel && (RUNTIME_DIRS as readonly string[]).includes(entry.name)) continue;
      if (entry.isDirectory() && !lstatSync(path.join(dir, child)).isSymbolicLink()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** Also true for a symlink, dangling or not. */
function lstatExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function readManifest(dir: string): Set<string> {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return new Set();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { files?: unknown };
    return new Set(Array.isArray(parsed.files) ? parsed.files.filter((f): f is string => typeof f === 'string') : []);
  } catch {
    return new Set();
  }
}

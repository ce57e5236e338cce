/**
 * Writing a few files so that a full disk, a read-only folder or a crash never leaves one
 * half-written, nor some written and others not: each is written to a temporary file beside it,
 * and only once all are written are they renamed over their targets (renames need no space).
 * On failure the temporary files are removed and the targets are as they were.
 */
import { accessSync, constants, chmodSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { placeError, placeProblem, type Problem } from './errors.js';

export interface FileToWrite {
  file: string;
  content: string | Buffer;
  /** Default: the mode of the file it replaces, else 0644 less the umask. */
  mode?: number;
}

/** `doing` names the operation in errors ("writing the spec"). */
export function writeFilesAtomic(files: FileToWrite[], doing: string): void {
  const temps: { tmp: string; target: string }[] = [];
  let target = '';
  try {
    for (const f of files) {
      // A symlink stays one: the file it points to is replaced.
      target = existsSync(f.file) ? realpathSync(f.file) : path.resolve(f.file);
      const mode = f.mode ?? (existsSync(target) ? statSync(target).mode & 0o777 : 0o644 & ~process.umask());
      const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
      temps.push({ tmp, target });
      writeFileSync(tmp, f.content, { mode });
      chmodSync(tmp, mode);
    }
    for (const t of temps) renameSync(t.tmp, t.target);
  } catch (err) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    throw placeError(err, doing, 'nothing was changed', target);
  }
}

/**
 * For an output that is written only at the end of a long run (drill --report): a read-only
 * filesystem or a folder the user may not write is known before the run. `dir` need not exist
 * yet; the folder it would be created in is checked then. (A full disk is not known up front.)
 */
export function checkWritable(dir: string, flag: string): Problem | undefined {
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    accessSync(at, constants.W_OK);
    return undefined;
  } catch (err) {
    const known = placeProblem(err);
    return known ? { path: flag, value: dir, message: `cannot be written: ${known.why} (${at})`, fix: known.fix } : undefined;
  }
}

/**
 * `mkdir -p` that reports the real reason: Node's recursive mkdir says ENOENT where a level
 * cannot be made on a read-only filesystem. Returns the first folder it made, if any (to remove
 * again when what was to go inside could not be written).
 */
export function mkdirp(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
  return missing[0];
}

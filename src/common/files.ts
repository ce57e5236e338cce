/**
 * Files the user points at. Written so that a full disk, a read-only folder or a crash never
 * leaves one half-written, nor some written and others not; read so that a folder, a binary file
 * or one that never ends (`--spec /dev/zero`) is bad input, not a crash or a hang.
 */
import {
  accessSync,
  closeSync,
  constants,
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { placeError, placeProblem, UsageError, type Problem } from './errors.js';

export interface FileToWrite {
  file: string;
  content: string | Buffer;
  /** Default: the mode of the file it replaces, else 0644 less the umask. */
  mode?: number;
}

/**
 * Each file is written to a temporary file beside it (missing folders are made), and only once
 * all are written are they renamed over their targets (renames need no space). On failure the
 * temporary files and the folders made are removed, and the targets are as they were. `doing`
 * names the operation in errors ("writing the report into r").
 */
export function writeFilesAtomic(files: FileToWrite[], doing: string): void {
  const temps: { tmp: string; target: string }[] = [];
  const made: string[] = [];
  let target = '';
  try {
    for (const f of files) {
      // A symlink stays one: the file it points to is replaced.
      target = existsSync(f.file) ? realpathSync(f.file) : path.resolve(f.file);
      const dir = mkdirp(path.dirname(target));
      if (dir) made.push(dir);
      const mode = f.mode ?? (existsSync(target) ? statSync(target).mode & 0o777 : 0o644 & ~process.umask());
      const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
      temps.push({ tmp, target });
      writeFileSync(tmp, f.content, { mode });
      chmodSync(tmp, mode);
    }
    for (const t of temps) renameSync(t.tmp, t.target);
  } catch (err) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
    throw placeError(err, doing, 'nothing was written', target);
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

/** A spec or a scenario file is a few KiB: past this it is not one. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * Reads a text file the user named with `flag` (`what`: "a YAML spec"). Read in chunks up to
 * MAX_INPUT_BYTES, so that a pipe works (`--spec <(envsubst < spec.yaml)`) and an endless
 * device ends; anything that is not a text file of that size is a UsageError naming the flag.
 */
export function readInputFile(file: string, flag: string, what: string): string {
  const bad = (message: string, cause?: unknown) => new UsageError([{ path: flag, value: file, message, fix: `give the path of ${what}` }], { cause });
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw bad(`cannot be read: ${placeProblem(err)?.why ?? (err as Error).message}`, err);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw bad(code === 'EISDIR' ? 'is a folder' : `cannot be read: ${(err as Error).message}`, err);
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES) throw bad(`is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB, far more than ${what} holds`);
      chunks.push(chunk.subarray(0, n));
    }
    const data = Buffer.concat(chunks);
    if (data.includes(0)) throw bad('is not a text file (it holds NUL bytes; YAML is UTF-8 text)');
    return data.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

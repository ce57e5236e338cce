/**
 * Paths in sentinel.conf, resolved the way redis-sentinel 7.0 resolves them while it reads the
 * file. Redis chdir()s the moment it reads a `dir` line, so a relative path means "relative to the
 * directory in effect at that line": an `include` is opened from there (before any `dir`, from the
 * directory the sentinel was started in), a later `dir` is relative to the one before it, and
 * everything used once the file is read (scripts, logfile, pidfile) is relative to the last `dir`.
 * The parser does not chdir itself: it follows the directory as a value, and the program chdir()s
 * to the last one before it opens anything.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { globMatch } from '../server/glob.js';
import { strerror } from '../strerror.js';

/** The directory `dir <value>` changes to from `cwd`, or chdir's error text. */
export function resolveDir(cwd: string, value: string): { dir: string } | { error: string } {
  // chdir("") fails; path.resolve would quietly stay where it is.
  if (value === '') return { error: strerror({ code: 'ENOENT' }) };
  const dir = path.resolve(cwd, value);
  try {
    if (!statSync(dir).isDirectory()) return { error: strerror({ code: 'ENOTDIR' }) };
    accessSync(dir, constants.X_OK);
  } catch (err) {
    return { error: strerror(err) };
  }
  return { dir };
}

function hasWildcard(s: string): boolean {
  return /[*?[]/.test(s);
}

/**
 * The files `include <pattern>` reads, in order. Without wildcards: the one file (missing is an
 * error for the caller). With wildcards: every matching file in alphabetical order, as glob(3)
 * returns them — names starting with a dot only when the pattern's component does — and none at
 * all is fine (an empty conf.d/ is allowed).
 */
export function includeFiles(cwd: string, pattern: string): string[] {
  const abs = path.resolve(cwd, pattern);
  if (!hasWildcard(pattern)) return [abs];
  let found = [path.parse(abs).root];
  for (const part of abs.split(path.sep).filter(Boolean)) {
    const next: string[] = [];
    for (const base of found) {
      if (!hasWildcard(part)) {
        next.push(path.join(base, part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (globMatch(part, name)) next.push(path.join(base, name));
      }
    }
    found = next;
  }
  return found
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

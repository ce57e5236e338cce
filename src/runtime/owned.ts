/**
 * Which folders under an output directory sentinel-compose created, so that `down --volumes`
 * deletes those and nothing else. Each folder the tool creates gets a marker file at once; a
 * folder that was there before (the user's data/, one Docker made for a bind mount, a symlink to
 * somewhere else) never gets one, and is never deleted. A marker inside the folder moves with
 * it when render swaps the output in, and no record elsewhere can disagree with what is on disk.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { placeError } from '../common/errors.js';

export const OWNED_MARKER = '.sentinel-compose-owned';

const MARKER_TEXT = 'sentinel-compose created this folder: `sentinel-compose down --volumes` deletes it. A folder without this file is never deleted.\n';

/** A real folder (not a symlink to one) that carries the marker. */
export function isOwned(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory() && existsSync(path.join(dir, OWNED_MARKER));
  } catch {
    return false;
  }
}

/**
 * Creates `base/parts...` one level at a time (`base` must exist), marking each folder it
 * creates; folders already there are used as they are and stay unmarked. Returns the path.
 */
export function makeOwnedDir(base: string, parts: string[], mode = 0o755): string {
  let dir = base;
  for (const part of parts) {
    dir = path.join(dir, part);
    try {
      mkdirSync(dir, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw placeError(err, `creating ${dir}`);
    }
    try {
      writeFileSync(path.join(dir, OWNED_MARKER), MARKER_TEXT, { mode: 0o644 });
    } catch (err) {
      // Unmarked, it would never be deleted: leave nothing behind (a full disk, say).
      rmSync(dir, { recursive: true, force: true });
      throw placeError(err, `creating ${dir}`, 'it was removed again', path.join(dir, OWNED_MARKER));
    }
  }
  return dir;
}

/**
 * What `down --volumes` may delete at `dir`: the folder itself when it is the tool's (what lives
 * inside is the runtime's), otherwise only the tool's folders directly inside it. Never a
 * symlink: one is followed only to find folders the tool made behind it.
 */
export function ownedAt(dir: string): string[] {
  if (isOwned(dir)) return [dir];
  try {
    return readdirSync(dir)
      .map((name) => path.join(dir, name))
      .filter(isOwned);
  } catch {
    return [];
  }
}

/** What is left at `dir` (names) after the tool's folders were deleted: the user's, kept. */
export function leftIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

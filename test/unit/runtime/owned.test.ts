import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOwned, leftIn, makeOwnedDir, OWNED_MARKER, ownedAt } from '../../../src/runtime/owned.js';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'sc-owned-'));

describe('folders the tool created', () => {
  it('are marked level by level where they were made; folders that were there stay unmarked', () => {
    const out = fresh();
    mkdirSync(path.join(out, 'data'));
    const made = makeOwnedDir(out, ['data', 'redis-master'], 0o700);
    expect(made).toBe(path.join(out, 'data', 'redis-master'));
    expect(isOwned(path.join(out, 'data'))).toBe(false);
    expect(isOwned(made)).toBe(true);
    expect(readdirSync(made)).toEqual([OWNED_MARKER]);
    // Made again: nothing changes.
    makeOwnedDir(out, ['data', 'redis-master']);
    expect(isOwned(made)).toBe(true);
  });

  it("ownedAt: the folder when it is the tool's, else only the tool's folders inside it", () => {
    const out = fresh();
    makeOwnedDir(out, ['data', 'a']);
    expect(ownedAt(path.join(out, 'data'))).toEqual([path.join(out, 'data')]);

    const mine = fresh();
    mkdirSync(path.join(mine, 'data'));
    writeFileSync(path.join(mine, 'data', 'notes.txt'), 'x');
    mkdirSync(path.join(mine, 'data', 'photos'));
    makeOwnedDir(mine, ['data', 'redis-master']);
    expect(ownedAt(path.join(mine, 'data'))).toEqual([path.join(mine, 'data', 'redis-master')]);
    expect(ownedAt(path.join(mine, 'missing'))).toEqual([]);
    expect(leftIn(path.join(mine, 'data'))).toEqual(['notes.txt', 'photos', 'redis-master']);
  });

  it("a symlink is never the tool's, even to a folder the tool made; it is followed to find what the tool made behind it", () => {
    const elsewhere = fresh();
    makeOwnedDir(elsewhere, ['made-here']);
    writeFileSync(path.join(elsewhere, 'keep.txt'), 'x');
    const out = fresh();
    symlinkSync(elsewhere, path.join(out, 'data'));
    expect(isOwned(path.join(out, 'data'))).toBe(false);
    expect(ownedAt(path.join(out, 'data'))).toEqual([path.join(out, 'data', 'made-here')]);
    symlinkSync(path.join(elsewhere, 'made-here'), path.join(elsewhere, 'link-to-made'));
    expect(ownedAt(path.join(out, 'data'))).toEqual([path.join(out, 'data', 'made-here')]);
    expect(existsSync(path.join(elsewhere, 'keep.txt'))).toBe(true);
  });
});

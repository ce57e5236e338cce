import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { renderFiles } from '../../../src/render/files.js';
import { checkOutput, writeOutput } from '../../../src/render/output.js';
import { parseSpec } from '../../../src/topology/load.js';

const filesFor = (yaml: string) => {
  const l = parseSpec(yaml, { env: { PW: 'pw1' } });
  return renderFiles(l.topology, l.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } });
};
const fresh = () => mkdtempSync(path.join(tmpdir(), 'sc-out-'));

describe('writing the output', () => {
  it('writes every file with its mode, and nothing else beside the target', () => {
    const parent = fresh();
    const out = path.join(parent, 'out');
    const files = filesFor('auth: {password: "${PW}"}');
    writeOutput(out, files);
    for (const f of files) expect(readFileSync(path.join(out, f.path)).equals(Buffer.from(f.content))).toBe(true);
    expect(statSync(path.join(out, '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(out, 'bin/start.sh')).mode & 0o111).not.toBe(0);
    expect(readdirSync(parent)).toEqual(['out']); // no temp folders left behind
    expect(checkOutput(out, files)).toMatchObject({ changed: [], missing: [], extra: [] });
  });

  it('re-rendering keeps data/ and run/ untouched and removes files the new render no longer writes', () => {
    const out = path.join(fresh(), 'out');
    writeOutput(out, filesFor('masters: [{name: a, replicas: 2}]'));
    mkdirSync(path.join(out, 'data/redis-master'), { recursive: true });
    writeFileSync(path.join(out, 'data/redis-master/redis.conf'), 'runtime state');
    mkdirSync(path.join(out, 'run'));
    writeFileSync(path.join(out, 'run/pids.json'), '{}');
    const r = writeOutput(out, filesFor('masters: [{name: a, replicas: 1}]'));
    expect(readFileSync(path.join(out, 'data/redis-master/redis.conf'), 'utf8')).toBe('runtime state');
    expect(readFileSync(path.join(out, 'run/pids.json'), 'utf8')).toBe('{}');
    expect(existsSync(path.join(out, 'config/redis-replica-2'))).toBe(false);
    expect(r.removed).toEqual(['config/redis-replica-2/redis.conf']);
  });

  it('refuses to touch files it did not write, unless forced', () => {
    const out = path.join(fresh(), 'out');
    writeOutput(out, filesFor(''));
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const before = readFileSync(path.join(out, 'compose.yaml'), 'utf8');
    expect(() => writeOutput(out, filesFor('network: bridge'))).toThrow(UsageError);
    expect(() => writeOutput(out, filesFor('network: bridge'))).toThrow(/notes\.txt/);
    // Nothing was changed by the refused render.
    expect(readFileSync(path.join(out, 'compose.yaml'), 'utf8')).toBe(before);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
    const r = writeOutput(out, filesFor('network: bridge'), { force: true });
    expect(r.forced).toEqual(['notes.txt']);
    expect(existsSync(path.join(out, 'notes.txt'))).toBe(false);
  });

  it('refuses a non-empty folder without a manifest, and a file as --out', () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'compose.yaml'), 'hand-written');
    expect(() => writeOutput(dir, filesFor(''))).toThrow(/did not write: compose\.yaml/);
    expect(readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).toBe('hand-written');
    expect(() => writeOutput(path.join(dir, 'compose.yaml'), filesFor(''))).toThrow(/not a directory/);
  });

  it('never takes over a data/ or run/ of a folder it did not render into, even with --force', () => {
    for (const runtimeDir of ['data', 'run']) {
      const dir = fresh();
      mkdirSync(path.join(dir, runtimeDir));
      writeFileSync(path.join(dir, runtimeDir, 'mine.txt'), "the user's");
      for (const force of [false, true]) {
        expect(() => writeOutput(dir, filesFor(''), { force }), runtimeDir).toThrow(new RegExp(`holds ${runtimeDir}/, which sentinel-compose uses`));
      }
      expect(readdirSync(dir)).toEqual([runtimeDir]);
      expect(readFileSync(path.join(dir, runtimeDir, 'mine.txt'), 'utf8')).toBe("the user's");
      expect(readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`.${path.basename(dir)}.`))).toEqual([]);
    }
    // A symlink named data counts too, dangling or not.
    const dir = fresh();
    symlinkSync('/nonexistent-sc-target', path.join(dir, 'data'));
    expect(() => writeOutput(dir, filesFor(''))).toThrow(/holds data\//);
  });

  it('a symlinked --out stays a symlink (its target is rendered), and an existing folder keeps its mode', () => {
    const parent = fresh();
    const target = path.join(parent, 'real');
    mkdirSync(target, { mode: 0o700 });
    chmodSync(target, 0o700);
    symlinkSync(target, path.join(parent, 'link'));
    writeOutput(path.join(parent, 'link'), filesFor(''));
    expect(lstatSync(path.join(parent, 'link')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(target, 'compose.yaml'))).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    writeOutput(path.join(parent, 'link'), filesFor('network: bridge'));
    expect(lstatSync(path.join(parent, 'link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(target, 'compose.yaml'), 'utf8')).not.toContain('network_mode: host');
  });

  it('--check lists changed, missing and extra files', () => {
    const out = path.join(fresh(), 'out');
    const files = filesFor('');
    writeOutput(out, files);
    writeFileSync(path.join(out, 'compose.yaml'), 'edited');
    writeFileSync(path.join(out, 'extra.txt'), 'x');
    mkdirSync(path.join(out, 'data'));
    writeFileSync(path.join(out, 'data/ignored'), 'x');
    const r = checkOutput(out, filesFor('masters: [{name: mymaster, replicas: 3}]'));
    expect(r.changed).toEqual(expect.arrayContaining(['compose.yaml', 'topology.json']));
    expect(r.missing).toEqual(['config/redis-replica-3/redis.conf']);
    expect(r.extra).toEqual(['extra.txt']);
    expect(checkOutput(path.join(out, 'nope'), files).missing).toHaveLength(files.length);
  });
});

describe('readSecrets', () => {
  it('reads the passwords back from a rendered .env, and nothing when there are none', async () => {
    const { readSecrets } = await import('../../../src/render/secrets.js');
    const out = path.join(fresh(), 'out');
    const l = parseSpec('auth: {password: "${PW}", sentinel-password: "${SPW}"}', { env: { PW: 'a-1', SPW: 'b-2' } });
    writeOutput(out, renderFiles(l.topology, l.secrets, { specName: 's', sentinelBundle: { placeholder: true } }));
    expect(readSecrets(out)).toEqual({ redisPassword: 'a-1', sentinelPassword: 'b-2' });
    const plain = path.join(fresh(), 'out');
    writeOutput(plain, filesFor(''));
    expect(readSecrets(plain)).toEqual({});
    expect(readSecrets(path.join(fresh(), 'missing'))).toEqual({});
  });
});

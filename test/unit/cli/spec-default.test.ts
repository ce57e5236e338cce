import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { createOutput } from '../../../src/common/log.js';
import { loadSpecOrDefault } from '../../../src/cli/options.js';
import type { CommandContext } from '../../../src/cli/registry.js';

function ctxIn(cwd: string): CommandContext & { infos: string[] } {
  const infos: string[] = [];
  const out = { ...createOutput({ color: false }), info: (t: string) => infos.push(t), warn: (t: string) => infos.push(t) };
  return { out, cwd, infos, result: () => undefined };
}

describe('the spec for up and drill --up', () => {
  it('is the built-in seed topology when the default spec file does not exist, and says so', async () => {
    const ctx = ctxIn(mkdtempSync(path.join(tmpdir(), 'sc-spec-default-')));
    const loaded = await loadSpecOrDefault('sentinel-compose.yaml', ctx);
    expect(loaded.builtIn).toBe(true);
    expect(loaded.topology.masters.map((m) => [m.name, m.quorum, m.nodes.length])).toEqual([['mymaster', 2, 3]]);
    expect(loaded.topology.sentinels).toHaveLength(3);
    expect(loaded.topology.network).toBe('host');
    expect(ctx.infos.join('\n')).toContain('built-in default');
  });

  it('is the file when it exists', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-spec-default-'));
    writeFileSync(path.join(dir, 'sentinel-compose.yaml'), 'masters:\n  - name: orders\n');
    const loaded = await loadSpecOrDefault('sentinel-compose.yaml', ctxIn(dir));
    expect(loaded.builtIn).toBeUndefined();
    expect(loaded.topology.masters[0]!.name).toBe('orders');
  });

  it('is an error for a spec named explicitly that does not exist', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-spec-default-'));
    await expect(loadSpecOrDefault('mine.yaml', ctxIn(dir))).rejects.toBeInstanceOf(UsageError);
  });
});

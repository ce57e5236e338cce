import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingDependencyError, UsageError } from '../../../src/common/errors.js';
import { loadRendered, selectRuntime, type RenderedDir } from '../../../src/runtime/open.js';
import type { EngineProbe } from '../../../src/runtime/compose/engine.js';
import { parseSpec } from '../../../src/topology/load.js';

function dir(network: 'host' | 'bridge'): RenderedDir {
  const topology = parseSpec(`version: 1\nproject: p\nnetwork: ${network}\nsentinels:\n  implementation: redis\n`).topology;
  return { outDir: mkdtempSync(path.join(tmpdir(), 'sc-sel-')), topology, secrets: {} };
}

const noEngine = async (): Promise<EngineProbe> => ({ ok: false, reason: 'docker info failed: Cannot connect to the Docker daemon', notInstalled: false });
const noBridge = async (): Promise<EngineProbe> => ({ ok: true, info: { serverVersion: '20.10', desktop: false, bridge: false } });
const desktop = async (): Promise<EngineProbe> => ({ ok: true, info: { serverVersion: '27.0', desktop: true, bridge: true } });

describe('--runtime auto', () => {
  it('falls back to local processes and says why', async () => {
    const a = await selectRuntime(dir('host'), 'auto', { probe: noEngine });
    expect(a.runtime.kind).toBe('local');
    expect(a.reason).toContain('no Docker engine answers');
    const b = await selectRuntime(dir('bridge'), 'auto', { probe: noBridge });
    expect(b.runtime.kind).toBe('local');
    expect(b.reason).toContain('no bridge network');
    const c = await selectRuntime(dir('host'), 'auto', { probe: desktop });
    expect(c.runtime.kind).toBe('local');
    expect(c.reason).toContain('Docker Desktop');
  });

  it('when neither can run, says what to install', async () => {
    const err = await selectRuntime(dir('host'), 'auto', { probe: noEngine, pathEnv: '/nonexistent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as Error).message).toMatch(/Neither runtime can run p: no Docker engine answers .*redis-server/);
    expect((err as Error).message).toContain('apt-get install -y redis-server redis-sentinel');
  });

  it('--runtime docker without an engine says what to install or start', async () => {
    const err = await selectRuntime(dir('host'), 'docker', { probe: noEngine }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as Error).message).toMatch(/apt-get install -y docker.io docker-compose.*--runtime local/s);
    const bridge = await selectRuntime(dir('bridge'), 'docker', { probe: noBridge }).catch((e: unknown) => e);
    expect((bridge as Error).message).toContain('network: host');
  });
});

describe('loadRendered', () => {
  it('a folder that was not rendered is a usage error naming --out and the fix', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'sc-empty-'));
    expect(() => loadRendered(empty)).toThrow(UsageError);
    expect(() => loadRendered(empty)).toThrow(/--out: is not a rendered folder.*sentinel-compose render/s);
    expect(() => loadRendered(path.join(empty, 'nope'))).toThrow(/does not exist/);
  });
});

/**
 * What `up` renders for `ports: auto`: the chosen ports in compose.yaml (published ports in
 * bridge mode), in every redis.conf and sentinel.conf, and in topology.json, as a folder that
 * `docker-compose config` accepts, so that running it by hand works too. A topology that is up
 * keeps its ports without choosing anything.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { renderFiles, writeOutput } from '../../../src/render/index.js';
import type { PortSource } from '../../../src/runtime/auto-ports.js';
import type { SpecSource } from '../../../src/runtime/bring-up/output.js';
import { withAutoPorts } from '../../../src/runtime/bring-up/ports.js';
import { newRunState, writeState } from '../../../src/runtime/state.js';
import { parseSpec } from '../../../src/topology/load.js';
import { allNodes, type Topology } from '../../../src/topology/types.js';
import { thisProcess } from '../../../src/runtime/local/process.js';
import { composeSchemaErrors } from '../../helpers/compose-schema.js';
import { removeDir, tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function specSource(yaml: string): SpecSource {
  return { exists: true, label: 'spec.yaml', load: () => ({ ...parseSpec(yaml, { env: {} }), file: 'spec.yaml' }) };
}

/** Hands out 40001, 40002, ...; every port free; reservations only remembered. */
function counting(): PortSource {
  let next = 40001;
  return { isFree: async () => true, candidate: () => next++, reserve: () => true, unreserve: () => {} };
}

/** Process records of `services` (default: every node) naming this live process. */
function recordRunning(out: string, services?: string[]): void {
  const t = JSON.parse(readFileSync(path.join(out, 'topology.json'), 'utf8')) as Topology;
  for (const n of allNodes(t)) {
    if (services && !services.includes(n.service)) continue;
    mkdirSync(path.join(out, 'run', n.service), { recursive: true });
    const me = thisProcess();
    writeFileSync(path.join(out, 'run', n.service, 'process.json'), JSON.stringify({ ...me, command: 'test', args: [], startedAt: Date.now() }));
  }
}

const read = (out: string, f: string) => readFileSync(path.join(out, f), 'utf8');

async function upRender(yaml: string, source: PortSource = counting()): Promise<string> {
  const out = path.join(tempDir('sc-auto-render-'), 'out');
  dirs.push(path.dirname(out));
  const auto = withAutoPorts(specSource(yaml), out, { source });
  const loaded = await auto.spec.load();
  const files = renderFiles(loaded.topology, loaded.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } });
  writeOutput(out, files);
  auto.release();
  return out;
}

describe('up renders the ports it chose for ports: auto', () => {
  it('host mode: listening ports in redis.conf and sentinel.conf, monitor and replicaof at the chosen ports', async () => {
    const out = await upRender('ports: auto\nsentinels: {implementation: redis}');
    const t = JSON.parse(read(out, 'topology.json')) as Topology;
    expect(t.ports).toEqual({ redis: true, sentinel: true });
    expect(t.masters[0]!.nodes.map((n) => n.port)).toEqual([40001, 40002, 40003]);
    expect(t.sentinels.map((n) => n.port)).toEqual([40004, 40005, 40006]);
    expect(read(out, 'config/redis-master/redis.conf')).toMatch(/^port 40001$/m);
    expect(read(out, 'config/redis-replica-2/redis.conf')).toMatch(/^replicaof 127\.0\.0\.1 40001$/m);
    const sentinel = read(out, 'config/redis-sentinel-2/sentinel.conf');
    expect(sentinel).toMatch(/^port 40005$/m);
    expect(sentinel).toMatch(/^sentinel monitor mymaster 127\.0\.0\.1 40001 2$/m);
    expect(composeSchemaErrors(read(out, 'compose.yaml'))).toEqual([]);
  });

  it('bridge mode: published ports and announce ports are the chosen ones; docker-compose config accepts it', async () => {
    const out = await upRender('network: bridge\nports: {redis: auto, sentinel: 26379}\nsentinels: {implementation: redis}');
    const compose = parse(read(out, 'compose.yaml')) as { services: Record<string, { ports?: string[] }> };
    expect(compose.services['redis-master']!.ports).toEqual(['40001:6379']);
    expect(compose.services['redis-replica-1']!.ports).toEqual(['40002:6379']);
    expect(compose.services['redis-sentinel-1']!.ports).toEqual(['26379:26379']);
    expect(read(out, 'config/redis-replica-1/redis.conf')).toMatch(/^replica-announce-port 40002$/m);
    expect(read(out, 'config/redis-sentinel-1/sentinel.conf')).toMatch(/^sentinel monitor mymaster \$\{SC_ANNOUNCE_HOST\} 40001 2$/m);
    expect(composeSchemaErrors(read(out, 'compose.yaml'))).toEqual([]);
    if (existsSync('/usr/bin/docker-compose') || existsSync('/usr/local/bin/docker-compose')) {
      const config = execFileSync('docker-compose', ['config'], { cwd: out, encoding: 'utf8' });
      expect(config).toMatch(/published: 40001|40001:6379/);
    }
  });

  it('a topology recorded as up keeps its ports: nothing is chosen', async () => {
    const out = await upRender('ports: auto\nsentinels: {implementation: redis}');
    writeState(out, newRunState({ kind: 'local' }, 'sentinel-compose'));
    // Every node runs: its process record names a live process (this one will do).
    recordRunning(out);
    const none: PortSource = {
      isFree: async () => false,
      candidate: () => {
        throw new Error('chose a port');
      },
      reserve: () => false,
      unreserve: () => {},
    };
    const auto = withAutoPorts(specSource('ports: auto\nsentinels: {implementation: redis}'), out, { source: none });
    const loaded = await auto.spec.load();
    expect(loaded.topology.masters[0]!.nodes[0]!.port).toBe(40001);
    expect(auto.choice).toBeNull();
  });

  it('recorded as up but nothing runs (a reboot, kill -9): a recorded port taken since moves instead of failing every up', async () => {
    const out = await upRender('ports: auto\nsentinels: {implementation: redis}');
    writeState(out, newRunState({ kind: 'local' }, 'sentinel-compose'));
    // No process records: the run/state.json is stale. 40002 is held by another program.
    let next = 41000;
    const source: PortSource = { isFree: async (p) => p !== 40002, candidate: () => next++, reserve: () => true, unreserve: () => {} };
    const moved: string[] = [];
    const auto = withAutoPorts(specSource('ports: auto\nsentinels: {implementation: redis}'), out, { source, onMoved: (l) => moved.push(l) });
    const loaded = await auto.spec.load();
    expect(loaded.topology.masters[0]!.nodes.map((n) => n.port)).toEqual([40001, 41000, 40003]);
    expect(moved).toEqual(['redis-replica-1: port 40002 is taken now; it gets 41000 instead (ports: auto)']);
    expect(auto.choice).not.toBeNull();
  });

  it('recorded as up and partly running: its ports are kept (up starts the missing nodes where they were)', async () => {
    const out = await upRender('ports: auto\nsentinels: {implementation: redis}');
    writeState(out, newRunState({ kind: 'local' }, 'sentinel-compose'));
    recordRunning(out, ['redis-master']);
    const source: PortSource = { isFree: async () => false, candidate: () => 41000, reserve: () => true, unreserve: () => {} };
    const auto = withAutoPorts(specSource('ports: auto\nsentinels: {implementation: redis}'), out, { source });
    const loaded = await auto.spec.load();
    expect(loaded.topology.masters[0]!.nodes.map((n) => n.port)).toEqual([40001, 40002, 40003]);
    expect(auto.choice).toBeNull();
  });

  it('a stopped topology keeps its free ports and reports the ones that moved', async () => {
    const out = await upRender('ports: auto\nsentinels: {implementation: redis}');
    let next = 41000;
    const source: PortSource = { isFree: async (p) => p !== 40002, candidate: () => next++, reserve: () => true, unreserve: () => {} };
    const moved: string[] = [];
    const auto = withAutoPorts(specSource('ports: auto\nsentinels: {implementation: redis}'), out, { source, onMoved: (l) => moved.push(l) });
    const loaded = await auto.spec.load();
    expect(loaded.topology.masters[0]!.nodes.map((n) => n.port)).toEqual([40001, 41000, 40003]);
    expect(moved).toEqual(['redis-replica-1: port 40002 is taken now; it gets 41000 instead (ports: auto)']);
  });
});

describe('a folder only render wrote', () => {
  it('its stand-in default ports are not kept: up chooses', async () => {
    const out = path.join(tempDir('sc-auto-render-'), 'out');
    dirs.push(path.dirname(out));
    const l = parseSpec('ports: auto\nsentinels: {implementation: redis}', { env: {} });
    writeOutput(out, renderFiles(l.topology, l.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } }));
    const auto = withAutoPorts(specSource('ports: auto\nsentinels: {implementation: redis}'), out, { source: counting() });
    const loaded = await auto.spec.load();
    expect(loaded.topology.masters[0]!.nodes[0]!.port).toBe(40001);
    expect(auto.choice?.moved).toEqual([]);
  });
});

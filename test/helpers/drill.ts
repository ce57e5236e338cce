/**
 * Drill tests run real topologies made the way users make them: a spec (YAML) through the spec
 * loader, configs through render, processes through the local runtime. Ports are blocks of
 * consecutive free ports below the ephemeral range (a restarted node must find its port free).
 */
import net from 'node:net';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { renderNodeConfig } from '../../src/render/index.js';
import { LocalRuntime } from '../../src/runtime/local/runtime.js';
import { parseSpec } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';
import { repoRoot, tempDir } from './procs.js';

export const bundledSentinelBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel', 'main.js'));
export const BUNDLED_SKIP_REASON = 'the bundled sentinel is not built yet (dist/sentinel/main.js)';

const taken = new Set<number>();

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** The first of `n` consecutive free ports in 20000-32000 (below Linux's ephemeral range). */
export async function freePortBlock(n: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (12000 - n));
    const ports = Array.from({ length: n }, (_, i) => base + i);
    if (ports.some((p) => taken.has(p))) continue;
    const free = await Promise.all(ports.map((p) => portFree(p, host)));
    if (free.every(Boolean)) {
      for (const p of ports) taken.add(p);
      return base;
    }
  }
  throw new Error(`no block of ${n} free ports on ${host}`);
}

export interface DrillSpecOptions {
  project?: string;
  groups?: string[];
  replicas?: number;
  sentinels?: number;
  implementation?: 'redis' | 'bundled';
  downAfterMs?: number;
  password?: boolean;
}

/** A host-mode spec on free ports, with drill-friendly (short) sentinel timings. */
export async function drillSpecYaml(o: DrillSpecOptions = {}): Promise<string> {
  const groups = o.groups ?? ['mymaster'];
  const replicas = o.replicas ?? 2;
  const sentinels = o.sentinels ?? 3;
  const redisBase = await freePortBlock(groups.length * (replicas + 1));
  const sentinelBase = await freePortBlock(sentinels);
  const lines = [
    'version: 1',
    `project: ${o.project ?? `drill-${Math.random().toString(36).slice(2, 8)}`}`,
    'network: host',
    'masters:',
    ...groups.flatMap((g) => [`  - name: ${g}`, `    replicas: ${replicas}`]),
    'sentinels:',
    `  count: ${sentinels}`,
    `  implementation: ${o.implementation ?? 'redis'}`,
    `  down-after-milliseconds: ${o.downAfterMs ?? 1000}`,
    '  failover-timeout: 20000',
    'redis:',
    '  persistence: none',
    'ports:',
    `  redis: ${redisBase}`,
    `  sentinel: ${sentinelBase}`,
  ];
  if (o.password) lines.push('auth:', '  password: ${REDIS_PASSWORD}', '  sentinel-password: ${SENTINEL_PASSWORD}');
  return lines.join('\n') + '\n';
}

export interface LocalTopology {
  runtime: LocalRuntime;
  topology: Topology;
  outDir: string;
  secrets: { redisPassword?: string; sentinelPassword?: string };
}

/** Parses a spec, and opens (does not start) the local runtime on a fresh output folder. */
export async function localTopology(o: DrillSpecOptions = {}): Promise<LocalTopology> {
  const yaml = await drillSpecYaml(o);
  const env = o.password ? { REDIS_PASSWORD: 'drill-secret-1', SENTINEL_PASSWORD: 'drill-secret-2' } : {};
  const loaded = parseSpec(yaml, { env });
  const outDir = tempDir('sc-drill-');
  const topology = loaded.topology;
  const secrets = loaded.secrets;
  const runtime = new LocalRuntime({ outDir, topology, configFor: (n) => renderNodeConfig(topology, n.service, 'local', secrets) });
  return { runtime, topology, outDir, secrets };
}

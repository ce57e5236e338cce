/**
 * The 'local' variant of renderNodeConfig runs for real: redis-server and redis-sentinel
 * processes on loopback, replicating, discovering each other at the right addresses, and
 * failing over. Bridge mode puts every node on its own 127.x.y.N with the standard ports.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/retry.js';

const until = (what: string, ok: () => Promise<boolean>, timeoutMs: number) =>
  waitUntil(what, async () => ((await ok()) ? [] : [what]), { timeoutMs, intervalMs: 250 });
import { renderNodeConfig } from '../../src/render/node-config.js';
import { parseSpec } from '../../src/topology/load.js';
import { allNodes, type Topology } from '../../src/topology/types.js';
import { freeServicePortBlock } from '../helpers/ports.js';
import { startProgram, stopAll, tempDir, type Proc } from '../helpers/procs.js';

afterEach(stopAll);

const PW = 'local-pw_1';
const SPW = 'local-spw_2';

async function startAll(t: Topology, secrets: { redisPassword?: string; sentinelPassword?: string }): Promise<Map<string, Proc>> {
  const procs = new Map<string, Proc>();
  for (const node of allNodes(t)) {
    const dir = tempDir(`sc-${node.service}-`);
    const conf = renderNodeConfig(t, node.service, 'local', secrets);
    const file = path.join(dir, conf.fileName);
    writeFileSync(file, conf.content, { mode: 0o600 });
    const [cmd, args] = node.kind === 'redis' ? ['redis-server', [file, '--dir', dir]] : ['redis-sentinel', [file]];
    procs.set(node.service, await startProgram(node.service, cmd, args, { host: node.local.host, port: node.local.port, dir }));
  }
  return procs;
}

function client(host: string, port: number, password?: string): Redis {
  return new Redis({ host, port, password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
}

async function sentinelView(t: Topology, password?: string) {
  const s = t.sentinels[0]!;
  const c = client(s.local.host, s.local.port, password);
  try {
    await c.connect();
    const master = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', t.masters[0]!.name)) as string[];
    const replicas = (await c.call('SENTINEL', 'REPLICAS', t.masters[0]!.name)) as string[][];
    const sentinels = (await c.call('SENTINEL', 'SENTINELS', t.masters[0]!.name)) as string[][];
    const field = (arr: string[], k: string) => arr[arr.indexOf(k) + 1];
    return {
      master: `${master[0]}:${master[1]}`,
      replicas: replicas.map((r) => `${field(r, 'ip')}:${field(r, 'port')}`).sort(),
      sentinels: sentinels.map((r) => `${field(r, 'ip')}:${field(r, 'port')}`).sort(),
      flags: replicas.map((r) => field(r, 'flags')),
    };
  } finally {
    c.disconnect();
  }
}

describe('local-process configs with real redis-server and redis-sentinel', () => {
  it('host mode: one address, distinct ports; replication, discovery and a failover', async () => {
    const base = await freeServicePortBlock(3);
    const sbase = await freeServicePortBlock(3);
    const t = parseSpec(
      `ports: {redis: ${base}, sentinel: ${sbase}}\nsentinels: {implementation: redis, down-after-milliseconds: 1000, failover-timeout: 10000}\nauth: {password: "\${PW}", sentinel-password: "\${SPW}"}`,
      { env: { PW, SPW } },
    ).topology;
    const procs = await startAll(t, { redisPassword: PW, sentinelPassword: SPW });
    const addr = (svc: string) => {
      const n = allNodes(t).find((x) => x.service === svc)!;
      return `${n.local.host}:${n.local.port}`;
    };
    await until(
      'sentinels discover both replicas and each other',
      async () => {
        const v = await sentinelView(t, SPW);
        return v.replicas.length === 2 && v.sentinels.length === 2 && v.flags.every((f) => f === 'slave');
      },
      20_000,
    );
    const v = await sentinelView(t, SPW);
    expect(v.master).toBe(addr('redis-master'));
    expect(v.replicas).toEqual([addr('redis-replica-1'), addr('redis-replica-2')].sort());
    expect(v.sentinels).toEqual([addr('redis-sentinel-2'), addr('redis-sentinel-3')].sort());

    procs.get('redis-master')!.pause();
    await until('a failover away from the paused master', async () => (await sentinelView(t, SPW)).master !== addr('redis-master'), 30_000);
    expect([addr('redis-replica-1'), addr('redis-replica-2')]).toContain((await sentinelView(t, SPW)).master);
  });

  it('bridge mode: every node on its own loopback address with the standard ports, announcing it', async () => {
    const t = parseSpec('network: bridge\nsentinels: {implementation: redis, down-after-milliseconds: 1000, failover-timeout: 10000}', { env: {} }).topology;
    // Move the topology to a random 127.x.y.0/24 so that parallel test runs on this machine do
    // not meet on 127.0.0.N:6379.
    const x = 100 + Math.floor(Math.random() * 150);
    const y = Math.floor(Math.random() * 250);
    for (const n of allNodes(t)) n.local.host = n.local.host.replace(/^127\.0\.0\./, `127.${x}.${y}.`);
    const procs = await startAll(t, {});
    const addr = (svc: string) => `${allNodes(t).find((n) => n.service === svc)!.local.host}:${svc.includes('sentinel') ? 26379 : 6379}`;
    await until(
      'sentinels discover replicas and each other',
      async () => {
        const v = await sentinelView(t);
        return v.replicas.length === 2 && v.sentinels.length === 2;
      },
      20_000,
    );
    const v = await sentinelView(t);
    // Without the announce settings these would be 127.0.0.1 (the connections' source address).
    expect(v.master).toBe(addr('redis-master'));
    expect(v.replicas).toEqual([addr('redis-replica-1'), addr('redis-replica-2')].sort());
    expect(v.sentinels).toEqual([addr('redis-sentinel-2'), addr('redis-sentinel-3')].sort());
    procs.get('redis-master')!.pause();
    await until('a failover away from the paused master', async () => (await sentinelView(t)).master !== addr('redis-master'), 30_000);
  });
});

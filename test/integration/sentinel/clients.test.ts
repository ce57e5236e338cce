/**
 * Unmodified Sentinel-aware clients — ioredis (`sentinels`), node-redis (`createSentinel`) and
 * redis-py (`redis.sentinel.Sentinel`, Debian's python3-redis) — find the master and the replicas
 * through the TypeScript sentinels exactly as through redis-sentinel, and can write.
 */
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/procs.js';
import { startTopology, waitDiscovered, type Impl, type Topology } from './topology.js';

const topologies = new Map<Impl, Topology>();

beforeAll(async () => {
  const [r, b] = await Promise.all([
    startTopology({ sentinels: ['redis', 'redis', 'redis'] }),
    startTopology({ sentinels: ['bundled', 'bundled', 'bundled'] }),
  ]);
  topologies.set('redis', r);
  topologies.set('bundled', b);
  await Promise.all([waitDiscovered(r), waitDiscovered(b)]);
}, 90_000);

afterAll(async () => {
  for (const t of topologies.values()) t.events.close();
  await stopAll();
});

const ports = (t: Topology) => ({ master: t.master.port, replicas: t.replicas.map((r) => r.port).sort() });

describe.each(['redis', 'bundled'] as const)('clients through %s sentinels', (impl) => {
  it('ioredis finds the master and a replica', async () => {
    const t = topologies.get(impl)!;
    const sentinels = t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
    const master = new Redis({ sentinels, name: 'mymaster', lazyConnect: true });
    const replica = new Redis({ sentinels, name: 'mymaster', role: 'slave', lazyConnect: true });
    try {
      await master.connect();
      await master.set('client-test', impl);
      const info = await master.info('server');
      expect(Number(/tcp_port:(\d+)/.exec(info)![1])).toBe(t.master.port);
      await replica.connect();
      const rinfo = await replica.info('server');
      expect(ports(t).replicas).toContain(Number(/tcp_port:(\d+)/.exec(rinfo)![1]));
    } finally {
      master.disconnect();
      replica.disconnect();
    }
  });

  it('node-redis createSentinel finds the master and the replicas', async () => {
    const t = topologies.get(impl)!;
    const s = createSentinel({
      name: 'mymaster',
      sentinelRootNodes: t.sentinels.map((x) => ({ host: '127.0.0.1', port: x.port })),
      replicaPoolSize: 1,
    });
    s.on('error', () => {});
    await s.connect();
    try {
      await s.set('client-test', impl);
      expect(await s.get('client-test')).toBe(impl);
      expect(s.getMasterNode()).toEqual({ host: '127.0.0.1', port: t.master.port });
      const reps = [...s.getReplicaNodes().keys()].map((n) => n.port).sort();
      expect(reps).toEqual(ports(t).replicas);
    } finally {
      await s.close();
    }
  });

  it("redis-py's Sentinel discovers the master and the replicas", () => {
    const t = topologies.get(impl)!;
    const script = `
import json, sys
from redis.sentinel import Sentinel
s = Sentinel([('127.0.0.1', int(p)) for p in sys.argv[1:]], socket_timeout=2)
m = s.discover_master('mymaster')
reps = s.discover_slaves('mymaster')
c = s.master_for('mymaster', socket_timeout=2)
c.set('client-test', 'py')
print(json.dumps({'master': list(m), 'replicas': sorted([list(r) for r in reps]), 'get': c.get('client-test').decode()}))
`;
    const out = execFileSync('/usr/bin/python3', ['-c', script, ...t.sentinels.map((s) => String(s.port))], { encoding: 'utf8', timeout: 20_000 });
    const r = JSON.parse(out);
    expect(r.master).toEqual(['127.0.0.1', t.master.port]);
    expect(r.replicas).toEqual(ports(t).replicas.map((p) => ['127.0.0.1', p]));
    expect(r.get).toBe('py');
  });
});

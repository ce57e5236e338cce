/**
 * Small resolved topologies for runtime tests, on free loopback addresses, and the local-target
 * configs for them.
 *
 * TEMPORARY: `localConfig` stands in for render's `renderNodeConfig(t, service, 'local', secrets)`
 * until the spec branch is merged; then the runtime tests render real specs instead.
 */
import type { MasterGroup, RedisNode, SentinelImplementation, SentinelNode, Topology, TopologyNode } from '../../src/topology/types.js';
import type { NodeConfig } from '../../src/runtime/types.js';
import { freeServicePort } from './ports.js';

export interface TestTopologyOptions {
  project?: string;
  network: 'host' | 'bridge';
  implementation: SentinelImplementation;
  replicas?: number;
  sentinels?: number;
  downAfterMs?: number;
}

/** A random 127.x.y.0 block per call, so that parallel bridge-mode tests do not collide on 6379. */
function loopbackBlock(): string {
  const x = 100 + Math.floor(Math.random() * 150);
  const y = Math.floor(Math.random() * 250);
  return `127.${x}.${y}`;
}

export async function testTopology(o: TestTopologyOptions): Promise<Topology> {
  const replicas = o.replicas ?? 2;
  const sentinelCount = o.sentinels ?? 3;
  const block = loopbackBlock();
  let n = 1;
  const place = async (standard: number): Promise<{ host: string; port: number }> => {
    if (o.network === 'bridge') return { host: `${block}.${++n}`, port: standard };
    return { host: '127.0.0.1', port: await freeServicePort('127.0.0.1') };
  };
  const nodes: RedisNode[] = [];
  for (let i = 0; i <= replicas; i++) {
    const local = await place(6379);
    nodes.push({
      kind: 'redis',
      service: i === 0 ? 'redis-master' : `redis-replica-${i}`,
      group: 'mymaster',
      initialRole: i === 0 ? 'master' : 'replica',
      index: i,
      replicaPriority: 100,
      port: local.port,
      hostPort: local.port,
      bind: [local.host],
      announce: null,
      local,
    });
  }
  const sentinels: SentinelNode[] = [];
  for (let i = 1; i <= sentinelCount; i++) {
    const local = await place(26379);
    sentinels.push({ kind: 'sentinel', service: `redis-sentinel-${i}`, index: i, port: local.port, hostPort: local.port, bind: [local.host], announce: null, local });
  }
  const group: MasterGroup = {
    name: 'mymaster',
    quorum: 2,
    downAfterMs: o.downAfterMs ?? 5000,
    failoverTimeoutMs: 60_000,
    parallelSyncs: 1,
    persistence: 'none',
    minReplicasToWrite: 0,
    minReplicasMaxLag: 10,
    nodes,
  };
  return {
    version: 1,
    project: o.project ?? `rt-${o.network}-${o.implementation}`,
    network: o.network,
    timezone: null,
    images: { redis: 'redis:7.0', node: 'node:20-bookworm-slim', sentinel: 'sentinel-compose-sentinel:test' },
    auth: { redisPassword: false, sentinelPassword: false, redisPasswordVar: 'REDIS_PASSWORD', sentinelPasswordVar: 'SENTINEL_PASSWORD' },
    clientHost: '127.0.0.1',
    masters: [group],
    sentinels,
    sentinel: { implementation: o.implementation },
  };
}

/** TEMPORARY stand-in for render's local-target configs (see the header). */
export function localConfig(t: Topology, node: TopologyNode): NodeConfig {
  const bridge = t.network === 'bridge';
  if (node.kind === 'redis') {
    const group = t.masters.find((m) => m.name === node.group)!;
    const master = group.nodes[0]!;
    const lines = [
      `port ${node.local.port}`,
      `bind ${node.local.host}`,
      'protected-mode no',
      'save ""',
      'appendonly no',
      `replica-priority ${node.replicaPriority}`,
      ...(bridge ? [`replica-announce-ip ${node.local.host}`] : []),
      ...(node.initialRole === 'replica' ? [`replicaof ${master.local.host} ${master.local.port}`] : []),
    ];
    return { fileName: 'redis.conf', content: lines.join('\n') + '\n' };
  }
  const lines = [`port ${node.local.port}`, `bind ${node.local.host}`, ...(bridge ? [`sentinel announce-ip ${node.local.host}`] : [])];
  for (const g of t.masters) {
    const m = g.nodes[0]!;
    lines.push(
      `sentinel monitor ${g.name} ${m.local.host} ${m.local.port} ${g.quorum}`,
      `sentinel down-after-milliseconds ${g.name} ${g.downAfterMs}`,
      `sentinel failover-timeout ${g.name} ${g.failoverTimeoutMs}`,
      `sentinel parallel-syncs ${g.name} ${g.parallelSyncs}`,
    );
  }
  return { fileName: 'sentinel.conf', content: lines.join('\n') + '\n' };
}

/**
 * Topologies for runtime tests, from real specs through the real loader and resolver, on free
 * loopback ports (host mode) or on a random 127.x.y.0 block (bridge mode: render puts local
 * nodes on 127.0.0.2.., which parallel tests would share).
 */
import { parseSpec } from '../../src/topology/load.js';
import type { Secrets } from '../../src/topology/load.js';
import { allNodes, type SentinelImplementation, type Topology } from '../../src/topology/types.js';
import { freeServicePortBlock } from './ports.js';

export interface TestSpecOptions {
  project: string;
  network: 'host' | 'bridge';
  implementation: SentinelImplementation;
  replicas?: number;
  sentinels?: number;
  password?: string;
  sentinelPassword?: string;
  /** Extra YAML appended to the spec. */
  extra?: string;
}

export interface TestTopology {
  topology: Topology;
  secrets: Secrets;
  specText: string;
}

export async function testSpecText(o: TestSpecOptions): Promise<string> {
  const replicas = o.replicas ?? 2;
  const sentinels = o.sentinels ?? 3;
  const redisBase = await freeServicePortBlock(replicas + 1);
  const sentinelBase = await freeServicePortBlock(sentinels);
  return (
    [
      'version: 1',
      `project: ${o.project}`,
      `network: ${o.network}`,
      'masters:',
      '  - name: mymaster',
      `    replicas: ${replicas}`,
      '    quorum: 2',
      'sentinels:',
      `  count: ${sentinels}`,
      `  implementation: ${o.implementation}`,
      '  down-after-milliseconds: 5000',
      'redis:',
      '  persistence: none',
      'ports:',
      `  redis: ${redisBase}`,
      `  sentinel: ${sentinelBase}`,
      ...(o.password || o.sentinelPassword
        ? [
            'auth:',
            ...(o.password ? ['  password: ${TEST_REDIS_PASSWORD}'] : []),
            ...(o.sentinelPassword ? ['  sentinel-password: ${TEST_SENTINEL_PASSWORD}'] : []),
          ]
        : []),
      ...(o.extra ? [o.extra] : []),
    ].join('\n') + '\n'
  );
}

export async function testTopology(o: TestSpecOptions): Promise<TestTopology> {
  const specText = await testSpecText(o);
  const loaded = parseSpec(specText, { env: { TEST_REDIS_PASSWORD: o.password, TEST_SENTINEL_PASSWORD: o.sentinelPassword } });
  const topology = loaded.topology;
  if (topology.network === 'bridge') {
    const x = 100 + Math.floor(Math.random() * 150);
    const y = Math.floor(Math.random() * 250);
    allNodes(topology).forEach((n, i) => (n.local = { host: `127.${x}.${y}.${i + 2}`, port: n.local.port }));
  }
  return { topology, secrets: loaded.secrets, specText };
}

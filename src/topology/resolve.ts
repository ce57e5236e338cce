/**
 * Spec -> Topology: every node with its service name, ports and addresses. Pure and
 * deterministic: the same spec gives the same topology, which is what makes renders
 * byte-identical.
 */
import { DEFAULTS, majorityOf } from './defaults.js';
import { placeServices, type PlacementInput } from './swarm.js';
import { loopbackAddress, masterService, replicaService, sentinelService } from './naming.js';
import type { Spec } from './spec.js';
import type { MasterGroup, RedisNode, SentinelNode, SwarmInfo, Topology } from './types.js';

/**
 * `ports`: the host ports `up` chose for the nodes of `auto` ranges (runtime/auto-ports.ts), by
 * service. Without it (render), an auto range takes consecutive stand-in ports like a fixed one.
 */
export function resolveTopology(spec: Spec, ports?: ReadonlyMap<string, number>): Topology {
  const host = spec.network === 'host';
  const single = spec.masters.length === 1;
  const dataCount = spec.masters.reduce((n, m) => n + 1 + m.replicas, 0);
  const { redis: redisBase, sentinel: sentinelBase } = standInBases(spec, dataCount);
  let nextDataPort = redisBase;
  let nextLoopback = 2;
  // Where /etc/hosts names localhost both ::1 and 127.0.0.1 (Debian's default), it resolves to ::1
  // first, and redis-server, redis-sentinel and most clients try only the first address: nodes
  // known as localhost listen on both (render makes ::1 optional, for machines without IPv6).
  const hostBind = spec.announce === 'localhost' && spec.bind !== '::' ? [spec.bind, '::1'] : [spec.bind];

  const place = (service: string, auto: boolean, standIn: number, standard: number) => {
    const hostPort = (auto && ports?.get(service)) || standIn;
    const port = host ? hostPort : standard;
    // Local bridge mode: an auto port is the one this node listens on at its own 127.0.0.N too, so
    // that two such topologies side by side do not both want 127.0.0.2:6379.
    const local = host ? { host: '127.0.0.1', port } : { host: loopbackAddress(nextLoopback++), port: auto ? hostPort : standard };
    return {
      port,
      hostPort,
      bind: host ? hostBind : ['0.0.0.0'],
      // Bridge mode: the address and published port a client outside the network can use.
      announce: host ? null : { ip: spec.announce, port: hostPort },
      local,
    };
  };

  const masters: MasterGroup[] = spec.masters.map((m) => {
    const nodes: RedisNode[] = [];
    for (let i = 0; i <= m.replicas; i++) {
      const service = i === 0 ? masterService(m.name, single) : replicaService(m.name, single, i);
      nodes.push({
        kind: 'redis',
        service,
        group: m.name,
        initialRole: i === 0 ? 'master' : 'replica',
        index: i,
        replicaPriority: i === 0 ? DEFAULTS.replicaPriority : m.replicaPriorities[i - 1]!,
        ...place(service, spec.ports.auto.redis, nextDataPort++, DEFAULTS.standardRedisPort),
      });
    }
    return {
      name: m.name,
      quorum: m.quorum,
      downAfterMs: m.downAfterMs,
      failoverTimeoutMs: m.failoverTimeoutMs,
      parallelSyncs: m.parallelSyncs,
      persistence: m.persistence,
      minReplicasToWrite: m.minReplicasToWrite,
      minReplicasMaxLag: m.minReplicasMaxLag,
      nodes,
    };
  });

  const sentinels: SentinelNode[] = [];
  for (let i = 1; i <= spec.sentinels.count; i++) {
    sentinels.push({
      kind: 'sentinel',
      service: sentinelService(i),
      index: i,
      ...place(sentinelService(i), spec.ports.auto.sentinel, sentinelBase + i - 1, DEFAULTS.standardSentinelPort),
    });
  }

  const bindsAll = spec.bind === '0.0.0.0' || spec.bind === '::';
  return {
    version: 1,
    project: spec.project,
    network: spec.network,
    timezone: spec.timezone,
    images: { ...spec.images },
    auth: {
      redisPassword: spec.auth.password !== undefined,
      sentinelPassword: spec.auth.sentinelPassword !== undefined,
      redisPasswordVar: DEFAULTS.redisPasswordVar,
      sentinelPasswordVar: DEFAULTS.sentinelPasswordVar,
      dataUser: spec.auth.user ? { name: spec.auth.user.name, passwordVar: DEFAULTS.dataUserPasswordVar } : null,
      sentinelUser: spec.auth.sentinelUser ? { name: spec.auth.sentinelUser.name, passwordVar: DEFAULTS.sentinelUserPasswordVar } : null,
    },
    // Host mode: what the nodes are known by. Bridge mode: published ports, reachable on loopback
    // unless they are published on one specific address.
    clientHost: host ? spec.announce : bindsAll ? '127.0.0.1' : spec.bind,
    // Only when something is auto: topology.json of a fixed-port spec stays as it always was.
    ...(spec.ports.auto.redis || spec.ports.auto.sentinel ? { ports: { ...spec.ports.auto } } : {}),
    masters,
    sentinels,
    sentinel: { implementation: spec.sentinels.implementation },
    ...(spec.swarm ? { swarm: swarmInfo(spec, masters, sentinels) } : {}),
  };
}

function swarmInfo(spec: Spec, masters: MasterGroup[], sentinels: SentinelNode[]): SwarmInfo {
  const { network, nodes } = spec.swarm!;
  const { nodeOf } = placeServices(placementInput(spec, masters, sentinels), nodes);
  return { network, nodes: nodes.map((n) => ({ ...n })), placement: nodeOf };
}

/** What placement spreads: the services of each group and the sentinels. */
function placementInput(spec: Pick<Spec, 'masters' | 'sentinels'>, masters: MasterGroup[], sentinels: SentinelNode[]): PlacementInput {
  return {
    groups: masters.map((g) => ({ name: g.name, services: g.nodes.map((n) => n.service) })),
    sentinels: sentinels.map((s) => s.service),
    sentinelsNeeded: Math.max(majorityOf(spec.sentinels.count), ...spec.masters.map((m) => m.quorum)),
  };
}

/** An auto range's stand-in ports start past the fixed range they would otherwise overlap. */
function standInBases(spec: Spec, dataCount: number): { redis: number; sentinel: number } {
  const { redis, sentinel, auto } = spec.ports;
  const overlap = (a: number, an: number, b: number, bn: number) => a < b + bn && b < a + an;
  if (auto.redis && !auto.sentinel && overlap(redis, dataCount, sentinel, spec.sentinels.count)) return { redis: sentinel + spec.sentinels.count, sentinel };
  if (auto.sentinel && !auto.redis && overlap(sentinel, spec.sentinels.count, redis, dataCount)) return { redis, sentinel: redis + dataCount };
  return { redis, sentinel };
}

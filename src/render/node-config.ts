/**
 * redis.conf and sentinel.conf for one node, for two targets:
 * - `compose`: addresses as the containers see them; secrets and the bridge-mode announce
 *   address are `${NAME}` references that the container's start.sh fills in from the
 *   environment (which compose takes from .env), so the rendered files hold no secret.
 * - `local`: the local-process runtime. Every address is the node's loopback address
 *   (`node.local`), secrets are inline (the runtime writes such files 0600), and `dir` is left
 *   out: the runtime passes it on the command line.
 */
import net from 'node:net';
import { DEFAULTS } from '../topology/defaults.js';
import type { MasterGroup, Persistence, RedisNode, SentinelNode, Topology } from '../topology/types.js';
import { renderTemplate } from './templates.js';

/**
 * `swarm`: the configs of stack.yaml (./swarm.ts). Every node listens on its published port and
 * announces its swarm node's address with it, so that what the sentinels hand out works from
 * outside the swarm; secrets are `${NAME}` references, as for compose.
 */
export type RenderTarget = 'compose' | 'local' | 'swarm';

export interface NodeSecrets {
  redisPassword?: string;
  sentinelPassword?: string;
  /** auth.user's password (the sentinels' ACL user on the data nodes). */
  dataUserPassword?: string;
  /** auth.sentinel-user's password (the sentinels' ACL user on each other). */
  sentinelUserPassword?: string;
}

/**
 * What Sentinel sends to a data node, as Redis's documentation lists it: MULTI/EXEC around
 * SLAVEOF, CONFIG REWRITE and CLIENT KILL during a promotion, PING, INFO, ROLE, CLIENT SETNAME,
 * SCRIPT KILL for a busy script, and PUBLISH/SUBSCRIBE on the hello channel only.
 */
export const SENTINEL_DATA_USER_RULES =
  'resetchannels &__sentinel__:hello -@all +multi +exec +slaveof +ping +info +role +subscribe +publish +config|rewrite +client|setname +client|kill +script|kill';

/**
 * What sentinels send to each other: PING, hello messages by PUBLISH, votes (SENTINEL
 * IS-MASTER-DOWN-BY-ADDR) and CLIENT SETNAME when they connect.
 */
export const SENTINEL_PEER_USER_RULES = 'resetchannels &__sentinel__:hello -@all +ping +publish +client|setname +sentinel|is-master-down-by-addr';

export interface NodeConfig {
  fileName: 'redis.conf' | 'sentinel.conf';
  content: string;
}

const ref = (name: string) => `\${${name}}`;

export function renderNodeConfig(topology: Topology, service: string, target: RenderTarget, secrets: NodeSecrets = {}): NodeConfig {
  for (const group of topology.masters) {
    const node = group.nodes.find((n) => n.service === service);
    if (node) return { fileName: 'redis.conf', content: redisConf(topology, group, node, target, secrets) };
  }
  const sentinel = topology.sentinels.find((s) => s.service === service);
  if (sentinel) return { fileName: 'sentinel.conf', content: sentinelConf(topology, sentinel, target, secrets) };
  const known = [...topology.masters.flatMap((m) => m.nodes.map((n) => n.service)), ...topology.sentinels.map((s) => s.service)];
  throw new Error(`renderNodeConfig: no service "${service}" in the topology (services: ${known.join(', ')})`);
}

/** Where other nodes (and sentinels) reach a data node, in the given target. */
export function reachableAddress(topology: Topology, node: RedisNode | SentinelNode, target: RenderTarget): { host: string; port: number } {
  if (target === 'local') return { ...node.local };
  if (target === 'swarm') return swarmAddress(topology, node);
  if (topology.network === 'bridge') return { host: ref(DEFAULTS.announceVar), port: node.hostPort };
  return { host: topology.clientHost, port: node.port };
}

/** Swarm: the address of the node a service is pinned to, with the port it publishes there. */
export function swarmAddress(topology: Topology, node: RedisNode | SentinelNode): { host: string; port: number } {
  const name = topology.swarm?.placement[node.service];
  const swarmNode = topology.swarm?.nodes.find((n) => n.name === name);
  if (!swarmNode) throw new Error(`renderNodeConfig: ${node.service} has no swarm node (the topology has no swarm section)`);
  return { host: swarmNode.address, port: node.hostPort };
}

function announceFor(topology: Topology, node: RedisNode | SentinelNode, target: RenderTarget): { ip: string; port: number } | null {
  if (target === 'swarm') {
    const a = swarmAddress(topology, node);
    return { ip: a.host, port: a.port };
  }
  if (topology.network !== 'bridge') return null;
  // Local bridge mode: each node has its own 127.0.0.N, but connections leave from 127.0.0.1, so
  // without announcing, masters and sentinels would record the wrong address.
  return target === 'local' ? { ip: node.local.host, port: node.local.port } : { ip: ref(DEFAULTS.announceVar), port: node.hostPort };
}

function secretValue(target: RenderTarget, varName: string, value: string | undefined, enabled: boolean): string | null {
  if (!enabled) return null;
  if (target !== 'local') return `"${ref(varName)}"`;
  if (value === undefined) throw new Error(`renderNodeConfig: the topology uses ${varName} but no value was given`);
  return `"${value}"`;
}

function persistenceLines(p: Persistence): { name: string; lines: string[] } {
  switch (p) {
    case 'none':
      return { name: 'none (a restarted node comes back empty and resynchronises)', lines: ['save ""', 'appendonly no'] };
    case 'rdb':
      return { name: 'RDB snapshots', lines: ['save 3600 1 300 100 60 10000', 'appendonly no', 'dbfilename dump.rdb'] };
    case 'aof':
      return { name: 'append-only file, fsync every second', lines: ['save ""', 'appendonly yes', 'appendfsync everysec'] };
  }
}

/**
 * Protected mode (Redis refuses clients from outside loopback while the default user has no
 * password) stays on unless the nodes themselves must reach each other over a non-loopback
 * address without a password: bridge mode (through the gateway), or host mode announcing a
 * non-loopback address. With a password it changes nothing, so it stays on there too.
 */
function protectedModeOff(topology: Topology, target: RenderTarget, hasPassword: boolean): boolean {
  if (target === 'local' || hasPassword) return false;
  if (topology.network === 'bridge' || target === 'swarm') return true;
  return !/^(127\.|::1$|localhost$)/.test(topology.clientHost);
}

function commonNotes(target: RenderTarget): string[] {
  if (target === 'swarm') {
    return [
      'Docker Swarm (stack.yaml): a Docker config; start.sh copies it to /data, filling in the dollar-brace',
      "references from the service's Docker secrets. The address announced is the swarm node's, with the published port.",
    ];
  }
  return target === 'compose'
    ? ['start.sh copies this file to /data, filling in the dollar-brace references from the environment (.env).']
    : ['For the local-process runtime: addresses are loopback, dir comes from the command line.'];
}

function redisConf(topology: Topology, group: MasterGroup, node: RedisNode, target: RenderTarget, secrets: NodeSecrets): string {
  const master = group.nodes[0]!;
  const local = target === 'local';
  const bind = local ? [node.local.host] : topology.network === 'bridge' || target === 'swarm' ? ['0.0.0.0'] : node.bind;
  return renderTemplate('redis.conf.hbs', {
    service: node.service,
    isMaster: node.initialRole === 'master',
    index: node.index,
    group: group.name,
    notes: commonNotes(target),
    bind: bindLine(bind),
    port: local ? node.local.port : target === 'swarm' ? node.hostPort : node.port,
    protectedModeOff: protectedModeOff(topology, target, topology.auth.redisPassword),
    dir: local ? null : '/data',
    persistence: persistenceLines(group.persistence),
    replicaof: node.initialRole === 'replica' ? reachableAddress(topology, master, target) : null,
    replicaPriority: node.replicaPriority,
    announce: announceFor(topology, node, target),
    minReplicasToWrite: group.minReplicasToWrite,
    minReplicasMaxLag: group.minReplicasMaxLag,
    password: secretValue(target, topology.auth.redisPasswordVar, secrets.redisPassword, topology.auth.redisPassword),
    dataUser: topology.auth.dataUser
      ? {
          name: topology.auth.dataUser.name,
          password: bare(secretValue(target, topology.auth.dataUser.passwordVar, secrets.dataUserPassword, true)!),
          rules: SENTINEL_DATA_USER_RULES,
        }
      : null,
  });
}

/** `-::1`: optional, as in Redis's own default config: without IPv6 there is no ::1 to bind. */
function bindLine(addresses: string[]): string {
  return addresses.map((a) => (a === '::1' ? '-::1' : a)).join(' ');
}

/** A `user` line takes the password as `>pass` in one token: no surrounding quotes. */
function bare(quoted: string): string {
  return quoted.replace(/^"|"$/g, '');
}

function sentinelConf(topology: Topology, node: SentinelNode, target: RenderTarget, secrets: NodeSecrets): string {
  const local = target === 'local';
  const bind = local ? [node.local.host] : topology.network === 'bridge' || target === 'swarm' ? ['0.0.0.0'] : node.bind;
  const masters = topology.masters.map((g) => {
    const addr = reachableAddress(topology, g.nodes[0]!, target);
    return {
      name: g.name,
      host: addr.host,
      port: addr.port,
      quorum: g.quorum,
      downAfterMs: g.downAfterMs,
      failoverTimeoutMs: g.failoverTimeoutMs,
      parallelSyncs: g.parallelSyncs,
    };
  });
  return renderTemplate('sentinel.conf.hbs', {
    service: node.service,
    index: node.index,
    count: topology.sentinels.length,
    masterNames: topology.masters.map((m) => m.name).join(', '),
    notes: commonNotes(target),
    bind: bindLine(bind),
    port: local ? node.local.port : target === 'swarm' ? node.hostPort : node.port,
    protectedModeOff: protectedModeOff(topology, target, topology.auth.sentinelPassword),
    dir: local ? null : '/data',
    // Bridge mode announces ${SC_ANNOUNCE_HOST}, which may be a name (host.docker.internal).
    resolveHostnames:
      target === 'swarm'
        ? (topology.swarm?.nodes.some((n) => net.isIP(n.address) === 0) ?? false)
        : !local && (topology.network === 'bridge' || net.isIP(topology.clientHost) === 0),
    announce: announceFor(topology, node, target),
    sentinelPassword: secretValue(target, topology.auth.sentinelPasswordVar, secrets.sentinelPassword, topology.auth.sentinelPassword),
    // With an ACL user the sentinels log in as it; otherwise as the default user.
    redisPassword: topology.auth.dataUser
      ? secretValue(target, topology.auth.dataUser.passwordVar, secrets.dataUserPassword, true)
      : secretValue(target, topology.auth.redisPasswordVar, secrets.redisPassword, topology.auth.redisPassword),
    dataUserName: topology.auth.dataUser?.name ?? null,
    peerUser: topology.auth.sentinelUser
      ? {
          name: topology.auth.sentinelUser.name,
          password: secretValue(target, topology.auth.sentinelUser.passwordVar, secrets.sentinelUserPassword, true),
          bare: bare(secretValue(target, topology.auth.sentinelUser.passwordVar, secrets.sentinelUserPassword, true)!),
          rules: SENTINEL_PEER_USER_RULES,
        }
      : null,
    masters,
  });
}

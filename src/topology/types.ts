/**
 * The resolved topology: every node with its role, service name, ports and addresses, computed
 * once from the spec. render, runtime and drill all work from this, and render writes it to
 * `topology.json` for users' scripts. It never holds a secret: only whether auth is on and the
 * name of the `.env` variable that holds it.
 */

import type { SwarmNodeSpec } from './swarm.js';

export type NetworkMode = 'host' | 'bridge';
export type SentinelImplementation = 'bundled' | 'redis';
export type Persistence = 'none' | 'rdb' | 'aof';

export interface Topology {
  /** Format version of topology.json. */
  version: 1;
  /** Compose project name (DNS-safe); also names local run directories. */
  project: string;
  network: NetworkMode;
  timezone: string | null;
  images: {
    /** Image for redis-server (and redis-sentinel when implementation is `redis`). */
    redis: string;
    /** Base image the bundled sentinel image is built from. */
    node: string;
    /** Tag of the bundled sentinel image that compose builds. */
    sentinel: string;
    /**
     * Image of the short-lived helper containers that cut network links for partition drills
     * (needs iptables). Absent in a topology.json written before it existed: the default.
     */
    nettools?: string;
  };
  auth: AuthInfo;
  /** Address a client on the host uses to reach published ports (bridge) or nodes (host). */
  clientHost: string;
  /**
   * Which port ranges are `auto` in the spec: `up` chose their nodes' host ports (and keeps them
   * across restarts while they stay free). Missing in a topology.json from before it existed: fixed.
   */
  ports?: { redis: boolean; sentinel: boolean };
  masters: MasterGroup[];
  sentinels: SentinelNode[];
  sentinel: SentinelSettings;
  /** The spec's swarm section, with where each service runs (render writes stack.yaml from it). */
  swarm?: SwarmInfo;
}

export interface SwarmInfo {
  /** The overlay network's name in the stack file. */
  network: string;
  nodes: SwarmNodeSpec[];
  /** service -> the swarm node (its name) the service is pinned to. */
  placement: Record<string, string>;
}

export interface AuthInfo {
  /** requirepass/masterauth on data nodes; sentinels use it as auth-pass. */
  redisPassword: boolean;
  /** requirepass on the sentinels themselves (and sentinel-pass between them). */
  sentinelPassword: boolean;
  /** Names of the `.env` variables holding the secrets. */
  redisPasswordVar: string;
  sentinelPasswordVar: string;
  /**
   * An ACL user on every data node with only the permissions Sentinel needs; the sentinels log
   * in as it (`auth-user` / `auth-pass`). Null: they use the default user and `redisPassword`.
   */
  dataUser: AclUserInfo | null;
  /**
   * An ACL user on every sentinel with only what sentinels ask of each other; they log in to each
   * other as it (`sentinel-user` / `sentinel-pass`). Null: `sentinelPassword` as the default user.
   */
  sentinelUser: AclUserInfo | null;
}

export interface AclUserInfo {
  name: string;
  /** Name of the `.env` variable holding its password. */
  passwordVar: string;
}

export interface SentinelSettings {
  implementation: SentinelImplementation;
}

export interface MasterGroup {
  /** The name sentinels monitor (`sentinel monitor <name> ...`), e.g. `mymaster`. */
  name: string;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  parallelSyncs: number;
  persistence: Persistence;
  minReplicasToWrite: number;
  minReplicasMaxLag: number;
  /** The initial master first, then its replicas. */
  nodes: RedisNode[];
}

interface NodeBase {
  /** DNS-safe compose service name, also the local runtime's process name. */
  service: string;
  /**
   * Where the process listens. Host mode: a distinct port per node. Bridge mode: the standard
   * port (6379 / 26379) inside the container.
   */
  port: number;
  /** Port a client on the host connects to: host mode = `port`; bridge mode = published port. */
  hostPort: number;
  /** Address the process binds to (compose target). */
  bind: string[];
  /**
   * Address and port this node announces to sentinels/replicas, when it must announce something
   * other than what it is seen as (bridge mode). Null in host mode.
   */
  announce: { ip: string; port: number } | null;
  /**
   * The local-process runtime: the loopback address this node listens on. Host mode: the same
   * address for all nodes (distinct ports). Bridge mode: 127.0.0.N per node with the standard
   * port, so "same port, different hosts" is exercised for real.
   */
  local: { host: string; port: number };
}

export interface RedisNode extends NodeBase {
  kind: 'redis';
  group: string;
  /** Role at start. After a failover, ask the sentinels; this is only the initial layout. */
  initialRole: 'master' | 'replica';
  /** 1-based index among the group's replicas; 0 for the initial master. */
  index: number;
  replicaPriority: number;
}

export interface SentinelNode extends NodeBase {
  kind: 'sentinel';
  /** 1-based. */
  index: number;
}

export type TopologyNode = RedisNode | SentinelNode;

/** Whether `up` chooses this node's host port (its range is `auto` in the spec). */
export function hasAutoPort(t: Topology, node: TopologyNode): boolean {
  return node.kind === 'redis' ? t.ports?.redis === true : t.ports?.sentinel === true;
}

export function allNodes(t: Topology): TopologyNode[] {
  return [...t.masters.flatMap((m) => m.nodes), ...t.sentinels];
}

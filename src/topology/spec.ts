/**
 * The spec as plain values: every default applied, aliases folded in, one entry per replica.
 * `resolveTopology` turns it into the Topology. ./read.ts builds it (through `SpecRead`, the same
 * values with their field paths, which ./checks judges).
 */
import type { SwarmNodeSpec } from './swarm.js';
import type { NetworkMode, Persistence, SentinelImplementation } from './types.js';

export interface MasterSpec {
  name: string;
  replicas: number;
  quorum: number;
  persistence: Persistence;
  minReplicasToWrite: number;
  minReplicasMaxLag: number;
  /** One per replica. */
  replicaPriorities: number[];
  downAfterMs: number;
  failoverTimeoutMs: number;
  parallelSyncs: number;
}

export interface Spec {
  project: string;
  network: NetworkMode;
  timezone: string | null;
  images: { redis: string; node: string; sentinel: string; nettools: string };
  /** First port of each range; `auto` ranges: a stand-in until `up` chooses free ports for them. */
  ports: { redis: number; sentinel: number; auto: { redis: boolean; sentinel: boolean } };
  bind: string;
  announce: string;
  auth: {
    password?: string;
    sentinelPassword?: string;
    /** auth.user: the sentinels' ACL user on the data nodes. */
    user?: { name: string; password: string };
    /** auth.sentinel-user: the sentinels' ACL user on each other. */
    sentinelUser?: { name: string; password: string };
  };
  masters: MasterSpec[];
  sentinels: {
    count: number;
    implementation: SentinelImplementation;
    downAfterMs: number;
    failoverTimeoutMs: number;
    parallelSyncs: number;
  };
  /** The swarm section, when the spec has one. */
  swarm?: { network: string; nodes: SwarmNodeSpec[] };
}

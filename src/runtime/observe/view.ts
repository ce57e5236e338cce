/**
 * The one picture of a running topology that `up`, `status`, the drill and every health wait
 * look at: what each data node says about itself (INFO replication) and what each sentinel
 * believes (SENTINEL GET-MASTER-ADDR-BY-NAME / MASTER / REPLICAS / SENTINELS, INFO sentinel).
 * Plain data: `status --json` prints it and drill reports keep the last one.
 */
import type { ServiceState } from '../types.js';

export type ProcessState = ServiceState['state'];

export interface NodeView {
  service: string;
  /** The master group the node belongs to. */
  group: string;
  /** host:port a client on this machine uses. */
  address: string;
  /** What the runtime says about the process, when it was asked (up, status; the drill does not ask per look). */
  process?: ProcessState;
  /** It answered INFO (possibly with an error reply: then `error` says which). */
  reachable: boolean;
  error?: string;
  /** INFO's `role:slave` is called replica here, as Redis itself does since 5.0 (REPLICAOF, SENTINEL REPLICAS). */
  role?: 'master' | 'replica';
  /** master_repl_offset (master) or slave_repl_offset (replica). */
  offset?: number;
  /** Replica: the master it replicates from as it has it (host:port), and the service that is. */
  masterAddress?: string;
  masterService?: string;
  /** Replica: master_link_status. */
  link?: 'up' | 'down';
  /** Replica: bytes behind its master's offset, and seconds since the master last heard from it (as the master reports it). */
  lagBytes?: number;
  lagSeconds?: number;
  /** Master: replicas in state online, and all that are connected. */
  onlineReplicas?: number;
  connectedReplicas?: number;
}

/** A replica or another sentinel as a sentinel lists it. */
export interface SentinelPeerView {
  address: string;
  /** The topology service at that address, when known. */
  service?: string;
  flags: string[];
  runId?: string;
}

/** What one sentinel believes about one master group. */
export interface SentinelMasterView {
  name: string;
  /**
   * The master as the sentinel hands it to clients (GET-MASTER-ADDR-BY-NAME). Once a failover has
   * promoted a replica this is the new master, while SENTINEL MASTER still shows the old address
   * until the failover ends: clients follow this one, so it is the one that counts.
   */
  address: string;
  service?: string;
  /** SENTINEL MASTER flags, e.g. ['master'] or ['s_down', 'o_down', 'master']. */
  flags: string[];
  configEpoch: number;
  quorum: number;
  numSlaves: number;
  numOtherSentinels: number;
  replicas: SentinelPeerView[];
  sentinels: SentinelPeerView[];
}

export interface SentinelView {
  service: string;
  address: string;
  process?: ProcessState;
  reachable: boolean;
  error?: string;
  /** INFO sentinel's sentinel_tilt: a sentinel in TILT acts on nothing it sees (for 30 s after the last timer jump). */
  tilt?: boolean;
  /** One entry per master group asked about; null when the sentinel does not monitor it. */
  masters: Record<string, SentinelMasterView | null>;
}

export interface Observation {
  /** When it was taken, on the caller's clock (the drill: ms since the fault; up and status: wall-clock ms). */
  at: number;
  nodes: NodeView[];
  sentinels: SentinelView[];
}

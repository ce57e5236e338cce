/**
 * The drill's data: scenarios (what to do to a master group), observations (what the nodes and
 * sentinels said), and the report (what happened, in numbers). Everything here is plain data so
 * that scenarios can be written in YAML/JSON and reports read by scripts.
 */
import type { Observation } from '../runtime/observe/view.js';

/**
 * A duration that scales with the group's sentinel settings:
 * `downAfter * down-after-milliseconds + failoverTimeout * failover-timeout + replicaMaxLag *
 * min-replicas-max-lag + ms`.
 * A plain number is milliseconds.
 */
export type Duration = number | { downAfter?: number; failoverTimeout?: number; ms?: number; replicaMaxLag?: number };

/** Which node(s) a step acts on, resolved against the group's layout at the start of the run. */
export type Target =
  | { node: 'master' }
  /** 1-based index among the group's current replicas, ordered by service name. */
  | { node: 'replica'; index?: number }
  /**
   * Sentinels: a count, or `majority` = as many as it takes that the rest are fewer than a
   * majority (ceil(n/2)): no leader can be elected; `minority` = the most that leave a majority
   * (floor((n-1)/2)). Taken from the highest index down.
   */
  | { node: 'sentinels'; count: number | 'majority' | 'minority' };

/**
 * Conditions a `wait` step waits for.
 * - `sdown`: some sentinel reported +sdown for the node the fault hit.
 * - `failed-over`: every reachable sentinel names a master other than the one at the start, that
 *   node says it is master, and the leader reported +failover-end.
 * - `healthy`: the group is healthy as `up` and `status` mean it (src/runtime/observe/health.ts):
 *   one master, every other node replicating it with the link up, every sentinel out of TILT,
 *   naming it, flagging nothing down or in failover, seeing every replica and every other sentinel.
 */
export type Condition = 'sdown' | 'failed-over' | 'healthy';

export type Step =
  | { do: 'pause' | 'unpause' | 'kill' | 'restart'; target: Target; mark?: Mark }
  /** SENTINEL FAILOVER <group> sent to the first sentinel that answers. */
  | { do: 'failover'; mark?: Mark }
  | { do: 'wait'; until: Condition; timeout: Duration }
  /**
   * Cut every network link between the target and every other service of the topology, both
   * ways (Docker runtime, bridge networking). Healed by `heal` (and whatever ends the run).
   */
  | { do: 'partition'; isolate: Target; mark?: Mark }
  /** Keep the load running and watch, doing nothing. */
  | { do: 'hold'; for: Duration }
  /** Heal the partition, then unpause / restart everything this run paused or killed and has not healed yet. */
  | { do: 'heal'; mark?: Mark };

/** `fault` is t = 0 for every time in the run's report; `heal` is where rejoin times count from. */
export type Mark = 'fault' | 'heal';

export type Check =
  | 'failover-happened'
  | 'no-failover'
  | 'fault-detected'
  | 'one-master'
  | 'replicas-follow'
  | 'sentinels-agree'
  | 'old-master-replica'
  | 'no-lost-writes'
  | 'writes-resumed'
  /**
   * A partitioned master: with min-replicas-to-write, no write it acknowledged later than
   * min-replicas-max-lag (+ Redis's 1 s check period) after the cut is lost; without it, the loss
   * is reported as Redis's documented behaviour.
   */
  | 'partition-loss'
  /** Partitioned sentinels: with a quorum of at least a majority, none of them reached +odown. */
  | 'minority-no-odown';

export const CHECKS: readonly Check[] = [
  'failover-happened',
  'no-failover',
  'fault-detected',
  'one-master',
  'replicas-follow',
  'sentinels-agree',
  'old-master-replica',
  'no-lost-writes',
  'writes-resumed',
  'partition-loss',
  'minority-no-odown',
];

export interface Expectation {
  check: Check;
  /** `warn` is reported but does not fail the drill; `why` says why it is only a warning. */
  severity?: 'fail' | 'warn';
  why?: string;
}

export interface Requirements {
  /** Replicas the group needs (besides the master). */
  replicas?: number;
  /** Cuts network links: only where the runtime can (Docker, bridge networking). */
  links?: boolean;
  /**
   * The sentinels left running after the scenario's sentinel pauses must still be able to fail
   * over (at least the quorum and a majority).
   */
  failoverPossible?: boolean;
}

export interface Scenario {
  name: string;
  summary: string;
  requires?: Requirements;
  steps: Step[];
  expect: Expectation[];
}

// ---------------------------------------------------------------------------------------------
// Observations: the runtime's one view of a running topology (src/runtime/observe/view.ts).

export type { NodeView, Observation, SentinelMasterView, SentinelView } from '../runtime/observe/view.js';

// ---------------------------------------------------------------------------------------------
// Recorded data

/** One pub/sub event from a sentinel. */
export interface SentinelEvent {
  /** ms since the run's fault, at receipt. */
  t: number;
  sentinel: string;
  channel: string;
  message: string;
  /** The addresses and run ids in the message as services, for people (e.g. `redis-master -> redis-replica-1`). */
  note?: string;
}

/** One write (or read) of the load. Times are ms since the fault. */
export interface OpSample {
  seq: number;
  issuedAt: number;
  /** null: never settled (still pending when the run ended). */
  settledAt: number | null;
  ok: boolean;
  error?: string;
}

export interface Window {
  startMs: number;
  /** null: not over when the run ended. */
  endMs: number | null;
  durationMs: number;
}

export interface LoadStats {
  issued: number;
  acked: number;
  failed: number;
  pending: number;
  latencyMs: { baselineP50: number | null; p50: number | null; p99: number | null; max: number | null };
  /** The longest outage window after the fault; null when every write went through promptly. */
  outage: Window | null;
  windows: Window[];
  /** Operations that failed, grouped by error text, with counts. */
  errors: { message: string; count: number }[];
}

export interface WriteCheck {
  key: string;
  /** Where the final check read from. */
  checkedOn: string | null;
  /** Acknowledged writes missing on the final master (sequence numbers). */
  lost: number[];
  /** Writes the client saw fail or time out that are on the final master anyway. */
  appliedDespiteError: number[];
  duplicates: number[];
  error?: string;
}

export interface StepRecord {
  index: number;
  label: string;
  services: string[];
  startedAt: number;
  endedAt: number;
  mark?: Mark;
  error?: string;
}

export interface Vote {
  voter: string;
  /** The service the vote went to, or its run id when unknown. */
  candidate: string;
  epoch: number;
  t: number;
}

export interface Measurements {
  initialMaster: string;
  finalMaster: string | null;
  /** First +sdown for the faulted node, and which sentinel saw it. */
  detection: { t: number; sentinel: string; all: { sentinel: string; t: number }[] } | null;
  odown: { t: number; sentinel: string; quorum: string | null } | null;
  tryFailover: { t: number; sentinel: string; epoch: number | null } | null;
  votes: Vote[];
  elected: { t: number; sentinel: string } | null;
  selected: { t: number; service: string } | null;
  promoted: { t: number; service: string } | null;
  switchMaster: { first: number; last: number; sentinels: { sentinel: string; t: number }[]; to: string | null } | null;
  failoverEnd: { t: number; sentinel: string } | null;
  aborts: { t: number; sentinel: string; channel: string }[];
  tilts: { t: number; sentinel: string; channel: string }[];
  /** Nodes the run paused/killed: when they were healed and when they were back in the topology. */
  rejoins: { service: string; healedAt: number; rejoinedAt: number | null; sinceHealMs: number | null; as: 'replica' | 'master' | null }[];
  /** +convert-to-slave for the initial master (the sentinel telling it to follow the new one). */
  convertedAt: number | null;
}

export interface ExpectationResult {
  check: Check;
  severity: 'fail' | 'warn';
  passed: boolean;
  /** The run was interrupted before this could be judged (`passed` is then false). */
  notReached?: true;
  message: string;
}

/** `interrupted`: stopped from outside (Ctrl-C, a signal) before it could be judged. */
export type RunStatus = 'passed' | 'failed' | 'skipped' | 'interrupted';

export interface RunReport {
  scenario: string;
  summary: string;
  group: string;
  status: RunStatus;
  /** Why it was skipped, or the error that stopped it. */
  reason?: string;
  /** Wall-clock ms of the fault (t = 0 for every other time in this run). */
  faultWallTime: number | null;
  startedAt: string;
  durationMs: number;
  steps: StepRecord[];
  events: SentinelEvent[];
  /** `clientRestarts`: times the client gave up for good and the drill reconnected it (see load.ts). */
  writes: { stats: LoadStats; check: WriteCheck | null; samples: OpSample[]; clientRestarts: number } | null;
  reads: { stats: LoadStats; samples: OpSample[]; clientRestarts: number } | null;
  measurements: Measurements | null;
  expectations: ExpectationResult[];
  final: Observation | null;
  /** Runs that cut network links: what was cut off, when, and what it cost. */
  partition?: PartitionReport;
}

/**
 * A partition, ms since the cut (t = 0). `masterSide`: the client that stayed on the isolated
 * master's side and kept writing to it directly (master-partition).
 */
export interface PartitionReport {
  isolated: string[];
  /** When the first rules went in (at most 0: t = 0 is when the last did). */
  cutFrom: number;
  healedAt: number | null;
  minReplicasToWrite: number;
  minReplicasMaxLagMs: number;
  /** With min-replicas-to-write: acknowledgements after this (ms since the cut) break Redis's bound. */
  boundMs: number | null;
  masterSide: {
    service: string;
    key: string;
    issuedAfterCut: number;
    ackedAfterCut: number;
    /** Refused by the isolated master (NOREPLICAS, READONLY) or failed after the cut. */
    failedAfterCut: number;
    /** From the cut to the last write the isolated master acknowledged (it answers as master until it is converted, after the heal). */
    ackWindow: { startMs: number; endMs: number } | null;
    /** Acknowledged writes missing on the final master (sequence numbers). */
    lost: number[];
    /**
     * Of those, sent later than `boundMs` after the cut: the master took each of them after the
     * bound whatever the delays on the way back (a reply can reach a busy client seconds late).
     */
    lostPastBound: number[];
    /** Sent later than `boundMs` and acknowledged at all (lost or not): Redis's bound did not hold. */
    ackedPastBound: number[];
    checkedOn: string | null;
    error?: string;
    samples: OpSample[];
  } | null;
  /** Acknowledged writes of the Sentinel-aware client missing on the final master. */
  sentinelClientLost: number[];
  /** What the numbers mean, for people. */
  note: string;
}

export interface DrillReport {
  version: 1;
  tool: 'sentinel-compose drill';
  project: string;
  runtime: string;
  sentinelImplementation: string;
  network: string;
  startedAt: string;
  durationMs: number;
  options: {
    rate: number;
    readRate: number;
    commandTimeoutMs: number;
    disconnectTimeoutMs: number;
    blockedAfterMs: number;
    baselineMs: number;
  };
  /** Sentinel run ids (SENTINEL MYID) by service, so that votes can be read. */
  sentinelIds: Record<string, string>;
  runs: RunReport[];
  passed: boolean;
  counts: { passed: number; failed: number; skipped: number; interrupted: number };
}

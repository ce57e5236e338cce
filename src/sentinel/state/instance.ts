/**
 * One record per monitored master, per replica of a master, and per other sentinel of a master:
 * every field SENTINEL MASTER / REPLICAS / SENTINELS report, and what failure detection and the
 * failover state machine need. Like Redis's sentinelRedisInstance, one shape serves the three
 * kinds; the flags say which kind it is.
 */
import { type Addr } from './addr.js';
import { SRI, type RoleFlag } from './flags.js';
import { InstanceLink } from './link.js';
import { SENTINEL_DEFAULT_PARALLEL_SYNCS, SENTINEL_DEFAULT_SLAVE_PRIORITY } from './timing.js';

/** Failover states in Redis's order; the numeric order matters (">= RECONF_SLAVES"). */
export enum FailoverState {
  NONE = 0,
  WAIT_START = 1,
  SELECT_SLAVE = 2,
  SEND_SLAVEOF_NOONE = 3,
  WAIT_PROMOTION = 4,
  RECONF_SLAVES = 5,
  UPDATE_CONFIG = 6,
}

export const FAILOVER_STATE_NAMES: Record<FailoverState, string> = {
  [FailoverState.NONE]: 'none',
  [FailoverState.WAIT_START]: 'wait_start',
  [FailoverState.SELECT_SLAVE]: 'select_slave',
  [FailoverState.SEND_SLAVEOF_NOONE]: 'send_slaveof_noone',
  [FailoverState.WAIT_PROMOTION]: 'wait_promotion',
  [FailoverState.RECONF_SLAVES]: 'reconf_slaves',
  [FailoverState.UPDATE_CONFIG]: 'update_config',
};

export type LinkStatus = 'up' | 'down';

export class Instance {
  flags: number;
  /** Master name; `ip:port` for replicas; the run id for sentinels. */
  name: string;
  runid: string | null = null;
  configEpoch = 0;
  addr: Addr;
  link: InstanceLink;
  lastPubTime: number;
  lastHelloTime: number;
  lastMasterDownReplyTime: number;
  sDownSinceTime = 0;
  oDownSinceTime = 0;
  downAfterPeriod: number;
  masterRebootDownAfterPeriod = 0;
  masterRebootSinceTime = 0;
  /** When the last INFO reply arrived; 0 = never. */
  infoRefresh = 0;
  /** Lower-cased command name -> name to send (rename-command). */
  renamedCommands = new Map<string, string>();

  roleReported: RoleFlag | 0;
  roleReportedTime: number;
  slaveConfChangeTime: number;

  // Master specific.
  sentinels = new Map<string, Instance>();
  slaves = new Map<string, Instance>();
  quorum: number;
  parallelSyncs = SENTINEL_DEFAULT_PARALLEL_SYNCS;
  authPass: string | null = null;
  authUser: string | null = null;

  // Replica specific.
  masterLinkDownTime = 0;
  slavePriority = SENTINEL_DEFAULT_SLAVE_PRIORITY;
  replicaAnnounced = 1;
  slaveReconfSentTime = 0;
  master: Instance | null;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkStatus: LinkStatus = 'down';
  slaveReplOffset = 0;

  // Failover. For a master, `leader` is the sentinel this sentinel voted for; for a sentinel
  // record, the sentinel that peer said it voted for.
  leader: string | null = null;
  leaderEpoch = 0;
  failoverEpoch = 0;
  #failoverState = FailoverState.NONE;
  #failoverStateChangeTime = 0;
  failoverStartTime = 0;
  failoverTimeout: number;
  failoverDelayLogged = 0;
  /** When SELECT_SLAVE asked every replica for a fresh INFO (0 = not yet). */
  selectInfoAskTime = 0;
  /** When the end of the failover asked the peers for their view (0 = not yet). */
  failoverEndAskTime = 0;
  promotedSlave: Instance | null = null;
  notificationScript: string | null = null;
  clientReconfigScript: string | null = null;
  /** Last INFO text, for SENTINEL INFO-CACHE. */
  info: string | null = null;

  constructor(opts: {
    flags: number;
    name: string;
    addr: Addr;
    master: Instance | null;
    quorum: number;
    now: number;
    downAfterPeriod: number;
    failoverTimeout: number;
  }) {
    const now = opts.now;
    this.flags = opts.flags;
    this.name = opts.name;
    this.addr = opts.addr;
    this.master = opts.master;
    this.quorum = opts.quorum;
    this.link = new InstanceLink(now);
    this.lastPubTime = now;
    this.lastHelloTime = now;
    this.lastMasterDownReplyTime = now;
    this.downAfterPeriod = opts.master ? opts.master.downAfterPeriod : opts.downAfterPeriod;
    this.failoverTimeout = opts.failoverTimeout;
    this.roleReported = (opts.flags & (SRI.MASTER | SRI.SLAVE)) as RoleFlag | 0;
    this.roleReportedTime = now;
    this.slaveConfChangeTime = now;
  }

  is(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  /** Where this master's failover stands. Read-only: every transition goes through setFailoverState. */
  get failoverState(): FailoverState {
    return this.#failoverState;
  }

  /** When failoverState last changed: the timeouts of the failover's states count from it. */
  get failoverStateChangeTime(): number {
    return this.#failoverStateChangeTime;
  }

  /**
   * The one way to move a failover to another state (as Redis's failover_state and
   * failover_state_change_time always change together), so that no state's timeout can count
   * from an earlier state's start. `at` is normally now; a reset passes 0, as Redis does.
   */
  setFailoverState(state: FailoverState, at: number): void {
    this.#failoverState = state;
    this.#failoverStateChangeTime = at;
  }

  /** The master this record belongs to (itself for a master). */
  get masterOrSelf(): Instance {
    return this.flags & SRI.MASTER ? this : this.master!;
  }
}

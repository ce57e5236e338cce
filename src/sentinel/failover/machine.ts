/**
 * The failover state machine, in Redis's states and with Redis's events:
 *
 *   WAIT_START -> SELECT_SLAVE -> SEND_SLAVEOF_NOONE -> WAIT_PROMOTION -> RECONF_SLAVES -> UPDATE_CONFIG
 *
 * One function per state, one switch (`failoverStateMachine`). Before the promoted replica
 * confirms its promotion the failover can abort (not elected, no good replica, replica timeout);
 * after it, it always runs to its end (by timeout if need be), because the new configuration epoch
 * is already out. The move WAIT_PROMOTION -> RECONF_SLAVES happens in monitor/info.ts when the
 * promoted replica's INFO says `role:master`.
 */
import type { SentinelCtx } from '../context.js';
import { announceHost } from '../state/addr.js';
import { SRI } from '../state/flags.js';
import { FailoverState, type Instance } from '../state/instance.js';
import { resetMasterAndChangeAddress } from '../state/registry.js';
import { SENTINEL_MAX_DESYNC } from '../state/timing.js';
import { SIMFAILURE_CRASH_AFTER_ELECTION } from '../state/sentinel-state.js';
import { ctimeText } from '../events/format.js';
import { ASK_FORCED, askMasterStateToOtherSentinels } from '../monitor/down.js';
import { sendInfo } from '../monitor/periodic.js';
import { sendSlaveOf } from '../monitor/send.js';
import { awaitedPeer, getLeader, smallerReachablePeers } from './election.js';
import { selectSlave } from './select.js';

export function startFailover(ctx: SentinelCtx, master: Instance): void {
  const st = ctx.state;
  master.flags |= SRI.FAILOVER_IN_PROGRESS;
  master.failoverEpoch = ++st.currentEpoch;
  // Persist the epoch before announcing it (Redis only persists it with the vote that follows
  // in the same tick); a restart must never come back with an older epoch than it showed.
  ctx.flushConfig();
  ctx.event('warning', '+new-epoch', master, `${st.currentEpoch}`);
  ctx.event('warning', '+try-failover', master, '%@');
  master.failoverStartTime = ctx.now() + Math.floor(ctx.random() * SENTINEL_MAX_DESYNC);
  // Entered only now, after the config write: WAIT_START's timeouts count from here, as in Redis.
  master.setFailoverState(FailoverState.WAIT_START, ctx.now());
  master.failoverEndAskTime = 0;
}

/** Spacing between candidacies of sentinels of consecutive rank (see candidacyDelay). */
export const CANDIDACY_STEP_MS = 100;

/**
 * Departure from Redis: how long after reaching ODOWN this sentinel waits before trying.
 *
 * With Redis's 1 s polling, the sentinels of a group reach ODOWN and start their failovers up to
 * a second apart, which keeps simultaneous candidacies rare. When they do coincide, each votes for
 * itself, nobody gets a majority, and the next try must wait 2 x failover-timeout. Detecting
 * faster brings the starts together, so they are ordered instead: among the sentinels that look
 * reachable (connected, not SDOWN), the one with the smallest id tries at once, the next one
 * CANDIDACY_STEP_MS after its own ODOWN, and so on. That is long enough for the first one's vote
 * request (one round trip and a config write) to arrive first, after which the others vote for it
 * and hold back, as Redis makes them. The rules of the election itself do not change.
 */
export function candidacyDelay(ctx: SentinelCtx, master: Instance): number {
  return smallerReachablePeers(ctx, master).length * CANDIDACY_STEP_MS;
}

/** Starts a failover when the master is ODOWN, none is running, and the last try is old enough. */
export function startFailoverIfNeeded(ctx: SentinelCtx, master: Instance): boolean {
  if (!(master.flags & SRI.O_DOWN)) return false;
  if (master.flags & SRI.FAILOVER_IN_PROGRESS) return false;
  const now = ctx.now();
  if (now < master.oDownSinceTime + candidacyDelay(ctx, master)) return false;
  if (now - master.failoverStartTime < master.failoverTimeout * 2) {
    if (master.failoverDelayLogged !== master.failoverStartTime) {
      master.failoverDelayLogged = master.failoverStartTime;
      ctx.log('warning', `Next failover delay: I will not start a failover before ${ctimeText(master.failoverStartTime + master.failoverTimeout * 2)}`);
    }
    return false;
  }
  startFailover(ctx, master);
  return true;
}

export function abortFailover(ctx: SentinelCtx, master: Instance): void {
  master.flags &= ~(SRI.FAILOVER_IN_PROGRESS | SRI.FORCE_FAILOVER);
  master.setFailoverState(FailoverState.NONE, ctx.now());
  if (master.promotedSlave) {
    master.promotedSlave.flags &= ~SRI.PROMOTED;
    master.promotedSlave = null;
  }
}

function waitStart(ctx: SentinelCtx, master: Instance): void {
  if (awaitedPeer(ctx, master)) return;
  const leader = getLeader(ctx, master, master.failoverEpoch);
  const isLeader = leader !== null && leader.toLowerCase() === ctx.state.myid.toLowerCase();
  if (!isLeader && !(master.flags & SRI.FORCE_FAILOVER)) {
    const electionTimeout = Math.min(ctx.timing.electionTimeout, master.failoverTimeout);
    if (ctx.now() - master.failoverStartTime > electionTimeout) {
      ctx.event('warning', '-failover-abort-not-elected', master, '%@');
      abortFailover(ctx, master);
    }
    return;
  }
  ctx.event('warning', '+elected-leader', master, '%@');
  if (ctx.state.simFailureFlags & SIMFAILURE_CRASH_AFTER_ELECTION) ctx.crash();
  master.setFailoverState(FailoverState.SELECT_SLAVE, ctx.now());
  ctx.event('warning', '+failover-state-select-slave', master, '%@');
  // The next states need no waiting: go on in this same tick.
  selectSlaveState(ctx, master);
}

/**
 * Departure from Redis, for a better choice: the replicas' offsets and link states are read again
 * right before choosing. Redis chooses from the INFO it has, which outside a failover is polled
 * every 10 s, so with a fast election it may compare offsets read before the master's last writes
 * and pick a replica that has less data. Every reachable replica is asked for INFO once on entering
 * SELECT_SLAVE and the choice is made when all have answered (a round trip) or after one ping
 * period at most.
 */
function replicasFresh(ctx: SentinelCtx, master: Instance): boolean {
  const now = ctx.now();
  const since = master.failoverStateChangeTime;
  if (now - since >= ctx.timing.pingPeriod) return true;
  const ask = master.selectInfoAskTime !== since;
  master.selectInfoAskTime = since;
  let waiting = false;
  for (const s of master.slaves.values()) {
    if (s.link.disconnected || s.flags & (SRI.S_DOWN | SRI.O_DOWN) || s.infoRefresh >= since) continue;
    if (ask) sendInfo(ctx, s, () => ctx.kick());
    waiting = true;
  }
  return !waiting;
}

function selectSlaveState(ctx: SentinelCtx, master: Instance): void {
  if (!replicasFresh(ctx, master)) return;
  const slave = selectSlave(master, ctx.now(), ctx.timing);
  if (!slave) {
    ctx.event('warning', '-failover-abort-no-good-slave', master, '%@');
    abortFailover(ctx, master);
    return;
  }
  ctx.event('warning', '+selected-slave', slave, '%@');
  slave.flags |= SRI.PROMOTED;
  master.promotedSlave = slave;
  master.setFailoverState(FailoverState.SEND_SLAVEOF_NOONE, ctx.now());
  ctx.event('notice', '+failover-state-send-slaveof-noone', slave, '%@');
  sendSlaveOfNoOne(ctx, master);
}

function sendSlaveOfNoOne(ctx: SentinelCtx, master: Instance): void {
  const promoted = master.promotedSlave!;
  // Cannot talk to it: keep trying until the failover timeout, then give up.
  if (promoted.link.disconnected) {
    if (ctx.now() - master.failoverStateChangeTime > master.failoverTimeout) {
      ctx.event('warning', '-failover-abort-slave-timeout', master, '%@');
      abortFailover(ctx, master);
    }
    return;
  }
  // Faster than Redis: ask for INFO right behind the transaction. Its reply comes after EXEC's
  // on the same connection, so it already shows the promotion, and +promoted-slave follows in
  // milliseconds instead of at the next one-second INFO poll.
  const ok = sendSlaveOf(promoted, null, 0, () => sendInfo(ctx, promoted));
  if (!ok) return;
  ctx.event('notice', '+failover-state-wait-promotion', promoted, '%@');
  master.setFailoverState(FailoverState.WAIT_PROMOTION, ctx.now());
}

function waitPromotion(ctx: SentinelCtx, master: Instance): void {
  // Progress is made by the promoted replica's INFO (monitor/info.ts); here only the timeout.
  if (ctx.now() - master.failoverStateChangeTime > master.failoverTimeout) {
    ctx.event('warning', '-failover-abort-slave-timeout', master, '%@');
    abortFailover(ctx, master);
  }
}

function detectEnd(ctx: SentinelCtx, master: Instance): void {
  const now = ctx.now();
  const elapsed = now - master.failoverStateChangeTime;
  const promoted = master.promotedSlave;
  // Not finished while the new master is unreachable.
  if (!promoted || promoted.flags & SRI.S_DOWN) return;

  let notReconfigured = 0;
  for (const s of master.slaves.values()) {
    if (s.flags & (SRI.PROMOTED | SRI.RECONF_DONE)) continue;
    if (s.flags & SRI.S_DOWN) continue;
    notReconfigured++;
  }
  if (notReconfigured === 0 && elapsed <= master.failoverTimeout && waitForPeersView(ctx, master, now)) return;
  let timeout = false;
  if (elapsed > master.failoverTimeout) {
    notReconfigured = 0;
    timeout = true;
    ctx.event('warning', '+failover-end-for-timeout', master, '%@');
  }
  if (notReconfigured === 0) {
    ctx.event('warning', '+failover-end', master, '%@');
    master.setFailoverState(FailoverState.UPDATE_CONFIG, ctx.now());
  }
  if (timeout) {
    // Best effort for the replicas still not pointing at the new master.
    const host = announceHost(promoted.addr, ctx.state.announceHostnames);
    for (const s of master.slaves.values()) {
      if (s.flags & (SRI.PROMOTED | SRI.RECONF_DONE | SRI.RECONF_SENT)) continue;
      if (s.link.disconnected) continue;
      if (sendSlaveOf(s, host, promoted.addr.port)) {
        ctx.event('notice', '+slave-reconf-sent-be', s, '%@');
        s.flags |= SRI.RECONF_SENT;
      }
    }
  }
}

/**
 * Every replica is reconfigured. Before ending, refresh what the peers say about the old master
 * (one forced SENTINEL IS-MASTER-DOWN-BY-ADDR round, milliseconds on a LAN): peers that adopted
 * the new configuration — our hello went out at the promotion — no longer call it down, so the
 * old master leaves ODOWN (-odown) before +failover-end, in the order Redis's log shows it (there
 * it falls out of the 1 s polling periods). Waits at most one ask period for the answers.
 */
function waitForPeersView(ctx: SentinelCtx, master: Instance, now: number): boolean {
  if (!(master.flags & SRI.O_DOWN)) return false;
  if (master.failoverEndAskTime === 0) {
    master.failoverEndAskTime = now;
    askMasterStateToOtherSentinels(ctx, master, ASK_FORCED);
    return true;
  }
  if (now - master.failoverEndAskTime >= ctx.timing.askPeriod) return false;
  for (const peer of master.sentinels.values()) {
    if (!peer.link.disconnected && peer.lastMasterDownReplyTime < master.failoverEndAskTime) return true;
  }
  return false;
}

/**
 * RECONF_SLAVES: SLAVEOF the promoted replica to the other replicas, parallel-syncs at a time.
 *
 * Departure from Redis: a replica whose SLAVEOF has shown no effect for the replica reconfig
 * timeout (10 s) is counted as done whatever the parallel-syncs slots hold. Redis means to do
 * this (-slave-reconf-sent-timeout; the +fix-slave-config rule repairs the replica later), but it
 * only looks at a replica while a slot is free, and the stuck replica holds the slot: with
 * parallel-syncs 1, one replica that never acts on SLAVEOF keeps every other replica waiting and
 * the failover open until failover-timeout (3 minutes by default). As in Redis, SLAVEOF is sent
 * once more when it times out; that second try no longer holds a slot.
 */
function reconfNextSlave(ctx: SentinelCtx, master: Instance): void {
  const now = ctx.now();
  const promoted = master.promotedSlave!;
  const host = announceHost(promoted.addr, ctx.state.announceHostnames);
  const sendTo = (s: Instance): boolean => {
    // Faster than Redis: INFO right behind the transaction, so +slave-reconf-inprog shows at once.
    if (!sendSlaveOf(s, host, promoted.addr.port, () => sendInfo(ctx, s))) return false;
    s.flags |= SRI.RECONF_SENT;
    s.slaveReconfSentTime = now;
    ctx.event('notice', '+slave-reconf-sent', s, '%@');
    return true;
  };

  for (const s of master.slaves.values()) {
    if (s.flags & (SRI.PROMOTED | SRI.RECONF_DONE)) continue;
    if (s.flags & SRI.RECONF_SENT && now - s.slaveReconfSentTime > ctx.timing.slaveReconfTimeout) {
      ctx.event('notice', '-slave-reconf-sent-timeout', s, '%@');
      s.flags &= ~SRI.RECONF_SENT;
      s.flags |= SRI.RECONF_DONE;
      if (!s.link.disconnected) sendTo(s);
    }
  }

  // A slot is held by a replica told to follow the new master and not done yet.
  let inProgress = 0;
  for (const s of master.slaves.values()) {
    if (s.flags & (SRI.RECONF_SENT | SRI.RECONF_INPROG) && !(s.flags & SRI.RECONF_DONE)) inProgress++;
  }
  for (const s of master.slaves.values()) {
    if (inProgress >= master.parallelSyncs) break;
    if (s.flags & (SRI.PROMOTED | SRI.RECONF_DONE | SRI.RECONF_SENT | SRI.RECONF_INPROG)) continue;
    if (s.link.disconnected) continue;
    if (sendTo(s)) inProgress++;
  }
  detectEnd(ctx, master);
}

/** UPDATE_CONFIG: the master record takes the promoted replica's address. */
export function switchToPromotedSlave(ctx: SentinelCtx, master: Instance): void {
  const ref = master.promotedSlave ?? master;
  const st = ctx.state;
  ctx.event(
    'warning',
    '+switch-master',
    master,
    `${master.name} ${announceHost(master.addr, st.announceHostnames)} ${master.addr.port} ${announceHost(ref.addr, st.announceHostnames)} ${ref.addr.port}`,
  );
  resetMasterAndChangeAddress(ctx, master, ref.addr.hostname, ref.addr.port);
}

export function failoverStateMachine(ctx: SentinelCtx, master: Instance): void {
  if (!(master.flags & SRI.FAILOVER_IN_PROGRESS)) return;
  switch (master.failoverState) {
    case FailoverState.WAIT_START:
      waitStart(ctx, master);
      break;
    case FailoverState.SELECT_SLAVE:
      selectSlaveState(ctx, master);
      break;
    case FailoverState.SEND_SLAVEOF_NOONE:
      sendSlaveOfNoOne(ctx, master);
      break;
    case FailoverState.WAIT_PROMOTION:
      waitPromotion(ctx, master);
      break;
    case FailoverState.RECONF_SLAVES:
      reconfNextSlave(ctx, master);
      break;
    default:
      break;
  }
}

/**
 * Failure detection.
 *
 * SDOWN: no valid PING reply for down-after ms (counted from the first unanswered PING, or from
 * the last valid reply while disconnected); or a master that has reported role slave for longer
 * than down-after + 2 INFO periods; or a rebooted master (master-reboot-down-after-period).
 *
 * ODOWN: SDOWN here, and at least `quorum` sentinels (this one included) said so through
 * SENTINEL IS-MASTER-DOWN-BY-ADDR within the last 5 ask periods. A weak quorum: the answers
 * are not simultaneous.
 */
import type { SentinelCtx } from '../context.js';
import { announceHost } from '../state/addr.js';
import { SRI } from '../state/flags.js';
import { FailoverState, type Instance } from '../state/instance.js';
import { sendCommand } from './send.js';

export function checkSubjectivelyDown(ctx: SentinelCtx, ri: Instance): void {
  const now = ctx.now();
  const link = ri.link;
  const t = ctx.timing;
  let elapsed = 0;
  if (link.actPingTime) elapsed = now - link.actPingTime;
  else if (link.disconnected) elapsed = now - link.lastAvailTime;

  // A command link that has been up for a while but leaves a PING unanswered for half the
  // down-after period is probably stuck: reconnect it.
  if (
    link.cc &&
    link.cc.state === 'connected' &&
    now - link.ccConnTime > t.minLinkReconnectPeriod &&
    link.actPingTime !== 0 &&
    now - link.actPingTime > ri.downAfterPeriod / 2 &&
    now - link.lastPongTime > ri.downAfterPeriod / 2
  ) {
    link.cc.disconnect('no reply to PING');
  }
  // Likewise a pub/sub link with no traffic (our own hellos come through it) for 3 periods.
  if (link.pc && link.pc.state === 'connected' && now - link.pcConnTime > t.minLinkReconnectPeriod && now - link.pcLastActivity > t.publishPeriod * 3) {
    link.pc.disconnect('no pub/sub activity');
  }

  const down =
    elapsed > ri.downAfterPeriod ||
    (ri.flags & SRI.MASTER && ri.roleReported === SRI.SLAVE && now - ri.roleReportedTime > ri.downAfterPeriod + t.infoPeriod * 2) ||
    (ri.flags & SRI.MASTER_REBOOT && now - ri.masterRebootSinceTime > ri.masterRebootDownAfterPeriod);

  if (down) {
    if (!(ri.flags & SRI.S_DOWN)) {
      ctx.event('warning', '+sdown', ri, '%@');
      ri.sDownSinceTime = now;
      ri.flags |= SRI.S_DOWN;
      // A master just went down: ask the peers now rather than at the next tick.
      if (ri.flags & SRI.MASTER) ctx.kick();
    }
  } else if (ri.flags & SRI.S_DOWN) {
    ctx.event('warning', '-sdown', ri, '%@');
    ri.flags &= ~(SRI.S_DOWN | SRI.SCRIPT_KILL_SENT);
  }
}

/** Votes counted for ODOWN: this sentinel (if SDOWN) plus peers that answered "down". */
export function downVotes(master: Instance): number {
  if (!(master.flags & SRI.S_DOWN)) return 0;
  let quorum = 1;
  for (const ri of master.sentinels.values()) if (ri.flags & SRI.MASTER_DOWN) quorum++;
  return quorum;
}

export function checkObjectivelyDown(ctx: SentinelCtx, master: Instance): void {
  const votes = downVotes(master);
  const odown = master.flags & SRI.S_DOWN && votes >= master.quorum;
  if (odown) {
    if (!(master.flags & SRI.O_DOWN)) {
      ctx.event('warning', '+odown', master, `%@ #quorum ${votes}/${master.quorum}`);
      master.flags |= SRI.O_DOWN;
      master.oDownSinceTime = ctx.now();
    }
  } else if (master.flags & SRI.O_DOWN) {
    ctx.event('warning', '-odown', master, '%@');
    master.flags &= ~SRI.O_DOWN;
  }
}

/** Records a peer's answer to SENTINEL IS-MASTER-DOWN-BY-ADDR: its down opinion and its vote. */
export function receiveIsMasterDownReply(ctx: SentinelCtx, master: Instance, ri: Instance, r: import('../resp/types.js').Reply): void {
  if (r.type !== 'array' || r.value.length !== 3) return;
  const [down, leader, epoch] = r.value;
  if (down?.type !== 'integer' || leader?.type !== 'bulk' || epoch?.type !== 'integer') return;
  ri.lastMasterDownReplyTime = ctx.now();
  const wasDown = (ri.flags & SRI.MASTER_DOWN) !== 0;
  if (down.value === 1) ri.flags |= SRI.MASTER_DOWN;
  else ri.flags &= ~SRI.MASTER_DOWN;
  // A new "down" may complete the quorum: check ODOWN now rather than at the next tick.
  if (!wasDown && down.value === 1 && master.flags & SRI.S_DOWN && !(master.flags & SRI.O_DOWN)) ctx.kick();
  const leaderId = typeof leader.value === 'string' ? leader.value : leader.value.toString('utf8');
  if (leaderId !== '*') {
    if (ri.leaderEpoch !== epoch.value) ctx.log('warning', `${ri.name} voted for ${leaderId} ${epoch.value}`);
    ri.leader = leaderId;
    ri.leaderEpoch = epoch.value;
  }
  // A vote may complete an election, an answer may end ODOWN at the end of a failover: act on it
  // now rather than at the next tick.
  if (master.failoverState === FailoverState.WAIT_START || master.failoverState === FailoverState.RECONF_SLAVES) ctx.kick();
}

/**
 * The earliest time at which some instance turns SDOWN if nothing answers before (its oldest
 * unanswered PING plus down-after), or Infinity. The tick is scheduled no later than this, so
 * SDOWN is declared when down-after has elapsed, not up to a tick period later.
 */
export function nextSdownDeadline(masters: Iterable<Instance>): number {
  let next = Infinity;
  const visit = (ri: Instance) => {
    if (ri.flags & SRI.S_DOWN || ri.link.actPingTime === 0) return;
    next = Math.min(next, ri.link.actPingTime + ri.downAfterPeriod + 1);
  };
  for (const m of masters) {
    visit(m);
    for (const s of m.slaves.values()) visit(s);
    for (const s of m.sentinels.values()) visit(s);
  }
  return next;
}

export const ASK_FORCED = 1;

/**
 * Interval between two questions to the same peer.
 *
 * Redis asks every ask period (1 s). While this sentinel sees the master SDOWN but the quorum is
 * not there yet, peers typically reach SDOWN within a few hundred milliseconds of each other;
 * asking again every 100 ms (instead of after a full second) turns their agreement into ODOWN as
 * soon as it exists. Once ODOWN (or with no SDOWN) the Redis period applies. The answers mean the
 * same either way; only their freshness improves.
 */
export function askInterval(master: Instance, askPeriod: number): number {
  if (master.flags & SRI.S_DOWN && !(master.flags & SRI.O_DOWN)) return Math.min(askPeriod, 100);
  return askPeriod;
}

export function askMasterStateToOtherSentinels(ctx: SentinelCtx, master: Instance, flags: number): void {
  const now = ctx.now();
  const t = ctx.timing;
  const every = askInterval(master, t.askPeriod);
  for (const ri of master.sentinels.values()) {
    const elapsed = now - ri.lastMasterDownReplyTime;
    // Too old to count: forget what this peer said.
    if (elapsed > t.askPeriod * 5) {
      ri.flags &= ~SRI.MASTER_DOWN;
      ri.leader = null;
    }
    if (!(master.flags & SRI.S_DOWN)) continue;
    if (ri.link.disconnected) continue;
    if (!(flags & ASK_FORCED) && now - ri.lastMasterDownReplyTime < every) continue;
    const st = ctx.state;
    const args = [
      'SENTINEL',
      'is-master-down-by-addr',
      announceHost(master.addr, st.announceHostnames),
      String(master.addr.port),
      String(st.currentEpoch),
      master.failoverState > FailoverState.NONE ? st.myid : '*',
    ];
    // An answer about the address the master had when asked: after a +switch-master in between it
    // is about another node, and must not count for this one (see resetMaster).
    const asked = `${master.addr.hostname}:${master.addr.port}`;
    sendCommand(ri, args, (r) => {
      if (`${master.addr.hostname}:${master.addr.port}` === asked) receiveIsMasterDownReply(ctx, master, ri, r);
    });
  }
}

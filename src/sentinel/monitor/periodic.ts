/**
 * The periodic PING, INFO and hello of every instance, on Redis's periods, with a few departures
 * that make failover faster without changing what any decision means (each says why below).
 */
import type { SentinelCtx } from '../context.js';
import { SRI } from '../state/flags.js';
import { FailoverState, type Instance } from '../state/instance.js';
import { SENTINEL_MAX_PENDING_COMMANDS } from '../state/timing.js';
import { sendHello } from './hello.js';
import { refreshInstanceInfo } from './info.js';
import { replyText, sendCommand, sendPing } from './send.js';

/**
 * Interval between PINGs.
 *
 * Redis pings every min(down-after, ping-period) = 1 s with down-after >= 1 s, so an instance that
 * stops answering is noticed between down-after and down-after + 1 s after its last reply (SDOWN
 * counts from the first unanswered PING). Pinging every down-after / 10 (at least 100 ms, never
 * slower than Redis) keeps the meaning of down-after — still no SDOWN before down-after ms
 * without a valid reply — while cutting the overshoot to a tenth of it. The cost is a few more
 * PINGs per second on instances with a short down-after.
 */
export function pingInterval(downAfter: number, pingPeriod: number): number {
  return Math.min(pingPeriod, downAfter, Math.max(100, Math.floor(downAfter / 10)));
}

/** INFO polling interval for this instance. */
export function infoInterval(ri: Instance, infoPeriod: number): number {
  if (ri.flags & SRI.SLAVE) {
    const master = ri.master!;
    // Faster than Redis: while a replica is being promoted or reconfigured, each INFO may be the
    // one that moves the failover on (Redis polls these every second). Observation only.
    if (
      master.flags & SRI.FAILOVER_IN_PROGRESS &&
      ((ri.flags & SRI.PROMOTED && master.failoverState === FailoverState.WAIT_PROMOTION) || ri.flags & (SRI.RECONF_SENT | SRI.RECONF_INPROG))
    ) {
      return 100;
    }
    // Faster than Redis: a replica that reports itself master (typically the old master back
    // after a failover) is converted once it has said so for long enough; polling it every
    // half second lets that happen when the wait ends rather than up to 10 s later.
    if (ri.roleReported === SRI.MASTER) return 500;
    // Faster than Redis, likewise: a replica following another master is repointed once it has
    // done so for failover-timeout; poll it every second so that this happens on time.
    if (
      ri.roleReported === SRI.SLAVE &&
      ri.slaveMasterHost !== null &&
      (ri.slaveMasterPort !== master.addr.port || (ri.slaveMasterHost !== master.addr.ip && ri.slaveMasterHost !== master.addr.hostname))
    ) {
      return 1000;
    }
    // As Redis: every second while the master is ODOWN or failing over, or while the replica's
    // own replication link is down, to keep the link-down time fresh.
    if (master.flags & (SRI.O_DOWN | SRI.FAILOVER_IN_PROGRESS) || ri.masterLinkDownTime !== 0) return 1000;
  }
  return infoPeriod;
}

export function sendInfo(ctx: SentinelCtx, ri: Instance, then?: () => void): boolean {
  return sendCommand(ri, ['INFO'], (r) => {
    const text = replyText(r);
    if (text !== null) refreshInstanceInfo(ctx, ri, text);
    then?.();
  });
}

export function sendPeriodicCommands(ctx: SentinelCtx, ri: Instance): void {
  const now = ctx.now();
  const link = ri.link;
  if (link.disconnected) return;
  // A link that does not answer should not make us buffer without limit.
  if (link.pendingCommands >= SENTINEL_MAX_PENDING_COMMANDS * link.refcount) return;

  if (!(ri.flags & SRI.SENTINEL) && (ri.infoRefresh === 0 || now - ri.infoRefresh > infoInterval(ri, ctx.timing.infoPeriod))) {
    sendInfo(ctx, ri);
  }

  const pingEvery = pingInterval(ri.downAfterPeriod, ctx.timing.pingPeriod);
  if (now - link.lastPongTime > pingEvery && now - link.lastPingTime > pingEvery / 2) {
    sendPing(ctx, ri);
  }

  if (now - ri.lastPubTime > ctx.timing.publishPeriod) sendHello(ctx, ri);
}

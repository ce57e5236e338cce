/**
 * Acting on an INFO reply: first record what the instance says (run id, role, replication link,
 * priority, offset, the replicas a master lists -> `+slave`), then — unless in TILT — act on it:
 * the promoted replica turned master moves the failover on (`+promoted-slave`), a replica that
 * claims to be a master is turned back (`+convert-to-slave`), a replica following the wrong master
 * is repointed (`+fix-slave-config`), and replicas being reconfigured advance
 * (`+slave-reconf-inprog`, `+slave-reconf-done`).
 */
import type { SentinelCtx } from '../context.js';
import { addrMatchesHost, announceHost } from '../state/addr.js';
import { SRI } from '../state/flags.js';
import { FailoverState, type Instance } from '../state/instance.js';
import { createInstance, isCreateError, lookupSlave, noDownFor } from '../state/registry.js';
import { SIMFAILURE_CRASH_AFTER_PROMOTION } from '../state/sentinel-state.js';
import { callClientReconfScript } from '../events/scripts.js';
import { forceHelloUpdateForMaster } from './hello.js';
import { parseInfo } from './info-parse.js';
import { sendSlaveOf } from './send.js';

/**
 * How long an instance must have been reporting `master` while we know it as a replica before we
 * turn it back into a replica (+convert-to-slave).
 *
 * Redis waits 4 hello periods (8 s). The wait exists for one case: the instance was promoted by a
 * failover in a newer epoch that we have not heard of yet; demoting it would undo that failover.
 * The sentinel that promoted it publishes its new configuration through that very instance (we
 * are subscribed to it: we just read its INFO over the same kind of link) right after the
 * promotion and then every hello period, and every sentinel that adopted it gossips it further.
 * So a newer configuration reaches us within one hello period of our first seeing the instance as
 * master. We wait two periods (one hello may be lost or delayed) instead of four: 4 s by default.
 */
export function convertToSlaveWait(publishPeriod: number): number {
  return publishPeriod * 2;
}

/** Is the master a sane reference to repoint replicas to? */
export function masterLooksSane(master: Instance, now: number, infoPeriod: number): boolean {
  return (
    (master.flags & SRI.MASTER) !== 0 &&
    master.roleReported === SRI.MASTER &&
    (master.flags & (SRI.S_DOWN | SRI.O_DOWN)) === 0 &&
    now - master.infoRefresh < infoPeriod * 2
  );
}

export function refreshInstanceInfo(ctx: SentinelCtx, ri: Instance, info: string): void {
  const st = ctx.state;
  const now = ctx.now();
  const p = parseInfo(info);
  ri.info = info;
  ri.masterLinkDownTime = p.masterLinkDownTime;

  if (p.runId !== null) {
    if (ri.runid === null) {
      ri.runid = p.runId;
    } else if (ri.runid !== p.runId) {
      ctx.event('notice', '+reboot', ri, '%@');
      if (ri.flags & SRI.MASTER && ri.masterRebootDownAfterPeriod !== 0) {
        ri.flags |= SRI.MASTER_REBOOT;
        ri.masterRebootSinceTime = now;
      }
      ri.runid = p.runId;
    }
  }

  if (ri.flags & SRI.MASTER) {
    for (const r of p.replicas) {
      if (lookupSlave(ctx, ri, r.ip, r.port)) continue;
      const slave = createInstance(ctx, null, SRI.SLAVE, r.ip, r.port, ri.quorum, ri);
      if (!isCreateError(slave)) {
        ctx.event('notice', '+slave', slave, '%@');
        ctx.flushConfig();
      }
    }
  }

  if (p.role === SRI.SLAVE) {
    if (p.masterHost !== null && (ri.slaveMasterHost === null || p.masterHost.toLowerCase() !== ri.slaveMasterHost.toLowerCase())) {
      ri.slaveMasterHost = p.masterHost;
      ri.slaveConfChangeTime = now;
    }
    if (p.masterPort !== null && ri.slaveMasterPort !== p.masterPort) {
      ri.slaveMasterPort = p.masterPort;
      ri.slaveConfChangeTime = now;
    }
    if (p.masterLinkUp !== null) ri.slaveMasterLinkStatus = p.masterLinkUp ? 'up' : 'down';
    if (p.slavePriority !== null) ri.slavePriority = p.slavePriority;
    if (p.slaveReplOffset !== null) ri.slaveReplOffset = p.slaveReplOffset;
    if (p.replicaAnnounced !== null) ri.replicaAnnounced = p.replicaAnnounced;
  }
  ri.infoRefresh = now;

  // ---- Acting half. The role change is recorded even in TILT; the rest is not done in TILT.
  const role = p.role;
  if (role !== ri.roleReported) {
    ri.roleReportedTime = now;
    ri.roleReported = role;
    if (role === SRI.SLAVE) ri.slaveConfChangeTime = now;
    const coherent = (ri.flags & (SRI.MASTER | SRI.SLAVE)) === role;
    ctx.event('verbose', coherent ? '+role-change' : '-role-change', ri, `%@ new reported role is ${role === SRI.MASTER ? 'master' : 'slave'}`);
  }

  if (st.tilt) return;

  // A master claiming to be a replica needs nothing here: checkSubjectivelyDown turns that into
  // SDOWN after a while, and a failover follows.

  if (ri.flags & SRI.SLAVE && role === SRI.MASTER) {
    const master = ri.master!;
    if (ri.flags & SRI.PROMOTED && master.flags & SRI.FAILOVER_IN_PROGRESS && master.failoverState === FailoverState.WAIT_PROMOTION) {
      // The promotion is confirmed: from now on the failover cannot be aborted. Take the epoch we
      // won as the configuration epoch so that every other sentinel adopts this configuration.
      master.configEpoch = master.failoverEpoch;
      master.setFailoverState(FailoverState.RECONF_SLAVES, now);
      ctx.flushConfig();
      ctx.event('warning', '+promoted-slave', ri, '%@');
      if (st.simFailureFlags & SIMFAILURE_CRASH_AFTER_PROMOTION) ctx.crash();
      ctx.event('warning', '+failover-state-reconf-slaves', master, '%@');
      callClientReconfScript(
        ctx,
        master,
        'leader',
        'start',
        announceHost(master.addr, st.announceHostnames),
        master.addr.port,
        announceHost(ri.addr, st.announceHostnames),
        ri.addr.port,
      );
      forceHelloUpdateForMaster(ctx, master);
    } else {
      const wait = convertToSlaveWait(ctx.timing.publishPeriod);
      if (!(ri.flags & SRI.PROMOTED) && masterLooksSane(master, now, ctx.timing.infoPeriod) && noDownFor(ri, wait, now) && now - ri.roleReportedTime > wait) {
        const host = announceHost(master.addr, st.announceHostnames);
        if (sendSlaveOf(ri, host, master.addr.port)) ctx.event('notice', '+convert-to-slave', ri, '%@');
      }
    }
  }

  if (
    ri.flags & SRI.SLAVE &&
    role === SRI.SLAVE &&
    (ri.slaveMasterPort !== ri.master!.addr.port || !addrMatchesHost(ri.master!.addr, ri.slaveMasterHost, st.resolveHostnames, ctx.resolver))
  ) {
    const master = ri.master!;
    const wait = master.failoverTimeout;
    if (masterLooksSane(master, now, ctx.timing.infoPeriod) && noDownFor(ri, wait, now) && now - ri.slaveConfChangeTime > wait) {
      if (sendSlaveOf(ri, announceHost(master.addr, st.announceHostnames), master.addr.port)) {
        ctx.event('notice', '+fix-slave-config', ri, '%@');
      }
    }
  }

  if (ri.flags & SRI.SLAVE && role === SRI.SLAVE && ri.flags & (SRI.RECONF_SENT | SRI.RECONF_INPROG)) {
    const promoted = ri.master!.promotedSlave;
    if (
      ri.flags & SRI.RECONF_SENT &&
      promoted &&
      ri.slaveMasterHost !== null &&
      addrMatchesHost(promoted.addr, ri.slaveMasterHost, st.resolveHostnames, ctx.resolver) &&
      ri.slaveMasterPort === promoted.addr.port
    ) {
      ri.flags &= ~SRI.RECONF_SENT;
      ri.flags |= SRI.RECONF_INPROG;
      ctx.event('notice', '+slave-reconf-inprog', ri, '%@');
    }
    if (ri.flags & SRI.RECONF_INPROG && ri.slaveMasterLinkStatus === 'up') {
      ri.flags &= ~SRI.RECONF_INPROG;
      ri.flags |= SRI.RECONF_DONE;
      ctx.event('notice', '+slave-reconf-done', ri, '%@');
      // The failover may be complete now: look at it without waiting for the next tick.
      ctx.kick();
    }
  }
}

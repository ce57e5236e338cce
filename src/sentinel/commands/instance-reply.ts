/**
 * One instance as SENTINEL MASTER / MASTERS / REPLICAS / SENTINELS show it: field-value pairs in
 * Redis's order (a map in RESP3, a flat array in RESP2), numbers as bulk strings like Redis's
 * addReplyBulkLongLong. Fields that only apply to some kinds or states are left out the way
 * Redis leaves them out.
 */
import { R, type Reply } from '../resp/types.js';
import { announceHost } from '../state/addr.js';
import { SRI, flagsText } from '../state/flags.js';
import { FAILOVER_STATE_NAMES, type Instance } from '../state/instance.js';

const num = (n: number): Reply => R.bulk(String(n));

export function instanceFields(ri: Instance, now: number, announceHostnames: boolean): Array<[string, Reply]> {
  const link = ri.link;
  const f: Array<[string, Reply]> = [];
  f.push(['name', R.bulk(ri.name)]);
  f.push(['ip', R.bulk(announceHost(ri.addr, announceHostnames))]);
  f.push(['port', num(ri.addr.port)]);
  f.push(['runid', R.bulk(ri.runid ?? '')]);
  f.push(['flags', R.bulk(flagsText(ri.flags, link.disconnected))]);
  f.push(['link-pending-commands', num(link.pendingCommands)]);
  f.push(['link-refcount', num(link.refcount)]);
  if (ri.flags & SRI.FAILOVER_IN_PROGRESS) f.push(['failover-state', R.bulk(FAILOVER_STATE_NAMES[ri.failoverState])]);
  f.push(['last-ping-sent', num(link.actPingTime ? now - link.actPingTime : 0)]);
  f.push(['last-ok-ping-reply', num(now - link.lastAvailTime)]);
  f.push(['last-ping-reply', num(now - link.lastPongTime)]);
  if (ri.flags & SRI.S_DOWN) f.push(['s-down-time', num(now - ri.sDownSinceTime)]);
  if (ri.flags & SRI.O_DOWN) f.push(['o-down-time', num(now - ri.oDownSinceTime)]);
  f.push(['down-after-milliseconds', num(ri.downAfterPeriod)]);

  if (ri.flags & (SRI.MASTER | SRI.SLAVE)) {
    f.push(['info-refresh', num(ri.infoRefresh ? now - ri.infoRefresh : 0)]);
    f.push(['role-reported', R.bulk(ri.roleReported === SRI.MASTER ? 'master' : 'slave')]);
    f.push(['role-reported-time', num(now - ri.roleReportedTime)]);
  }
  if (ri.flags & SRI.MASTER) {
    f.push(['config-epoch', num(ri.configEpoch)]);
    f.push(['num-slaves', num(ri.slaves.size)]);
    f.push(['num-other-sentinels', num(ri.sentinels.size)]);
    f.push(['quorum', num(ri.quorum)]);
    f.push(['failover-timeout', num(ri.failoverTimeout)]);
    f.push(['parallel-syncs', num(ri.parallelSyncs)]);
    if (ri.notificationScript) f.push(['notification-script', R.bulk(ri.notificationScript)]);
    if (ri.clientReconfigScript) f.push(['client-reconfig-script', R.bulk(ri.clientReconfigScript)]);
  }
  if (ri.flags & SRI.SLAVE) {
    f.push(['master-link-down-time', num(ri.masterLinkDownTime)]);
    f.push(['master-link-status', R.bulk(ri.slaveMasterLinkStatus === 'up' ? 'ok' : 'err')]);
    f.push(['master-host', R.bulk(ri.slaveMasterHost ?? '?')]);
    f.push(['master-port', num(ri.slaveMasterPort)]);
    f.push(['slave-priority', num(ri.slavePriority)]);
    f.push(['slave-repl-offset', num(ri.slaveReplOffset)]);
    f.push(['replica-announced', num(ri.replicaAnnounced)]);
  }
  if (ri.flags & SRI.SENTINEL) {
    f.push(['last-hello-message', num(now - ri.lastHelloTime)]);
    f.push(['voted-leader', R.bulk(ri.leader ?? '?')]);
    f.push(['voted-leader-epoch', num(ri.leaderEpoch)]);
  }
  return f;
}

export function instanceReply(ri: Instance, now: number, announceHostnames: boolean): Reply {
  return R.map(instanceFields(ri, now, announceHostnames));
}

/** A table of instances; replicas that asked not to be announced (replica-announced 0) are left out. */
export function instancesReply(instances: Iterable<Instance>, now: number, announceHostnames: boolean): Reply {
  const out: Reply[] = [];
  for (const ri of instances) {
    if (ri.flags & SRI.SLAVE && !ri.replicaAnnounced) continue;
    out.push(instanceReply(ri, now, announceHostnames));
  }
  return R.array(out);
}

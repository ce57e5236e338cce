/**
 * Choosing the replica to promote, by Redis's rules.
 *
 * A replica is dropped when it is SDOWN/ODOWN or disconnected, when its last valid PING reply is
 * older than 5 ping periods, when its priority is 0, when its INFO is stale (older than 5 ping
 * periods while the master is SDOWN — INFO then comes every second — else 3 INFO periods), or when
 * its link to the master has been down longer than (time the master has been SDOWN) + 10 x
 * down-after. The rest are sorted: lower replica-priority, then larger replication offset, then
 * smaller run id (case-insensitive; a missing run id sorts last).
 */
import { SRI } from '../state/flags.js';
import type { Instance } from '../state/instance.js';
import type { Timing } from '../state/timing.js';

export type RejectReason = 'down' | 'disconnected' | 'no-recent-pong' | 'priority-zero' | 'stale-info' | 'link-down-too-long';

/** Why `slave` cannot be promoted, or null when it can. */
export function rejectReason(master: Instance, slave: Instance, now: number, timing: Timing): RejectReason | null {
  let maxMasterDownTime = 0;
  if (master.flags & SRI.S_DOWN) maxMasterDownTime += now - master.sDownSinceTime;
  maxMasterDownTime += master.downAfterPeriod * 10;

  if (slave.flags & (SRI.S_DOWN | SRI.O_DOWN)) return 'down';
  if (slave.link.disconnected) return 'disconnected';
  if (now - slave.link.lastAvailTime > timing.pingPeriod * 5) return 'no-recent-pong';
  if (slave.slavePriority === 0) return 'priority-zero';
  const infoValidity = master.flags & SRI.S_DOWN ? timing.pingPeriod * 5 : timing.infoPeriod * 3;
  if (now - slave.infoRefresh > infoValidity) return 'stale-info';
  if (slave.masterLinkDownTime > maxMasterDownTime) return 'link-down-too-long';
  return null;
}

export function compareForPromotion(a: Instance, b: Instance): number {
  if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
  if (a.slaveReplOffset > b.slaveReplOffset) return -1;
  if (a.slaveReplOffset < b.slaveReplOffset) return 1;
  if (a.runid === null && b.runid === null) return 0;
  if (a.runid === null) return 1;
  if (b.runid === null) return -1;
  const x = a.runid.toLowerCase();
  const y = b.runid.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function selectSlave(master: Instance, now: number, timing: Timing): Instance | null {
  const candidates = [...master.slaves.values()].filter((s) => rejectReason(master, s, now, timing) === null);
  if (candidates.length === 0) return null;
  candidates.sort(compareForPromotion);
  return candidates[0]!;
}

/**
 * Instance flags, one bit each, in the order SENTINEL MASTER/REPLICAS/SENTINELS print them. The
 * `disconnected` flag is not a bit here: it belongs to the link (a link may be shared by several
 * records of the same sentinel), so `flagsText` takes it as an argument.
 */
export const SRI = {
  // Written as literals (1 << 0 would type as number), so that RoleFlag is these two values.
  MASTER: 1,
  SLAVE: 2,
  SENTINEL: 4,
  S_DOWN: 1 << 3,
  O_DOWN: 1 << 4,
  /** A peer sentinel with this flag told us it believes our master is down. */
  MASTER_DOWN: 1 << 5,
  FAILOVER_IN_PROGRESS: 1 << 6,
  /** The replica chosen for promotion. */
  PROMOTED: 1 << 7,
  RECONF_SENT: 1 << 8,
  RECONF_INPROG: 1 << 9,
  RECONF_DONE: 1 << 10,
  FORCE_FAILOVER: 1 << 11,
  SCRIPT_KILL_SENT: 1 << 12,
  MASTER_REBOOT: 1 << 13,
} as const;

export type RoleFlag = typeof SRI.MASTER | typeof SRI.SLAVE;

export function flagsText(flags: number, disconnected: boolean): string {
  const out: string[] = [];
  if (flags & SRI.S_DOWN) out.push('s_down');
  if (flags & SRI.O_DOWN) out.push('o_down');
  if (flags & SRI.MASTER) out.push('master');
  if (flags & SRI.SLAVE) out.push('slave');
  if (flags & SRI.SENTINEL) out.push('sentinel');
  if (disconnected) out.push('disconnected');
  if (flags & SRI.MASTER_DOWN) out.push('master_down');
  if (flags & SRI.FAILOVER_IN_PROGRESS) out.push('failover_in_progress');
  if (flags & SRI.PROMOTED) out.push('promoted');
  if (flags & SRI.RECONF_SENT) out.push('reconf_sent');
  if (flags & SRI.RECONF_INPROG) out.push('reconf_inprog');
  if (flags & SRI.RECONF_DONE) out.push('reconf_done');
  if (flags & SRI.FORCE_FAILOVER) out.push('force_failover');
  if (flags & SRI.SCRIPT_KILL_SENT) out.push('script_kill_sent');
  return out.join(',');
}

export function typeName(flags: number): 'master' | 'slave' | 'sentinel' | 'unknown' {
  if (flags & SRI.MASTER) return 'master';
  if (flags & SRI.SLAVE) return 'slave';
  if (flags & SRI.SENTINEL) return 'sentinel';
  return 'unknown';
}

/**
 * Creating, finding, resetting and releasing instance records, with Redis's rules: masters are
 * keyed by name, replicas by `ip:port`, sentinels by run id; duplicates are refused.
 */
import type { SentinelCtx } from '../context.js';
import { addrEqual, addrOrHostnameEqual, announceHost, createAddr, hostPort, isAddrError, type Addr, type AddrError } from './addr.js';
import { SRI } from './flags.js';
import { globMatch } from '../server/glob.js';
import { FailoverState, Instance } from './instance.js';

export type CreateError = 'EBUSY' | 'ENOENT' | 'EINVAL';

export function createErrorText(role: number, err: CreateError): string {
  switch (err) {
    case 'EBUSY':
      if (role === SRI.MASTER) return 'Duplicate master name.';
      if (role === SRI.SLAVE) return 'Duplicate hostname and port for replica.';
      return 'Duplicate runid for sentinel.';
    case 'ENOENT':
      return "Can't resolve instance hostname.";
    case 'EINVAL':
      return 'Invalid port number.';
  }
}

export function addrOptions(ctx: SentinelCtx, acceptUnresolved: boolean) {
  return { resolveHostnames: ctx.state.resolveHostnames, resolver: ctx.resolver, acceptUnresolved };
}

export function makeAddr(ctx: SentinelCtx, host: string, port: number, acceptUnresolved: boolean): Addr | AddrError {
  return createAddr(host, port, addrOptions(ctx, acceptUnresolved));
}

export function announcedHost(ctx: SentinelCtx, a: Addr): string {
  return announceHost(a, ctx.state.announceHostnames);
}

/** Creates a record and adds it to the right table (masters, master.slaves or master.sentinels). */
export function createInstance(
  ctx: SentinelCtx,
  name: string | null,
  flags: number,
  host: string,
  port: number,
  quorum: number,
  master: Instance | null,
): Instance | CreateError {
  const addr = makeAddr(ctx, host, port, true);
  if (isAddrError(addr)) return addr;
  const key = flags & SRI.SLAVE ? hostPort(announcedHost(ctx, addr), addr.port) : name!;
  const table = flags & SRI.MASTER ? ctx.state.masters : flags & SRI.SLAVE ? master!.slaves : master!.sentinels;
  if (table.has(key)) return 'EBUSY';
  const ri = new Instance({
    flags,
    name: key,
    addr,
    master,
    quorum,
    now: ctx.now(),
    downAfterPeriod: ctx.timing.defaultDownAfter,
    failoverTimeout: ctx.timing.defaultFailoverTimeout,
  });
  table.set(key, ri);
  return ri;
}

export function isCreateError(x: Instance | CreateError): x is CreateError {
  return typeof x === 'string';
}

/** Drops a record: its sub-records, its link share, and the master's promoted pointer. */
export function releaseInstance(ri: Instance): void {
  for (const s of ri.sentinels.values()) releaseInstance(s);
  for (const s of ri.slaves.values()) releaseInstance(s);
  ri.sentinels.clear();
  ri.slaves.clear();
  ri.link.refcount--;
  if (ri.link.refcount <= 0) ri.link.close();
  if (ri.flags & SRI.SLAVE && ri.flags & SRI.PROMOTED && ri.master && ri.master.promotedSlave === ri) {
    ri.master.promotedSlave = null;
  }
}

export function lookupSlave(ctx: SentinelCtx, master: Instance, host: string, port: number): Instance | undefined {
  const addr = makeAddr(ctx, host, port, false);
  if (isAddrError(addr)) return undefined;
  return master.slaves.get(hostPort(announcedHost(ctx, addr), addr.port));
}

/** Finds a record by address and/or run id (either may be null, not both). */
export function findByAddrAndRunId(
  ctx: SentinelCtx,
  instances: Map<string, Instance>,
  host: string | null,
  port: number,
  runid: string | null,
): Instance | null {
  let addr: Addr | null = null;
  if (host !== null) {
    const a = makeAddr(ctx, host, port, true);
    if (isAddrError(a)) return null;
    addr = a;
  }
  for (const ri of instances.values()) {
    if (runid !== null && ri.runid === null) continue;
    if ((runid === null || ri.runid === runid) && (addr === null || addrOrHostnameEqual(ri.addr, addr))) return ri;
  }
  return null;
}

export function removeMatchingSentinelFromMaster(master: Instance, runid: string | null): number {
  if (runid === null) return 0;
  let removed = 0;
  for (const [key, ri] of [...master.sentinels]) {
    if (ri.runid === runid) {
      master.sentinels.delete(key);
      releaseInstance(ri);
      removed++;
    }
  }
  return removed;
}

/** Shares the link of the same physical sentinel already known under another master. */
export function tryConnectionSharing(ctx: SentinelCtx, ri: Instance): boolean {
  if (ri.runid === null || ri.link.refcount > 1) return false;
  for (const master of ctx.state.masters.values()) {
    if (master === ri.master) continue;
    const match = findByAddrAndRunId(ctx, master.sentinels, null, 0, ri.runid);
    if (!match || match === ri) continue;
    ri.link.refcount--;
    if (ri.link.refcount <= 0) ri.link.close();
    ri.link = match.link;
    match.link.refcount++;
    return true;
  }
  return false;
}

/** A sentinel moved: update its address under every master and drop the old connections. */
export function updateSentinelAddressInAllMasters(ctx: SentinelCtx, ri: Instance): number {
  let reconfigured = 0;
  for (const master of ctx.state.masters.values()) {
    const match = findByAddrAndRunId(ctx, master.sentinels, null, 0, ri.runid);
    if (!match) continue;
    // The links were made for the old address: close them, the next tick reconnects.
    match.link.close();
    if (match === ri) continue;
    match.addr = { ...ri.addr };
    reconfigured++;
  }
  if (reconfigured) ctx.event('notice', '+sentinel-address-update', ri, `%@ ${reconfigured} additional matching instances`);
  return reconfigured;
}

export const RESET_NO_SENTINELS = 1 << 0;
export const RESET_GENERATE_EVENT = 1 << 16;

/** Forgets replicas (and sentinels unless asked not to), runtime flags, failover and timers. */
export function resetMaster(ctx: SentinelCtx, ri: Instance, flags: number): void {
  const now = ctx.now();
  for (const s of ri.slaves.values()) releaseInstance(s);
  ri.slaves.clear();
  if (!(flags & RESET_NO_SENTINELS)) {
    for (const s of ri.sentinels.values()) releaseInstance(s);
    ri.sentinels.clear();
  } else {
    // Departure from Redis: the peers' "down" answers were about the master as it was (at
    // +switch-master, another address). Redis keeps them until they are 5 ask periods old, so a
    // sentinel that finds the new master SDOWN within those 5 s (after a stall of its own longer
    // than down-after) counts them and reaches ODOWN at once: a second failover nobody agreed on,
    // seen with down-after 1 s on a loaded machine (+odown #quorum 3/2 while neither peer called
    // the new master down). Their next answers are about the new address.
    for (const s of ri.sentinels.values()) {
      s.flags &= ~SRI.MASTER_DOWN;
      s.leader = null;
    }
  }
  // Close rather than drop: the address may change right after (switch-master), and the next
  // tick opens links to whatever address the record has then.
  ri.link.close();
  ri.flags &= SRI.MASTER;
  ri.leader = null;
  ri.setFailoverState(FailoverState.NONE, 0);
  ri.failoverStartTime = 0; // a reset allows failing over again at once
  ri.promotedSlave = null;
  ri.runid = null;
  ri.slaveMasterHost = null;
  ri.link.actPingTime = now;
  ri.link.lastPingTime = 0;
  ri.link.lastAvailTime = now;
  ri.link.lastPongTime = now;
  ri.roleReportedTime = now;
  ri.roleReported = SRI.MASTER;
  if (flags & RESET_GENERATE_EVENT) ctx.event('warning', '+reset-master', ri, '%@');
}

export function resetMastersByPattern(ctx: SentinelCtx, pattern: string, flags: number): number {
  let reset = 0;
  for (const ri of ctx.state.masters.values()) {
    if (globMatch(pattern, ri.name)) {
      resetMaster(ctx, ri, flags);
      reset++;
    }
  }
  return reset;
}

/**
 * +switch-master: reset the master and give it the new address, keeping the replicas (minus the
 * one at the new address) and adding the old master address as a replica, so that the old master
 * is watched and reconfigured when it comes back.
 */
export function resetMasterAndChangeAddress(ctx: SentinelCtx, master: Instance, host: string, port: number): boolean {
  const newaddr = makeAddr(ctx, host, port, false);
  if (isAddrError(newaddr)) return false;
  const slaves: Addr[] = [];
  for (const s of master.slaves.values()) {
    if (addrEqual(s.addr, newaddr)) continue;
    slaves.push({ ...s.addr });
  }
  if (!addrEqual(newaddr, master.addr)) slaves.push({ ...master.addr });
  resetMaster(ctx, master, RESET_NO_SENTINELS);
  master.addr = newaddr;
  master.oDownSinceTime = 0;
  master.sDownSinceTime = 0;
  for (const a of slaves) {
    const s = createInstance(ctx, null, SRI.SLAVE, a.hostname, a.port, master.quorum, master);
    if (!isCreateError(s)) ctx.event('notice', '+slave', s, '%@');
  }
  ctx.flushConfig();
  return true;
}

/** True when the record was not SDOWN/ODOWN within the last `ms` milliseconds. */
export function noDownFor(ri: Instance, ms: number, now: number): boolean {
  const mostRecent = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
  return mostRecent === 0 || now - mostRecent > ms;
}

/**
 * The address clients should use: the promoted replica's once the failover reached
 * RECONF_SLAVES (the replica acknowledged its promotion), else the master's.
 */
export function currentMasterAddress(master: Instance): Addr {
  if (master.flags & SRI.FAILOVER_IN_PROGRESS && master.promotedSlave && master.failoverState >= FailoverState.RECONF_SLAVES) {
    return master.promotedSlave.addr;
  }
  return master.addr;
}

export function propagateDownAfterPeriod(master: Instance): void {
  for (const ri of master.slaves.values()) ri.downAfterPeriod = master.downAfterPeriod;
  for (const ri of master.sentinels.values()) ri.downAfterPeriod = master.downAfterPeriod;
}

/**
 * Between sentinel.conf and the live state: building the state from the parsed file (with
 * Redis's errors for duplicates and bad addresses), and the plain data the rewriter persists
 * (myid, epochs, per-master options, known replicas and sentinels), following Redis's rules:
 * the master line carries the current address (the promoted replica's once it confirmed), and a
 * replica at that address is written under the old master's address instead.
 */
import type { SentinelCtx } from '../context.js';
import type { MasterConfig, SentinelConfig, SentinelGlobals, SentinelPersistState } from '../config/types.js';
import { addrEqual, announceHost } from './addr.js';
import { SRI } from './flags.js';
import type { Instance } from './instance.js';
import { createErrorText, createInstance, currentMasterAddress, isCreateError, propagateDownAfterPeriod, tryConnectionSharing } from './registry.js';

export class StateLoadError extends Error {}

export function loadState(ctx: SentinelCtx, cfg: SentinelConfig): void {
  const st = ctx.state;
  const g = cfg.globals;
  st.announceIp = g.announceIp && g.announceIp.length ? g.announceIp : null;
  st.announcePort = g.announcePort;
  st.resolveHostnames = g.resolveHostnames;
  st.announceHostnames = g.announceHostnames;
  st.denyScriptsReconfig = g.denyScriptsReconfig;
  st.sentinelAuthUser = g.sentinelUser && g.sentinelUser.length ? g.sentinelUser : null;
  st.sentinelAuthPass = g.sentinelPass && g.sentinelPass.length ? g.sentinelPass : null;
  if (cfg.myid) st.myid = cfg.myid;
  st.currentEpoch = Math.max(st.currentEpoch, cfg.currentEpoch);
  for (const line of cfg.lines) {
    if (line.args.length === 2 && line.args[0]!.toLowerCase() === 'requirepass') st.requirePass = line.args[1]!.length ? line.args[1]! : null;
  }

  for (const mc of cfg.masters) {
    if (mc.quorum <= 0) throw new StateLoadError(`sentinel monitor ${mc.name}: Quorum must be 1 or greater.`);
    const m = createInstance(ctx, mc.name, SRI.MASTER, mc.host, mc.port, mc.quorum, null);
    if (isCreateError(m)) throw new StateLoadError(`sentinel monitor ${mc.name} ${mc.host} ${mc.port}: ${createErrorText(SRI.MASTER, m)}`);
    m.downAfterPeriod = mc.downAfterMs;
    m.failoverTimeout = mc.failoverTimeoutMs;
    m.parallelSyncs = mc.parallelSyncs;
    m.notificationScript = mc.notificationScript ?? null;
    m.clientReconfigScript = mc.clientReconfigScript ?? null;
    m.authPass = mc.authPass ?? null;
    m.authUser = mc.authUser ?? null;
    m.masterRebootDownAfterPeriod = mc.masterRebootDownAfterPeriodMs;
    m.configEpoch = mc.configEpoch;
    if (m.configEpoch > st.currentEpoch) st.currentEpoch = m.configEpoch;
    m.leaderEpoch = mc.leaderEpoch;
    for (const [from, to] of mc.renamedCommands) m.renamedCommands.set(from.toLowerCase(), to);
  }
  // Replicas and sentinels after every master, as Redis loads them after the monitor lines.
  for (const mc of cfg.masters) {
    const m = st.masters.get(mc.name)!;
    for (const r of mc.knownReplicas) {
      const s = createInstance(ctx, null, SRI.SLAVE, r.host, r.port, m.quorum, m);
      if (isCreateError(s)) throw new StateLoadError(`sentinel known-replica ${mc.name} ${r.host} ${r.port}: ${createErrorText(SRI.SLAVE, s)}`);
    }
    for (const k of mc.knownSentinels) {
      if (!k.runId) continue; // the old form without run id is ignored, as by Redis
      const si = createInstance(ctx, k.runId, SRI.SENTINEL, k.host, k.port, m.quorum, m);
      if (isCreateError(si))
        throw new StateLoadError(`sentinel known-sentinel ${mc.name} ${k.host} ${k.port} ${k.runId}: ${createErrorText(SRI.SENTINEL, si)}`);
      si.runid = k.runId;
      tryConnectionSharing(ctx, si);
    }
    propagateDownAfterPeriod(m);
  }
}

function masterConfig(m: Instance, announceHostnames: boolean): MasterConfig {
  const addr = currentMasterAddress(m);
  const mc: MasterConfig = {
    name: m.name,
    host: announceHost(addr, announceHostnames),
    port: addr.port,
    quorum: m.quorum,
    downAfterMs: m.downAfterPeriod,
    failoverTimeoutMs: m.failoverTimeout,
    parallelSyncs: m.parallelSyncs,
    masterRebootDownAfterPeriodMs: m.masterRebootDownAfterPeriod,
    configEpoch: m.configEpoch,
    leaderEpoch: m.leaderEpoch,
    knownReplicas: [],
    knownSentinels: [],
    renamedCommands: [...m.renamedCommands],
  };
  if (m.notificationScript) mc.notificationScript = m.notificationScript;
  if (m.clientReconfigScript) mc.clientReconfigScript = m.clientReconfigScript;
  if (m.authPass) mc.authPass = m.authPass;
  if (m.authUser) mc.authUser = m.authUser;
  for (const s of m.slaves.values()) {
    // The promoted replica now stands in the monitor line; the old master takes its place here.
    const a = addrEqual(s.addr, addr) ? m.addr : s.addr;
    mc.knownReplicas.push({ host: announceHost(a, announceHostnames), port: a.port });
  }
  for (const si of m.sentinels.values()) {
    if (si.runid === null) continue;
    mc.knownSentinels.push({ host: announceHost(si.addr, announceHostnames), port: si.addr.port, runId: si.runid });
  }
  return mc;
}

export type PersistBase = Pick<SentinelPersistState, 'dir' | 'users' | 'port' | 'protectedMode' | 'usersInAclFile'>;

export function persistState(ctx: SentinelCtx, base: PersistBase): SentinelPersistState {
  const st = ctx.state;
  const globals: SentinelGlobals = {
    announcePort: st.announcePort,
    resolveHostnames: st.resolveHostnames,
    announceHostnames: st.announceHostnames,
    denyScriptsReconfig: st.denyScriptsReconfig,
  };
  if (st.announceIp) globals.announceIp = st.announceIp;
  if (st.sentinelAuthUser) globals.sentinelUser = st.sentinelAuthUser;
  if (st.sentinelAuthPass) globals.sentinelPass = st.sentinelAuthPass;
  return {
    myid: st.myid,
    currentEpoch: st.currentEpoch,
    globals,
    masters: [...st.masters.values()].map((m) => masterConfig(m, st.announceHostnames)),
    ...base,
  };
}

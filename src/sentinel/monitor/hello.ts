/**
 * Hello gossip. Every publish period each sentinel PUBLISHes its address, run id, current epoch
 * and its view of the master (address + config epoch) to every master and replica it monitors
 * and to every other sentinel. Receiving one lets a sentinel discover peers (+sentinel), follow
 * address changes, adopt a higher epoch (+new-epoch), and adopt a newer master configuration
 * (+config-update-from, +switch-master).
 */
import type { SentinelCtx } from '../context.js';
import { addrMatchesHost, announceHost } from '../state/addr.js';
import { SRI } from '../state/flags.js';
import type { Instance } from '../state/instance.js';
import {
  currentMasterAddress,
  createInstance,
  findByAddrAndRunId,
  isCreateError,
  removeMatchingSentinelFromMaster,
  resetMasterAndChangeAddress,
  tryConnectionSharing,
  updateSentinelAddressInAllMasters,
} from '../state/registry.js';
import { HELLO_CHANNEL } from '../state/timing.js';
import { buildHello, parseHello } from './hello-format.js';
import { sendCommand } from './send.js';
import { callClientReconfScript } from '../events/scripts.js';

/** A message from the hello channel of a master or replica. */
export function receiveHelloMessage(ctx: SentinelCtx, message: string): void {
  // Our own hellos come back to us through the channel: not interesting.
  if (ctx.state.myid && message.includes(ctx.state.myid)) return;
  processHello(ctx, message);
}

export function processHello(ctx: SentinelCtx, payload: string): void {
  const h = parseHello(payload);
  if (!h) return;
  const st = ctx.state;
  const master = st.masters.get(h.masterName);
  if (!master) return;

  let si = findByAddrAndRunId(ctx, master.sentinels, h.ip, h.port, h.runid);
  if (!si) {
    // Unknown at this address with this id: either the same sentinel moved (drop the old
    // record and re-add it), or a new one, which takes over the address of any other record
    // claiming it.
    const removed = removeMatchingSentinelFromMaster(master, h.runid);
    if (removed) {
      ctx.event('notice', '+sentinel-address-switch', master, `%@ ip ${h.ip} port ${h.port} for ${h.runid}`);
    } else {
      const other = findByAddrAndRunId(ctx, master.sentinels, h.ip, h.port, null);
      if (other) {
        ctx.event('notice', '+sentinel-invalid-addr', other, '%@');
        const obsolete = other.runid;
        for (const m of st.masters.values()) removeMatchingSentinelFromMaster(m, obsolete);
      }
    }
    const created = createInstance(ctx, h.runid, SRI.SENTINEL, h.ip, h.port, master.quorum, master);
    if (!isCreateError(created)) {
      si = created;
      if (!removed) ctx.event('notice', '+sentinel', si, '%@');
      si.runid = h.runid;
      tryConnectionSharing(ctx, si);
      if (removed) updateSentinelAddressInAllMasters(ctx, si);
      ctx.flushConfig();
    } else {
      si = null;
    }
  }

  if (h.currentEpoch > st.currentEpoch) {
    st.currentEpoch = h.currentEpoch;
    ctx.flushConfig();
    ctx.event('warning', '+new-epoch', master, `${st.currentEpoch}`);
  }

  if (si && master.configEpoch < h.masterConfigEpoch) {
    master.configEpoch = h.masterConfigEpoch;
    if (h.masterPort !== master.addr.port || !addrMatchesHost(master.addr, h.masterIp, st.resolveHostnames, ctx.resolver)) {
      ctx.event('warning', '+config-update-from', si, '%@');
      const oldHost = announceHost(master.addr, st.announceHostnames);
      const oldPort = master.addr.port;
      ctx.event('warning', '+switch-master', master, `${master.name} ${oldHost} ${oldPort} ${h.masterIp} ${h.masterPort}`);
      resetMasterAndChangeAddress(ctx, master, h.masterIp, h.masterPort);
      callClientReconfScript(ctx, master, 'observer', 'start', oldHost, oldPort, announceHost(master.addr, st.announceHostnames), master.addr.port);
      // Start watching the new master right away instead of at the next tick.
      ctx.kick();
    }
  }

  if (si) si.lastHelloTime = ctx.now();
}

/** Publishes our hello through `ri` (a master, replica, or peer sentinel). */
export function sendHello(ctx: SentinelCtx, ri: Instance): boolean {
  if (ri.link.disconnected) return false;
  const st = ctx.state;
  const master = ri.flags & SRI.MASTER ? ri : ri.master!;
  const masterAddr = currentMasterAddress(master);
  let ip = st.announceIp;
  if (!ip) {
    const local = ri.link.cc?.localAddress();
    if (!local) return false;
    ip = local.address;
  }
  const port = st.announcePort || ctx.listenPort();
  const payload = buildHello({
    ip,
    port,
    runid: st.myid,
    currentEpoch: st.currentEpoch,
    masterName: master.name,
    masterIp: announceHost(masterAddr, st.announceHostnames),
    masterPort: masterAddr.port,
    masterConfigEpoch: master.configEpoch,
  });
  return sendCommand(ri, ['PUBLISH', HELLO_CHANNEL, payload], (r) => {
    // Only count it as published when it was; otherwise retry at the next tick.
    if (r.type !== 'error') ri.lastPubTime = ctx.now();
  });
}

function forceHelloFor(ctx: SentinelCtx, instances: Iterable<Instance>): void {
  const p = ctx.timing.publishPeriod + 1;
  for (const ri of instances) if (ri.lastPubTime >= p) ri.lastPubTime -= p;
}

/** After a configuration change, tell everybody at the next tick instead of within a period. */
export function forceHelloUpdateForMaster(ctx: SentinelCtx, master: Instance): void {
  if (!(master.flags & SRI.MASTER)) return;
  forceHelloFor(ctx, [master]);
  forceHelloFor(ctx, master.sentinels.values());
  forceHelloFor(ctx, master.slaves.values());
  ctx.kick();
}

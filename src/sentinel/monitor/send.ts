/**
 * Sending commands to monitored instances and peers over their command link, and opening the
 * links in the first place (Redis's sentinelReconnectInstance; the link objects reconnect by
 * themselves afterwards). Replies to fire-and-forget commands are discarded, as Redis does: their
 * effect is observed through the next INFO instead.
 */
import type { SentinelCtx } from '../context.js';
import type { LinkAuth } from '../link/types.js';
import type { Reply } from '../resp/types.js';
import { connectHost } from '../state/addr.js';
import { SRI } from '../state/flags.js';
import type { Instance } from '../state/instance.js';
import { HELLO_CHANNEL } from '../state/timing.js';
import { receiveHelloMessage } from './hello.js';

/**
 * Queues a command on the instance's command link. Returns false when the link is not connected
 * (nothing is written then). `onReply` only sees replies, error replies included.
 */
export function sendCommand(ri: Instance, args: string[], onReply?: (reply: Reply) => void): boolean {
  const cc = ri.link.cc;
  if (!cc || cc.state !== 'connected') return false;
  cc.send(args).then(
    (r) => onReply?.(r),
    () => {
      /* a LinkError (timeout, disconnect): Redis drops such replies too */
    },
  );
  return true;
}

/** Text of a bulk or verbatim reply (INFO), or null. */
export function replyText(r: Reply): string | null {
  if (r.type === 'bulk') return typeof r.value === 'string' ? r.value : r.value.toString('utf8');
  if (r.type === 'verbatim') return r.value;
  return null;
}

function authFor(ctx: SentinelCtx, ri: Instance): LinkAuth | undefined {
  let pass: string | null = null;
  let user: string | null = null;
  if (ri.flags & SRI.MASTER) {
    pass = ri.authPass;
    user = ri.authUser;
  } else if (ri.flags & SRI.SLAVE) {
    pass = ri.master!.authPass;
    user = ri.master!.authUser;
  } else if (ctx.state.sentinelAuthPass) {
    pass = ctx.state.sentinelAuthPass;
    user = ctx.state.sentinelAuthUser;
  } else {
    // Older configurations: requirepass protects this sentinel and is what peers share.
    pass = ctx.state.requirePass;
  }
  if (!pass) return undefined;
  return user ? { user, pass } : { pass };
}

/** Opens the links of a record that has none yet. */
export function ensureLinks(ctx: SentinelCtx, ri: Instance): void {
  if (ri.addr.port === 0) return; // port 0 marks an address known to be invalid
  const link = ri.link;
  const owner = ri.master ?? ri;
  const common = {
    host: connectHost(ri.addr),
    port: ri.addr.port,
    auth: () => authFor(ctx, ri),
    renameCommand: (name: string) => owner.renamedCommands.get(name.toLowerCase()) ?? name,
    // Like hiredis in Redis: no per-command timeout. A silent instance is detected by the PING
    // bookkeeping below, and a link stuck that way is dropped by checkSubjectivelyDown.
    commandTimeoutMs: 0,
    connectTimeoutMs: Math.max(1000, ri.downAfterPeriod),
    reconnectPeriodMs: ctx.timing.pingPeriod,
    now: () => ctx.now(),
  };
  const idPrefix = ctx.state.myid.slice(0, 8);
  if (!link.cc) {
    link.cc = ctx.links.command({
      ...common,
      clientName: `sentinel-${idPrefix}-cmd`,
      // Send a PING as soon as the link is up, as Redis does on reconnection.
      onConnect: () => {
        sendPing(ctx, ri);
        ctx.kick();
      },
    });
  }
  if (ri.flags & (SRI.MASTER | SRI.SLAVE) && !link.pc) {
    link.pc = ctx.links.pubsub({
      ...common,
      clientName: `sentinel-${idPrefix}-pubsub`,
      channels: [HELLO_CHANNEL],
      onMessage: (channel, message) => {
        if (channel === HELLO_CHANNEL) receiveHelloMessage(ctx, message);
      },
      onConnect: () => ctx.kick(),
    });
  }
}

/** PING, and the bookkeeping failure detection relies on. */
export function sendPing(ctx: SentinelCtx, ri: Instance): boolean {
  const link = ri.link;
  const ok = sendCommand(ri, ['PING'], (r) => pingReply(ctx, ri, link, r));
  if (ok) {
    link.lastPingTime = ctx.now();
    // The active ping time only moves once the previous ping was answered: until then we are
    // waiting since the first unanswered one.
    if (link.actPingTime === 0) link.actPingTime = link.lastPingTime;
  }
  return ok;
}

function pingReply(ctx: SentinelCtx, ri: Instance, link: Instance['link'], r: Reply): void {
  const now = ctx.now();
  if (r.type === 'simple' || r.type === 'error') {
    const text = r.value;
    if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
      link.lastAvailTime = now;
      link.actPingTime = 0;
      if (ri.flags & SRI.MASTER_REBOOT && text.startsWith('PONG')) ri.flags &= ~SRI.MASTER_REBOOT;
    } else if (text.startsWith('BUSY') && ri.flags & SRI.S_DOWN && !(ri.flags & SRI.SCRIPT_KILL_SENT)) {
      // Down because of a busy script: ask it to stop.
      sendCommand(ri, ['SCRIPT', 'KILL']);
      ri.flags |= SRI.SCRIPT_KILL_SENT;
    }
  }
  link.lastPongTime = now;
}

/**
 * SLAVEOF as a transaction: MULTI, SLAVEOF host port (or NO ONE), CONFIG REWRITE, CLIENT KILL TYPE
 * normal, CLIENT KILL TYPE pubsub, EXEC. Killing the clients makes them reconnect and ask the
 * sentinels again. `host` null means SLAVEOF NO ONE. `then` runs after the EXEC reply.
 */
export function sendSlaveOf(ri: Instance, host: string | null, port: number, then?: () => void): boolean {
  const target = host === null ? ['NO', 'ONE'] : [host, String(port)];
  if (!sendCommand(ri, ['MULTI'])) return false;
  sendCommand(ri, ['SLAVEOF', ...target]);
  sendCommand(ri, ['CONFIG', 'REWRITE']);
  sendCommand(ri, ['CLIENT', 'KILL', 'TYPE', 'normal']);
  sendCommand(ri, ['CLIENT', 'KILL', 'TYPE', 'pubsub']);
  return sendCommand(ri, ['EXEC'], () => then?.());
}

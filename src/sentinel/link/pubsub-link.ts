/**
 * The pub/sub link: subscribes to its channels on every connect and hands `message` frames to
 * `onMessage`. Any frame counts as activity (Redis's pc_last_activity), which core uses to spot
 * a link that went quiet.
 *
 * An error reply to SUBSCRIBE (NOAUTH from a node that refuses us, a renamed-away command) drops
 * the connection, to be retried after the reconnect period: hiredis does that in Redis, because
 * such a reply has no callback waiting for it, so the instance shows `disconnected` for as long as
 * it refuses. The replies to the AUTH and CLIENT SETNAME sent before it are discarded, as Redis
 * discards them.
 */
import type { Reply } from '../resp/types.js';
import { BaseLink } from './link.js';
import type { PubSubLink, PubSubLinkOptions } from './types.js';

function text(r: Reply | undefined): string | undefined {
  if (!r) return undefined;
  if (r.type === 'bulk') return Buffer.isBuffer(r.value) ? r.value.toString('utf8') : r.value;
  if (r.type === 'simple') return r.value;
  return undefined;
}

export class PubSubLinkImpl extends BaseLink implements PubSubLink {
  lastActivityAt = 0;
  /** Replies still due to the handshake's AUTH / CLIENT SETNAME on this connection. */
  private handshakeReplies = 0;

  constructor(private readonly ps: PubSubLinkOptions) {
    super(ps);
    this.start();
  }

  protected handshake(): void {
    this.lastActivityAt = this.connectedAt;
    const cmds = this.handshakeCommands();
    this.handshakeReplies = cmds.length;
    for (const cmd of cmds) this.write(cmd);
    if (this.ps.channels.length) this.write([this.mapName('SUBSCRIBE'), ...this.ps.channels]);
  }

  protected onReply(r: Reply): void {
    this.lastActivityAt = this.now();
    if (this.handshakeReplies > 0) {
      this.handshakeReplies--;
      return;
    }
    if (r.type === 'error') {
      this.disconnect(`SUBSCRIBE refused: ${r.value}`);
      return;
    }
    if (r.type !== 'array' && r.type !== 'push') return;
    if (r.value.length !== 3 || text(r.value[0]) !== 'message') return;
    const channel = text(r.value[1]);
    const message = text(r.value[2]);
    if (channel === undefined || message === undefined) return;
    this.ps.onMessage(channel, message);
  }

  protected onDropped(): void {
    this.lastActivityAt = 0;
  }
}

export function createPubSubLink(opts: PubSubLinkOptions): PubSubLink {
  return new PubSubLinkImpl(opts);
}

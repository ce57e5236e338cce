/**
 * The link to an instance: a command link and (for masters and replicas) a pub/sub link, plus the
 * timestamps failure detection reads. Records of the same physical sentinel under several masters
 * share one link (refcount), so that five sentinels watching a hundred masters keep five
 * connections and send five PINGs, as in Redis.
 *
 * The connections themselves are src/sentinel/link/ objects (`CommandLink`, `PubSubLink`), which
 * reconnect by themselves; `LinkFactory` is how this module gets them, so that tests can hand in
 * in-memory links.
 */
import type { CommandLink, LinkOptions, PubSubLink, PubSubLinkOptions } from '../link/types.js';

export interface LinkFactory {
  command(opts: LinkOptions): CommandLink;
  pubsub(opts: PubSubLinkOptions): PubSubLink;
}

export class InstanceLink {
  refcount = 1;
  cc: CommandLink | null = null;
  pc: PubSubLink | null = null;
  /** Last valid PING reply (PONG, LOADING, MASTERDOWN). */
  lastAvailTime: number;
  /** Time of the oldest PING still waiting for a reply; 0 when none is pending. */
  actPingTime: number;
  lastPingTime = 0;
  /** Last PING reply of any kind. */
  lastPongTime: number;

  constructor(now: number) {
    // As in Redis: a link that never connects times out from its creation.
    this.actPingTime = now;
    this.lastAvailTime = now;
    this.lastPongTime = now;
  }

  /** Redis's `link->disconnected`: the command link, or for masters/replicas either link, is not up. */
  get disconnected(): boolean {
    if (!this.cc || this.cc.state !== 'connected') return true;
    if (this.pc && this.pc.state !== 'connected') return true;
    return false;
  }

  get pendingCommands(): number {
    return this.cc ? this.cc.pendingCommands : 0;
  }

  get ccConnTime(): number {
    return this.cc ? this.cc.connectedAt : 0;
  }

  get pcConnTime(): number {
    return this.pc ? this.pc.connectedAt : 0;
  }

  get pcLastActivity(): number {
    return this.pc ? this.pc.lastActivityAt : 0;
  }

  /** Drops both connections; the links reconnect by themselves after their period. */
  dropConnections(reason: string): void {
    this.cc?.disconnect(reason);
    this.pc?.disconnect(reason);
  }

  /** Closes both links for good (the record is going away). */
  close(): void {
    this.cc?.close();
    this.pc?.close();
    this.cc = null;
    this.pc = null;
  }
}

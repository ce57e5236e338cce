/**
 * What the command link and the pub/sub link share: connecting with a timeout, the handshake
 * (AUTH, CLIENT SETNAME), noticing the peer is gone, and reconnecting no more often than the
 * reconnect period. Socket errors are absorbed here: they always end in one `onDisconnect`.
 */
import net from 'node:net';
import { encodeCommand, encodeCommandText } from '../resp/encoder.js';
import { ReplyParser, ReplyProtocolError } from '../resp/reply-parser.js';
import type { Reply } from '../resp/types.js';
import type { LinkOptions, LinkState } from './types.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** Redis tries to reconnect a link at most once per ping period. */
export const DEFAULT_RECONNECT_PERIOD_MS = 1000;

export abstract class BaseLink {
  readonly host: string;
  readonly port: number;
  state: LinkState = 'connecting';
  connectedAt = 0;
  protected socket: net.Socket | null = null;
  protected readonly now: () => number;
  private parser = new ReplyParser();
  private lastAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private corked = false;

  constructor(protected readonly opts: LinkOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.now = opts.now ?? Date.now;
  }

  get peer(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  localAddress(): { address: string; port: number } | undefined {
    const s = this.socket;
    if (this.state !== 'connected' || !s || !s.localAddress || !s.localPort) return undefined;
    const a = s.localAddress.startsWith('::ffff:') ? s.localAddress.slice(7) : s.localAddress;
    return { address: a, port: s.localPort };
  }

  /** The command name as the peer knows it (rename-command). */
  protected mapName(name: string): string {
    return this.opts.renameCommand ? this.opts.renameCommand(name.toUpperCase()) : name;
  }

  protected start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    this.lastAttempt = this.now();
    this.parser = new ReplyParser();
    const sock = net.connect({ host: this.host, port: this.port });
    this.socket = sock;
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 15_000);
    const timeout = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.connectTimer = setTimeout(() => this.drop(sock, `connect timeout after ${timeout} ms`), timeout);
    sock.once('connect', () => {
      this.clearConnectTimer();
      if (this.socket !== sock || this.state === 'closed') return;
      this.state = 'connected';
      this.connectedAt = this.now();
      this.handshake();
      this.opts.onConnect?.();
    });
    sock.on('data', (d: Buffer) => {
      if (this.socket !== sock) return;
      this.parser.feed(d);
      try {
        for (let r = this.parser.next(); r !== undefined; r = this.parser.next()) {
          this.onReply(r);
          if (this.socket !== sock) return;
        }
      } catch (err) {
        if (err instanceof ReplyProtocolError) this.drop(sock, `protocol error: ${err.message}`);
        else throw err;
      }
    });
    let lastError = '';
    sock.on('error', (err: NodeJS.ErrnoException) => {
      lastError = err.code ?? err.message;
    });
    sock.on('close', () => this.drop(sock, lastError ? `connection lost (${lastError})` : 'connection closed by peer'));
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  /** Ends the current connection (once), tells the subclass and the owner, plans a reconnect. */
  protected drop(sock: net.Socket, reason: string): void {
    if (this.socket !== sock) return;
    this.socket = null;
    this.clearConnectTimer();
    sock.destroy();
    // A failed attempt is not news: only a link that was up reports going down.
    const wasUp = this.state === 'connected';
    this.connectedAt = 0;
    if (this.state === 'closed') return;
    this.state = 'disconnected';
    this.onDropped(reason);
    if (wasUp) this.opts.onDisconnect?.(reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed' || this.reconnectTimer) return;
    const period = this.opts.reconnectPeriodMs ?? DEFAULT_RECONNECT_PERIOD_MS;
    const wait = Math.max(0, this.lastAttempt + period - this.now());
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'disconnected') this.connect();
    }, wait);
  }

  disconnect(reason = 'disconnected by the sentinel'): void {
    if (this.socket) this.drop(this.socket, reason);
  }

  close(): void {
    if (this.state === 'closed') return;
    const sock = this.socket;
    this.state = 'closed';
    this.socket = null;
    this.connectedAt = 0;
    this.clearConnectTimer();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    sock?.destroy();
    this.onDropped('link closed');
  }

  protected write(args: ReadonlyArray<string | Buffer | number>): boolean {
    const s = this.socket;
    if (!s || this.state !== 'connected') return false;
    // Everything written to this link in one turn of the event loop leaves in one write(2), as
    // Redis flushes each link once per event-loop iteration: a link shared by many masters (a
    // peer sentinel) gets several hellos per tick, and each write on loopback costs a system call.
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(() => {
        this.corked = false;
        s.uncork();
      });
    }
    s.write(args.some((a) => Buffer.isBuffer(a)) ? encodeCommand(args) : encodeCommandText(args as ReadonlyArray<string | number>));
    return true;
  }

  /** AUTH and CLIENT SETNAME as Redis sends them on a new link; replies are discarded. */
  protected handshakeCommands(): Array<Array<string | Buffer>> {
    const cmds: Array<Array<string | Buffer>> = [];
    const auth = this.opts.auth?.();
    if (auth?.pass) cmds.push(auth.user ? [this.mapName('AUTH'), auth.user, auth.pass] : [this.mapName('AUTH'), auth.pass]);
    cmds.push([this.mapName('CLIENT'), 'SETNAME', this.opts.clientName]);
    return cmds;
  }

  protected abstract handshake(): void;
  protected abstract onReply(r: Reply): void;
  /** The connection is gone (or the link closed): fail what is outstanding. */
  protected abstract onDropped(reason: string): void;
}

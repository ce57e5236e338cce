/**
 * One connected client: its socket, request parser, reply queue and the state CLIENT LIST shows.
 * Commands run one at a time in arrival order; an async handler holds the queue (and pauses
 * reading) until it settles, so pipelined replies always come back in order.
 */
import type net from 'node:net';
import { encodeReply } from '../resp/encoder.js';
import { ProtocolError, RequestParser } from '../resp/request-parser.js';
import type { ProtocolVersion, Reply } from '../resp/types.js';
import type { ClientState, HandlerResult } from './types.js';

/** Redis's `client-output-buffer-limit pubsub 32mb 8mb 60`. */
const PUBSUB_HARD_LIMIT = 32 * 1024 * 1024;
const PUBSUB_SOFT_LIMIT = 8 * 1024 * 1024;
const PUBSUB_SOFT_SECONDS = 60;
/** A client that does not read its replies stops being read from past this much unsent output. */
const NORMAL_BACKPRESSURE = 1024 * 1024;

export type ReplyMode = 'on' | 'off' | 'skip-next' | 'skip';

export interface ClientHooks {
  now(): number;
  /** Runs one command; returns what to send (or a promise of it). */
  dispatch(client: Client, argv: Buffer[]): HandlerResult | Promise<HandlerResult> | undefined;
  onClose(client: Client): void;
  protoMaxBulkLen: number;
  authRequired(client: Client): boolean;
}

export class Client implements ClientState {
  name = '';
  protocol: ProtocolVersion = 2;
  authenticated: boolean;
  user = 'default';
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly createdAt: number;
  lastCommandAt: number;
  /** Last time something was read from or written to the client (Redis's lastinteraction, for `timeout`). */
  lastInteraction: number;
  lastCommand = 'NULL';
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  replyMode: ReplyMode = 'on';
  noEvict = false;
  tracking = false;
  /** Connected through the unix socket (CLIENT LIST flag U). */
  readonly unix: boolean;
  /** Arguments of the command being run (CLIENT LIST argv-mem). */
  argvBytes = 0;
  closed = false;

  private readonly parser: RequestParser;
  /** An async command is running: input waits until it settles. */
  private busy = false;
  /** This client's command is running right now: the client is the caller. */
  private running = false;
  private closeAfterReplyFlag = false;
  /** Something was queued for the peer while handling the current input (Redis's pending write). */
  private wroteThisRound = false;
  private softLimitSince = 0;

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
    private readonly hooks: ClientHooks,
    authenticated: boolean,
    /** The unix socket's path as configured, for a client connected through it. */
    unixPath?: string,
  ) {
    this.authenticated = authenticated;
    this.createdAt = hooks.now();
    this.lastCommandAt = this.createdAt;
    this.lastInteraction = this.createdAt;
    this.unix = unixPath !== undefined;
    // Redis shows a unix socket client as `<path>:0` at both ends.
    this.addr = unixPath !== undefined ? `${unixPath}:0` : formatAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = unixPath !== undefined ? this.addr : formatAddr(socket.localAddress, socket.localPort);
    const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
    this.fd = typeof handle?.fd === 'number' ? handle.fd : -1;
    this.parser = new RequestParser({
      protoMaxBulkLen: hooks.protoMaxBulkLen,
      authRequired: () => hooks.authRequired(this),
      onEmptyCommand: () => this.send(undefined),
    });
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('drain', () => {
      if (!this.busy && !this.closed) socket.resume();
    });
    // Errors (ECONNRESET, EPIPE) only mean the peer went away; 'close' follows.
    socket.on('error', () => {});
    socket.on('close', () => this.teardown());
  }

  get subscribed(): boolean {
    return this.channels.size + this.patterns.size > 0;
  }

  get queryBufferBytes(): number {
    return this.parser.buffered;
  }

  get outputBufferBytes(): number {
    return this.socket.writableLength;
  }

  closeAfterReply(): void {
    this.closeAfterReplyFlag = true;
  }

  /**
   * Ends the connection because a command said so (CLIENT KILL, ACL DELUSER, ACL SETUSER taking
   * channels away). A client ended by its own command gets that command's reply first, then is
   * closed and reads nothing more (Redis's CLIENT_CLOSE_AFTER_COMMAND); any other is dropped now.
   */
  kill(): void {
    if (this.running) this.closeAfterReply();
    else this.destroy();
  }

  /** Drops the connection now, whatever it is doing (shutdown, output buffer limits). */
  destroy(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.teardown();
  }

  /** Sends a reply to a command, honouring CLIENT REPLY OFF/SKIP. */
  reply(r: Reply): void {
    if (this.replyMode === 'off' || this.replyMode === 'skip') return;
    this.write(r);
  }

  /** Sends an out-of-band frame (pub/sub message); CLIENT REPLY does not silence these. */
  push(r: Reply): void {
    this.write(r);
    if (this.closed || !this.subscribed) return;
    const pending = this.socket.writableLength;
    if (pending > PUBSUB_HARD_LIMIT) {
      this.destroy();
    } else if (pending > PUBSUB_SOFT_LIMIT) {
      const now = this.hooks.now();
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else if (now - this.softLimitSince > PUBSUB_SOFT_SECONDS * 1000) this.destroy();
    } else {
      this.softLimitSince = 0;
    }
  }

  private replyRawError(text: Buffer): void {
    if (this.replyMode === 'off' || this.replyMode === 'skip' || this.closed || this.socket.destroyed) return;
    const line = Buffer.from(text);
    for (let i = 0; i < line.length; i++) if (line[i] === 0x0d || line[i] === 0x0a) line[i] = 0x20;
    this.socket.write(Buffer.concat([Buffer.from('-'), line, Buffer.from('\r\n')]));
    this.wroteThisRound = true;
  }

  private write(r: Reply): void {
    if (this.closed || this.socket.destroyed) return;
    this.lastInteraction = this.hooks.now();
    this.socket.write(encodeReply(r, this.protocol));
    this.wroteThisRound = true;
  }

  private onData(d: Buffer): void {
    if (this.closed || this.closeAfterReplyFlag) return;
    this.lastInteraction = this.hooks.now();
    this.wroteThisRound = false;
    this.parser.feed(d);
    this.pump();
  }

  private pump(): void {
    this.socket.cork();
    try {
      while (!this.busy && !this.closed && !this.closeAfterReplyFlag) {
        const argv = this.parser.next();
        if (argv === null) break;
        if (argv instanceof ProtocolError) {
          // Redis answers a protocol error (subject to CLIENT REPLY, like any reply) and closes.
          this.replyRawError(argv.bytes);
          this.closeAfterReplyFlag = true;
          break;
        }
        this.argvBytes = argv.reduce((n, a) => n + a.length, 0);
        this.running = true;
        let result: ReturnType<ClientHooks['dispatch']>;
        try {
          result = this.hooks.dispatch(this, argv);
        } finally {
          this.running = false;
        }
        if (result instanceof Promise) {
          this.busy = true;
          this.socket.pause();
          result.then(
            (r) => this.finish(r),
            (err: unknown) => this.finish({ type: 'error', value: `ERR ${err instanceof Error ? err.message : String(err)}` }),
          );
          break;
        }
        this.send(result);
      }
    } finally {
      this.socket.uncork();
    }
    this.afterPump();
  }

  private finish(r: HandlerResult | undefined): void {
    this.busy = false;
    if (this.closed) return;
    this.send(r);
    if (!this.closeAfterReplyFlag) this.socket.resume();
    this.pump();
  }

  private send(result: HandlerResult | undefined): void {
    if (result !== undefined) {
      // Push frames (pub/sub confirmations) go out even under CLIENT REPLY OFF, as in Redis 7.
      if (result.type === 'frames') {
        for (const f of result.value) {
          if (f.type === 'push') this.write(f);
          else this.reply(f);
        }
      } else if (result.type === 'raw-error') this.replyRawError(result.value);
      else this.reply(result);
    }
    // CLIENT REPLY SKIP silences exactly the next command's reply.
    if (this.replyMode === 'skip') this.replyMode = 'on';
    else if (this.replyMode === 'skip-next') this.replyMode = 'skip';
  }

  private afterPump(): void {
    if (this.closed) return;
    if (this.closeAfterReplyFlag) {
      // Redis closes such a client when it flushes its replies; with CLIENT REPLY OFF nothing is
      // flushed, so Redis leaves it connected and deaf. So do we: input is ignored from now on.
      if (!this.wroteThisRound && this.socket.writableLength === 0) return;
      this.socket.end();
      // A peer that never reads must not keep the socket half-open forever.
      setTimeout(() => this.destroy(), 10_000).unref();
      return;
    }
    if (!this.busy && this.socket.writableLength > NORMAL_BACKPRESSURE) this.socket.pause();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.onClose(this);
  }
}

export function formatAddr(ip: string | undefined, port: number | undefined): string {
  let host = ip ?? '?';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return host.includes(':') ? `[${host}]:${port ?? 0}` : `${host}:${port ?? 0}`;
}

/**
 * Outgoing links from the sentinel to a monitored instance (master, replica) or a peer sentinel,
 * as sentinel-core uses them. Redis keeps two per instance: a command link (PING, INFO, PUBLISH
 * hello, SLAVEOF, IS-MASTER-DOWN-BY-ADDR, ...) and, for masters and replicas only, a pub/sub link
 * subscribed to `__sentinel__:hello`.
 *
 * On every (re)connect a link sends, in order: AUTH (when `auth()` gives a password), then
 * `CLIENT SETNAME sentinel-<myid[0..8]>-cmd|pubsub`, then (pub/sub link) SUBSCRIBE; their replies
 * are discarded, as Redis does. Then `onConnect` runs (core sends its first PING there).
 *
 * Links never throw and never leave an unhandled rejection behind on their own: a dead, refused
 * or paused (SIGSTOP: TCP accepted, nothing answered) peer shows as `LinkError`s from `send()`
 * (timeouts, disconnects) and `onDisconnect` calls. While disconnected a link reconnects by itself,
 * at most once per `reconnectPeriodMs`, until `close()`.
 */
import type { Reply } from '../resp/types.js';
import type { LinkError } from './errors.js';

export type LinkErrorKind =
  /** No reply within the command's timeout; the connection is kept (core decides to drop it). */
  | 'timeout'
  /** The connection dropped with the command outstanding. */
  | 'disconnected'
  /** `send()` while not connected: nothing was written. */
  | 'not-connected'
  /** `close()` was called. */
  | 'closed';

/** A class (see ./errors.ts), so `err instanceof LinkError` works; `kind` says why, `peer` is host:port. */
export type { LinkError };

export interface LinkAuth {
  user?: string;
  pass?: string;
}

export interface LinkOptions {
  host: string;
  port: number;
  /** `sentinel-<first 8 chars of myid>-cmd` or `...-pubsub`; sent with CLIENT SETNAME. */
  clientName: string;
  /** Read on every connect: auth-user/auth-pass of the master (sentinel-user/-pass for sentinels). */
  auth?: () => LinkAuth | undefined;
  /** `rename-command` of the master: maps a command name (upper case) to what to send. */
  renameCommand?: (name: string) => string;
  /** Default per-command timeout; 0 = none. Defaults to 5000. */
  commandTimeoutMs?: number;
  /** TCP connect timeout. Defaults to 2000. */
  connectTimeoutMs?: number;
  /** Minimum time between two connection attempts (Redis: the ping period). Defaults to 1000. */
  reconnectPeriodMs?: number;
  /** Wall clock in ms (Redis's mstime); injected by tests. */
  now?: () => number;
  onConnect?: () => void;
  onDisconnect?: (reason: string) => void;
}

export type LinkState = 'connecting' | 'connected' | 'disconnected' | 'closed';

interface LinkBase {
  readonly host: string;
  readonly port: number;
  readonly state: LinkState;
  /** Wall-clock ms when the current connection was established (Redis's cc_conn_time / pc_conn_time); 0 when not connected. */
  readonly connectedAt: number;
  /** Our end of the connection (used for the hello's ip when no announce-ip is set). */
  localAddress(): { address: string; port: number } | undefined;
  /** Drops the connection now (Redis's instanceLinkCloseConnection); it reconnects after the period. */
  disconnect(reason?: string): void;
  /** Drops the connection and stops reconnecting; outstanding commands fail with kind `closed`. */
  close(): void;
}

export interface CommandLink extends LinkBase {
  /** Commands written and not yet answered, including the internal AUTH / SETNAME and timed-out ones. */
  readonly pendingCommands: number;
  /** Wall-clock ms of the last reply of any kind (0 = never on this connection). */
  readonly lastReplyAt: number;
  /**
   * Writes one command (pipelined; replies come back in order). Resolves with the reply, error
   * replies included (`{type:'error'}`); rejects only with a LinkError. The command name (args[0])
   * goes through `renameCommand`.
   */
  send(args: Array<string | Buffer | number>, opts?: { timeoutMs?: number }): Promise<Reply>;
  /** Like `send()` but never rejects: resolves with the Reply or the LinkError. */
  trySend(args: Array<string | Buffer | number>, opts?: { timeoutMs?: number }): Promise<Reply | LinkError>;
}

export interface PubSubLinkOptions extends LinkOptions {
  /** Channels to SUBSCRIBE on every connect, e.g. ['__sentinel__:hello']. */
  channels: string[];
  onMessage: (channel: string, message: string) => void;
}

export interface PubSubLink extends LinkBase {
  /** Wall-clock ms of the last frame received (Redis's pc_last_activity); connect time before any. */
  readonly lastActivityAt: number;
}

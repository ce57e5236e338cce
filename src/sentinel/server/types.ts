/**
 * The sentinel's RESP server as sentinel-core sees it: a command table that core registers its
 * handlers into (SENTINEL, INFO, ROLE, PUBLISH, ...), pub/sub fan-out for events, and the
 * per-client state that INFO / CLIENT LIST report. Connection-level commands (PING, HELLO, AUTH,
 * CLIENT, SUBSCRIBE / PSUBSCRIBE / UNSUBSCRIBE / PUNSUBSCRIBE, COMMAND, ACL, SHUTDOWN) are
 * registered by the server itself; SHUTDOWN calls `ServerOptions.onShutdown`. Like
 * redis-sentinel 7.0 there is no ECHO, QUIT or RESET (they answer "unknown command").
 *
 * Arity follows Redis: the count includes the command name; N > 0 means exactly N, N < 0 means
 * at least -N. Subcommands (SENTINEL MASTERS, CLIENT LIST, ...) have their own arity and are
 * reported by COMMAND as `parent|sub`, as Redis 7.0 does.
 */
import type { ProtocolVersion, Reply } from '../resp/types.js';

/** Redis command flags as COMMAND INFO prints them (`admin`, `fast`, `no_auth`, `pubsub`, ...). */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export interface CommandDocs {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
}

/**
 * What a handler may return: one reply, several frames sent in order (SUBSCRIBE a b), or an
 * error line given as bytes (`raw-error`: text that echoes a client's binary input exactly, as
 * Redis does; CR and LF in it become spaces).
 */
export type HandlerResult = Reply | { type: 'frames'; value: Reply[] } | { type: 'raw-error'; value: Buffer };

export type CommandHandler = (ctx: CommandContext, args: Buffer[]) => HandlerResult | Promise<HandlerResult>;

export interface CommandSpec {
  /** Lower case, e.g. `sentinel` or (for a subcommand) `masters`. */
  name: string;
  arity: number;
  flags?: CommandFlag[];
  /** ACL categories as COMMAND INFO prints them, e.g. ['@admin', '@slow', '@dangerous']. */
  categories?: string[];
  /** COMMAND INFO tips, e.g. ['nondeterministic_output']. */
  tips?: string[];
  docs?: CommandDocs;
  /**
   * For a command with subcommands (SENTINEL, CLIENT, COMMAND): the table dispatches on args[1]
   * (case-insensitive) and checks the subcommand's arity (counted from the parent's name, so
   * `SENTINEL MASTERS` has arity 2). An unknown subcommand gets Redis's
   * "ERR unknown subcommand 'x'. Try SENTINEL HELP." A parent with subcommands needs no handler;
   * when it has one, it runs only when called without a subcommand (plain `COMMAND`).
   */
  subcommands?: CommandSpec[];
  /**
   * args[0] is the command name as sent; args[1] the subcommand name for a subcommand. A
   * subcommand without a handler runs its parent's handler (one SENTINEL handler can switch on
   * args[1] while the subcommand specs give arity and COMMAND metadata).
   */
  handler?: CommandHandler;
}

/** One connected client, as CLIENT LIST / CLIENT INFO / INFO clients report it. */
export interface ClientState {
  readonly id: number;
  name: string;
  protocol: ProtocolVersion;
  authenticated: boolean;
  /** ACL user name, `default` unless AUTH user pass said otherwise. */
  user: string;
  readonly channels: ReadonlySet<string>;
  readonly patterns: ReadonlySet<string>;
  /** Wall-clock ms when the connection was accepted. */
  readonly createdAt: number;
  /** Wall-clock ms of the last command. */
  lastCommandAt: number;
  /** `client|list`, `ping`, ... as CLIENT LIST's `cmd=` shows it. */
  lastCommand: string;
  /** `ip:port` of the peer and of our end. */
  readonly addr: string;
  readonly laddr: string;
}

export interface CommandContext {
  readonly client: ClientState;
  readonly server: SentinelServer;
}

/** The part of a Redis ACL user the sentinel honours: on/off and passwords. */
export interface AclUser {
  enabled: boolean;
  /** `nopass`: any password (or none) is accepted. */
  nopass: boolean;
  /** SHA-256 hex digests of the accepted passwords (`>pass` is stored hashed, `#hex` as is). */
  passwordHashes: Set<string>;
  /** The rest of the user line (`~* &* +@all`), kept for the config rewrite. */
  rules: string[];
  /** `sanitize-payload` / `skip-sanitize-payload` (RESTORE payload checks; no sentinel command has any): shown and written back as Redis does. */
  payloadFlag?: 'sanitize-payload' | 'skip-sanitize-payload';
}

/** The `aclfile` behind ACL LOAD and ACL SAVE. */
export interface AclFileStore {
  /** The users in the file, or every problem found in it (then nothing is loaded). */
  load(): { users: Map<string, AclUser> } | { error: string };
  /** Replaces the file with these users; throws on failure. */
  save(users: Map<string, AclUser>): void;
}

export interface ServerStats {
  /** Clients connected now. */
  connectedClients: number;
  /** Connections accepted since start (INFO stats total_connections_received). */
  totalConnections: number;
  /** Commands processed since start (INFO stats total_commands_processed). */
  totalCommands: number;
  /** Connections refused because of maxclients (rejected_connections). */
  rejectedConnections: number;
  /** Patterns/channels with at least one subscriber (pubsub_channels / pubsub_patterns). */
  pubsubChannels: number;
  pubsubPatterns: number;
}

export interface ServerOptions {
  /** Addresses to listen on; empty means all interfaces. */
  bind: string[];
  port: number;
  /** Redis version reported by HELLO (and INFO via core), e.g. "7.0.15". */
  version: string;
  /**
   * ACL users by name, from sentinel.conf `requirepass` (the `default` user's password) and
   * `user` lines. No `default` entry, or a `default` user with `nopass`, means no AUTH needed.
   */
  users?: Map<string, AclUser>;
  /** `aclfile`: ACL LOAD / ACL SAVE read and write it; without one they say there is none. */
  aclFile?: AclFileStore;
  /** Defaults to Redis's 512 MB (`proto-max-bulk-len`). */
  protoMaxBulkLen?: number;
  /** Redis's maxclients default is 10000. */
  maxClients?: number;
  /**
   * `tcp-keepalive` in seconds (Redis's default 300; 0 turns it off): probes idle clients so that
   * a peer that vanished without a FIN or RST (a host gone, a dropped route) is eventually
   * noticed and its client entry freed.
   */
  tcpKeepAlive?: number;
  /** `timeout` in seconds (Redis's default 0 = never): a client idle that long is closed, unless subscribed. */
  idleTimeout?: number;
  /**
   * `protected-mode yes`: while the default user has no password, connections from outside
   * loopback get Redis's -DENIED error and are closed. Sentinel mode defaults to off.
   */
  protectedMode?: boolean;
  /**
   * `unixsocket` (relative to the working directory) and `unixsocketperm`: also listen there, as
   * Redis does, replacing a file left at that path and removing it on close.
   */
  unixSocket?: { path: string; perm?: number };
  /** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: core writes config and exits; the reply is never sent. */
  onShutdown?: (args: string[]) => void | Promise<void>;
  /** Wall clock in ms; injected by tests. */
  now?: () => number;
}

/** Thrown by `listen()` when a port is busy or an address cannot be bound. */
export interface ListenFailure extends Error {
  readonly address: string;
  readonly port: number;
  readonly code: string;
}

export interface SentinelServer {
  registerCommand(spec: CommandSpec): void;
  /**
   * sentinel.conf's global `rename-command <name> <new>`; an empty new name removes the command.
   * Returns Redis's error text for an unknown command or a name already taken, else null.
   */
  renameCommand(name: string, newName: string): string | null;
  /** Sends `message` to every subscriber of `channel` (and matching patterns); returns receivers. */
  publish(channel: string, message: string | Buffer): number;
  /** Binds every address; rejects with a ListenFailure (and binds nothing) if any bind fails. */
  listen(): Promise<void>;
  /** Stops accepting, closes every client. */
  close(): Promise<void>;
  clients(): ClientState[];
  stats(): ServerStats;
  /** The addresses actually bound, e.g. for a port of 0 in tests. */
  addresses(): Array<{ address: string; port: number }>;
  /** The ACL users now (ACL SETUSER/DELUSER change them): what the config rewrite should persist. */
  getUsers(): Map<string, AclUser>;
  /** Replaces the ACL users; existing clients stay authenticated. */
  setUsers(users: Map<string, AclUser>): void;
  /** True while this client must still AUTH before running commands (Redis's authRequired()). */
  authRequired(client: ClientState): boolean;
}

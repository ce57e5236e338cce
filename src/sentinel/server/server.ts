/**
 * The RESP server: listening sockets, the client registry, command dispatch with Redis's checks
 * in Redis's order (unknown command, arity, NOAUTH, RESP2 subscribed context), and pub/sub
 * fan-out. Connection-level commands are registered from ./commands.ts.
 */
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import { EXIT_CHECK_FAILED, ScError } from '../../common/errors.js';
import { DEFAULT_PROTO_MAX_BULK_LEN } from '../resp/request-parser.js';
import { strerror } from '../strerror.js';
import type { Reply } from '../resp/types.js';
import { Client } from './client.js';
import { registerConnectionCommands } from './commands.js';
import { globMatch } from './glob.js';
import { CommandTable, type Entry } from './table.js';
import { authRequiredFor, getUser } from './auth.js';
import { channelsAllowed, channelsOf, commandAllowed, nopermCommand, NOPERM_CHANNELS } from './acl-check.js';
import type { AclUser, ClientState, CommandContext, CommandSpec, HandlerResult, ListenFailure, SentinelServer, ServerOptions, ServerStats } from './types.js';

/** Commands a RESP2 client may still run once subscribed (Redis's list). */
const PUBSUB_CONTEXT_ALLOWED = new Set(['ping', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'quit', 'reset']);

/** Redis's refusal text for a non-loopback client in protected mode. */
const PROTECTED_MODE_DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

/** 127.0.0.0/8 and ::1 (also as IPv4-mapped), what Redis's connIsLocal accepts. */
export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return a === '::1' || /^127\./.test(a);
}

export class ListenError extends ScError implements ListenFailure {
  readonly exitCode = EXIT_CHECK_FAILED;
  /** `port` 0: `address` is the unix socket's path. */
  constructor(
    readonly address: string,
    readonly port: number,
    readonly code: string,
    cause: unknown,
  ) {
    const what = code === 'EADDRINUSE' ? 'Address already in use' : code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address' : strerror({ code });
    super(
      port === 0
        ? `Opening Unix socket ${address}: bind: ${what}`
        : `Could not create server TCP listening socket ${address}:${port}: bind: ${what}` +
            (code === 'EADDRINUSE' ? `\n  fix: stop whatever listens on port ${port}, or set another \`port\` in the sentinel config` : ''),
      { cause },
    );
  }
}

export class Server implements SentinelServer {
  readonly table = new CommandTable();
  readonly options: Required<Pick<ServerOptions, 'version' | 'protoMaxBulkLen' | 'maxClients' | 'tcpKeepAlive'>> & ServerOptions;
  readonly now: () => number;
  private readonly clientsById = new Map<number, Client>();
  private readonly channelSubs = new Map<string, Set<Client>>();
  private readonly patternSubs = new Map<string, Set<Client>>();
  private listeners: net.Server[] = [];
  private bound: Array<{ address: string; port: number }> = [];
  private nextId = 1;
  private users: Map<string, AclUser>;
  private totalConnections = 0;
  private totalCommands = 0;
  private rejectedConnections = 0;
  /** CLIENT PAUSE: commands of other clients wait until then. */
  pausedUntil = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  shuttingDown = false;

  constructor(opts: ServerOptions) {
    this.options = {
      protoMaxBulkLen: DEFAULT_PROTO_MAX_BULK_LEN,
      maxClients: 10000,
      tcpKeepAlive: 300,
      ...opts,
    };
    this.now = opts.now ?? Date.now;
    this.users = opts.users ?? new Map<string, AclUser>();
    registerConnectionCommands(this);
  }

  registerCommand(spec: CommandSpec): void {
    this.table.register(spec);
  }

  renameCommand(name: string, newName: string): string | null {
    return this.table.rename(name, newName);
  }

  getUsers(): Map<string, AclUser> {
    return this.users;
  }

  setUsers(users: Map<string, AclUser>): void {
    this.users = users;
  }

  async listen(): Promise<void> {
    const port = this.options.port;
    const binds = parseBinds(this.options.bind);
    let actualPort = port;
    const opened: net.Server[] = [];
    try {
      for (const b of binds) {
        const srv = net.createServer({ noDelay: true }, (sock) => this.accept(sock, false));
        try {
          await listenOn(srv, { host: b.host, port: actualPort, ipv6Only: b.ipv6Only, exclusive: true });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
          if (b.optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
          throw new ListenError(b.display, actualPort, code, err);
        }
        srv.on('error', () => {});
        opened.push(srv);
        const addr = srv.address();
        if (addr && typeof addr === 'object') {
          actualPort = addr.port;
          this.bound.push({ address: addr.address, port: addr.port });
        }
      }
      const unix = this.options.unixSocket;
      if (unix) opened.push(await this.listenUnix(unix.path, unix.perm));
    } catch (err) {
      await Promise.all(opened.map((s) => new Promise((r) => s.close(() => r(undefined)))));
      this.bound = [];
      throw err;
    }
    this.listeners = opened;
    const idle = this.options.idleTimeout ?? 0;
    // Redis's clientsCron looks once a second: an idle client goes within a second of its timeout.
    if (idle > 0) this.idleTimer = setInterval(() => this.closeIdleClients(idle * 1000), 1000).unref();
  }

  /** `timeout`: clients silent for longer are closed; subscribers are waiting on purpose and stay. */
  private closeIdleClients(maxIdleMs: number): void {
    const now = this.now();
    for (const c of this.clientsById.values()) if (!c.subscribed && now - c.lastInteraction > maxIdleMs) c.destroy();
  }

  private async listenUnix(path: string, perm: number | undefined): Promise<net.Server> {
    // Like Redis: a file left at the path (a socket from an earlier run) is replaced.
    rmSync(path, { force: true });
    const srv = net.createServer({ noDelay: true }, (sock) => this.accept(sock, true));
    try {
      await listenOn(srv, { path });
      if (perm !== undefined) chmodSync(path, perm);
    } catch (err) {
      srv.close();
      throw new ListenError(path, 0, (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN', err);
    }
    srv.on('error', () => {});
    return srv;
  }

  addresses(): Array<{ address: string; port: number }> {
    return [...this.bound];
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    const closing = this.listeners.map((s) => new Promise((r) => s.close(() => r(undefined))));
    this.listeners = [];
    for (const c of [...this.clientsById.values()]) c.destroy();
    await Promise.all(closing);
    if (this.options.unixSocket) rmSync(this.options.unixSocket.path, { force: true });
  }

  clients(): Client[] {
    return [...this.clientsById.values()];
  }

  client(id: number): Client | undefined {
    return this.clientsById.get(id);
  }

  stats(): ServerStats {
    return {
      connectedClients: this.clientsById.size,
      totalConnections: this.totalConnections,
      totalCommands: this.totalCommands,
      rejectedConnections: this.rejectedConnections,
      pubsubChannels: this.channelSubs.size,
      pubsubPatterns: this.patternSubs.size,
    };
  }

  authRequired(c: ClientState): boolean {
    return authRequiredFor(this.users, c);
  }

  private accept(sock: net.Socket, unix: boolean): void {
    this.totalConnections++;
    if (this.clientsById.size >= this.options.maxClients) {
      this.rejectedConnections++;
      sock.on('error', () => {});
      sock.end('-ERR max number of clients reached\r\n');
      return;
    }
    if (this.options.protectedMode && getUser(this.users, 'default')!.nopass && !unix && !isLoopback(sock.remoteAddress)) {
      sock.on('error', () => {});
      sock.end(`${PROTECTED_MODE_DENIED}\r\n`);
      return;
    }
    if (this.options.tcpKeepAlive > 0 && !unix) sock.setKeepAlive(true, this.options.tcpKeepAlive * 1000);
    const id = this.nextId++;
    const client = new Client(
      id,
      sock,
      {
        now: this.now,
        protoMaxBulkLen: this.options.protoMaxBulkLen,
        authRequired: (c) => this.authRequired(c),
        dispatch: (c, argv) => this.dispatch(c, argv),
        onClose: (c) => this.forget(c),
      },
      !authRequiredFor(this.users, { authenticated: false, user: 'default' } as ClientState),
      unix ? this.options.unixSocket!.path : undefined,
    );
    this.clientsById.set(id, client);
  }

  private forget(c: Client): void {
    this.clientsById.delete(c.id);
    for (const ch of c.channels) this.dropSub(this.channelSubs, ch, c);
    for (const p of c.patterns) this.dropSub(this.patternSubs, p, c);
  }

  private dispatch(c: Client, argv: Buffer[]): HandlerResult | Promise<HandlerResult> | undefined {
    c.lastCommandAt = this.now();
    const found = this.table.lookup(argv);
    if (!found.ok) return { type: 'raw-error', value: found.error };
    const entry = found.entry;
    const flags = entry.spec.flags ?? [];
    if (this.authRequired(c) && !flags.includes('no_auth')) return { type: 'error', value: 'NOAUTH Authentication required.' };
    // Redis checks ACL permissions next, before the pub/sub context rule.
    const user = getUser(this.users, c.user);
    if (user && !commandAllowed(user, entry, argv)) return { type: 'error', value: nopermCommand(entry.fullName) };
    const used = user ? channelsOf(entry, argv) : null;
    if (user && used && !channelsAllowed(user, used.channels, used.literal)) return { type: 'error', value: NOPERM_CHANNELS };
    const base = entry.parent ?? entry;
    if (c.protocol === 2 && c.subscribed && !PUBSUB_CONTEXT_ALLOWED.has(base.fullName)) {
      return {
        type: 'error',
        value: `ERR Can't execute '${entry.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      };
    }
    if (this.pausedUntil > this.now() && !flags.includes('no_auth') && entry.fullName !== 'client|unpause') {
      return this.waitForUnpause().then(() => this.run(c, entry, argv) ?? { type: 'frames', value: [] });
    }
    return this.run(c, entry, argv);
  }

  private async waitForUnpause(): Promise<void> {
    while (this.pausedUntil > this.now()) {
      await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, this.pausedUntil - this.now()))));
    }
  }

  private run(c: Client, entry: Entry, argv: Buffer[]): HandlerResult | Promise<HandlerResult> | undefined {
    c.lastCommand = entry.fullName;
    this.totalCommands++;
    const handler = entry.spec.handler ?? entry.parent?.spec.handler;
    if (!handler) return { type: 'error', value: `ERR ${entry.fullName} has no handler` };
    const ctx: CommandContext = { client: c, server: this };
    try {
      return handler(ctx, argv);
    } catch (err) {
      return { type: 'error', value: `ERR ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  // ---- pub/sub -----------------------------------------------------------------------------

  subscribe(c: Client, channel: string): void {
    if (c.channels.has(channel)) return;
    c.channels.add(channel);
    let set = this.channelSubs.get(channel);
    if (!set) this.channelSubs.set(channel, (set = new Set()));
    set.add(c);
  }

  unsubscribe(c: Client, channel: string): boolean {
    if (!c.channels.delete(channel)) return false;
    this.dropSub(this.channelSubs, channel, c);
    return true;
  }

  psubscribe(c: Client, pattern: string): void {
    if (c.patterns.has(pattern)) return;
    c.patterns.add(pattern);
    let set = this.patternSubs.get(pattern);
    if (!set) this.patternSubs.set(pattern, (set = new Set()));
    set.add(c);
  }

  punsubscribe(c: Client, pattern: string): boolean {
    if (!c.patterns.delete(pattern)) return false;
    this.dropSub(this.patternSubs, pattern, c);
    return true;
  }

  private dropSub(map: Map<string, Set<Client>>, key: string, c: Client): void {
    const set = map.get(key);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) map.delete(key);
  }

  publish(channel: string, message: string | Buffer): number {
    let receivers = 0;
    const msg: Reply = { type: 'bulk', value: message };
    const ch: Reply = { type: 'bulk', value: channel };
    for (const c of this.channelSubs.get(channel) ?? []) {
      c.push({ type: 'push', value: [{ type: 'bulk', value: 'message' }, ch, msg] });
      receivers++;
    }
    for (const [pattern, set] of this.patternSubs) {
      if (!globMatch(pattern, channel)) continue;
      for (const c of set) {
        c.push({ type: 'push', value: [{ type: 'bulk', value: 'pmessage' }, { type: 'bulk', value: pattern }, ch, msg] });
        receivers++;
      }
    }
    return receivers;
  }
}

function listenOn(srv: net.Server, opts: net.ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(opts, () => {
      srv.off('error', reject);
      resolve();
    });
  });
}

interface Bind {
  host: string;
  display: string;
  ipv6Only: boolean;
  optional: boolean;
}

/** Redis's bind syntax: `*` any IPv4, `::*` any IPv6, a leading `-` makes an address optional. */
function parseBinds(bind: string[]): Bind[] {
  const list = bind.length ? bind : ['*', '-::*'];
  return list.map((raw) => {
    const optional = raw.startsWith('-');
    const a = optional ? raw.slice(1) : raw;
    if (a === '*') return { host: '0.0.0.0', display: '*', ipv6Only: false, optional };
    if (a === '::*') return { host: '::', display: '::*', ipv6Only: true, optional };
    return { host: a, display: a, ipv6Only: a.includes(':'), optional };
  });
}

export function createServer(opts: ServerOptions): Server {
  return new Server(opts);
}

/**
 * Connection-level commands every sentinel answers, with redis-sentinel 7.0's metadata, reply
 * shapes and error texts: PING, HELLO, AUTH, SUBSCRIBE / PSUBSCRIBE / UNSUBSCRIBE /
 * PUNSUBSCRIBE, SHUTDOWN; CLIENT, COMMAND and ACL live in their own files. Redis 7.0's sentinel
 * has no QUIT, RESET or ECHO in its command table, so neither do we (clients just close).
 */
import { R, type Reply } from '../resp/types.js';
import { checkPassword, getUser } from './auth.js';
import type { Client } from './client.js';
import { registerAclCommand } from './acl-command.js';
import { registerClientCommand, validClientName } from './client-command.js';
import { registerCommandCommand } from './command-command.js';
import type { Server } from './server.js';
import type { CommandContext, HandlerResult } from './types.js';

const wrongArgs = (name: string): Reply => R.error(`ERR wrong number of arguments for '${name}' command`);
export const SYNTAX_ERROR = 'ERR syntax error';
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

export function registerConnectionCommands(server: Server): void {
  const client = (ctx: CommandContext) => ctx.client as Client;

  server.registerCommand({
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    categories: ['@fast', '@connection'],
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    docs: { summary: 'Answers PONG, or echoes the message', since: '1.0.0', group: 'connection', complexity: 'O(1)' },
    handler: (ctx, args) => {
      if (args.length > 2) return wrongArgs('ping');
      const c = client(ctx);
      // A RESP2 client in subscribed mode gets the pong as a two-element array.
      if (c.protocol === 2 && c.subscribed) return R.array([R.bulk('pong'), R.bulk(args[1] ?? '')]);
      return args.length === 1 ? R.simple('PONG') : R.bulk(args[1]!);
    },
  });

  server.registerCommand({
    name: 'hello',
    arity: -1,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    categories: ['@fast', '@connection'],
    docs: { summary: 'Picks the protocol version, optionally authenticates and names the connection', since: '6.0.0', group: 'connection', complexity: 'O(1)' },
    handler: (ctx, args) => hello(server, client(ctx), args),
  });

  server.registerCommand({
    name: 'auth',
    arity: -2,
    flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    categories: ['@fast', '@connection'],
    docs: {
      summary: 'Authenticates the connection',
      since: '1.0.0',
      group: 'connection',
      complexity: 'O(N) where N is the number of passwords defined for the user',
    },
    handler: (ctx, args) => {
      if (args.length > 3) return R.error(SYNTAX_ERROR);
      const users = server.getUsers();
      let user = 'default';
      let pass = args[1]!;
      if (args.length === 2) {
        if (getUser(users, 'default')!.nopass) {
          return R.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
        }
      } else {
        user = args[1]!.toString('utf8');
        pass = args[2]!;
      }
      if (!checkPassword(users, user, pass)) return R.error(WRONGPASS);
      const c = client(ctx);
      c.authenticated = true;
      c.user = user;
      return R.ok();
    },
  });

  const pubsubMeta = { flags: ['pubsub', 'noscript', 'loading', 'stale'] as const, categories: ['@pubsub', '@slow'] };
  server.registerCommand({
    name: 'subscribe',
    arity: -2,
    ...pubsubMeta,
    flags: [...pubsubMeta.flags],
    docs: {
      summary: 'Listens for messages on channels',
      since: '2.0.0',
      group: 'pubsub',
      complexity: 'O(N) where N is the number of channels to subscribe to.',
    },
    handler: (ctx, args) => {
      const c = client(ctx);
      const frames: Reply[] = [];
      for (const a of args.slice(1)) {
        const ch = a.toString('utf8');
        server.subscribe(c, ch);
        frames.push(pubsubFrame('subscribe', ch, c));
      }
      return { type: 'frames', value: frames };
    },
  });
  server.registerCommand({
    name: 'psubscribe',
    arity: -2,
    ...pubsubMeta,
    flags: [...pubsubMeta.flags],
    docs: {
      summary: 'Listens for messages on channels matching patterns',
      since: '2.0.0',
      group: 'pubsub',
      complexity: 'O(N) where N is the number of patterns the client is already subscribed to.',
    },
    handler: (ctx, args) => {
      const c = client(ctx);
      const frames: Reply[] = [];
      for (const a of args.slice(1)) {
        const p = a.toString('utf8');
        server.psubscribe(c, p);
        frames.push(pubsubFrame('psubscribe', p, c));
      }
      return { type: 'frames', value: frames };
    },
  });
  server.registerCommand({
    name: 'unsubscribe',
    arity: -1,
    ...pubsubMeta,
    flags: [...pubsubMeta.flags],
    docs: {
      summary: 'Stops listening on channels (all of them without arguments)',
      since: '2.0.0',
      group: 'pubsub',
      complexity: 'O(N) where N is the number of clients already subscribed to a channel.',
    },
    handler: (ctx, args) => unsubscribeFrames(server, client(ctx), 'unsubscribe', args),
  });
  server.registerCommand({
    name: 'punsubscribe',
    arity: -1,
    ...pubsubMeta,
    flags: [...pubsubMeta.flags],
    docs: {
      summary: 'Stops listening on patterns (all of them without arguments)',
      since: '2.0.0',
      group: 'pubsub',
      complexity:
        'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
    },
    handler: (ctx, args) => unsubscribeFrames(server, client(ctx), 'punsubscribe', args),
  });

  server.registerCommand({
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    categories: ['@admin', '@slow', '@dangerous'],
    docs: { summary: 'Saves the sentinel configuration and stops the process', since: '1.0.0', group: 'server', complexity: 'O(1)' },
    handler: async (_ctx, args) => {
      const opts = args.slice(1).map((a) => a.toString('utf8').toLowerCase());
      const known = new Set(['nosave', 'save', 'now', 'force', 'abort']);
      if (opts.some((o) => !known.has(o)) || new Set(opts).size !== opts.length) return R.error(SYNTAX_ERROR);
      if (opts.includes('nosave') && opts.includes('save')) return R.error(SYNTAX_ERROR);
      if (opts.includes('abort')) {
        if (opts.length > 1) return R.error(SYNTAX_ERROR);
        return R.error('ERR No shutdown in progress.');
      }
      if (!server.options.onShutdown || server.shuttingDown) return R.error('ERR Errors trying to SHUTDOWN. Check logs.');
      server.shuttingDown = true;
      try {
        await server.options.onShutdown(opts);
      } catch {
        server.shuttingDown = false;
        return R.error('ERR Errors trying to SHUTDOWN. Check logs.');
      }
      // Redis never answers a successful SHUTDOWN: the connection just closes.
      return { type: 'frames', value: [] };
    },
  });

  registerClientCommand(server);
  registerCommandCommand(server);
  registerAclCommand(server);
}

function hello(server: Server, c: Client, args: Buffer[]): Reply {
  let ver = 0;
  let next = 1;
  if (args.length >= 2) {
    const v = args[next++]!.toString('utf8');
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) return R.error('ERR Protocol version is not an integer or out of range');
    ver = Number(v);
    if (ver < 2 || ver > 3) return R.error('NOPROTO unsupported protocol version');
  }
  let user: string | undefined;
  let pass: Buffer | undefined;
  let name: string | undefined;
  for (let j = next; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j]!.toString('utf8');
    if (opt.toLowerCase() === 'auth' && more >= 2) {
      user = args[j + 1]!.toString('utf8');
      pass = args[j + 2]!;
      j += 2;
    } else if (opt.toLowerCase() === 'setname' && more >= 1) {
      name = args[j + 1]!.toString('utf8');
      if (!validClientName(name)) return R.error('ERR Client names cannot contain spaces, newlines or special characters.');
      j++;
    } else {
      return R.error(`ERR Syntax error in HELLO option '${opt}'`);
    }
  }
  if (user !== undefined && pass !== undefined) {
    if (!checkPassword(server.getUsers(), user, pass)) return R.error(WRONGPASS);
    c.authenticated = true;
    c.user = user;
  }
  if (server.authRequired(c)) {
    return R.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== undefined) c.name = name;
  if (ver) c.protocol = ver as 2 | 3;
  // redis-sentinel leaves out `role`, which a plain redis-server adds.
  return R.map([
    ['server', R.bulk('redis')],
    ['version', R.bulk(server.options.version)],
    ['proto', R.int(c.protocol)],
    ['id', R.int(c.id)],
    ['mode', R.bulk('sentinel')],
    ['modules', R.array([])],
  ]);
}

function pubsubFrame(kind: string, name: string | null, c: Client): Reply {
  return R.push([R.bulk(kind), name === null ? R.nullBulk() : R.bulk(name), R.int(c.channels.size + c.patterns.size)]);
}

function unsubscribeFrames(server: Server, c: Client, kind: 'unsubscribe' | 'punsubscribe', args: Buffer[]): HandlerResult {
  const frames: Reply[] = [];
  const channels = kind === 'unsubscribe';
  const names = args.length > 1 ? args.slice(1).map((a) => a.toString('utf8')) : [...(channels ? c.channels : c.patterns)];
  for (const n of names) {
    if (channels) server.unsubscribe(c, n);
    else server.punsubscribe(c, n);
    frames.push(pubsubFrame(kind, n, c));
  }
  if (frames.length === 0) frames.push(pubsubFrame(kind, null, c));
  return { type: 'frames', value: frames };
}

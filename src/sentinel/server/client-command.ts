/**
 * CLIENT and its subcommands as redis-sentinel 7.0 has them. The CLIENT LIST line carries the
 * same fields in the same order as Redis 7.0; memory figures are this process's estimates.
 */
import { R, type Reply } from '../resp/types.js';
import { getUser } from './auth.js';
import type { Client } from './client.js';
import type { Server } from './server.js';
import type { CommandFlag, CommandSpec } from './types.js';

const SYNTAX = 'ERR syntax error';
const TYPES = new Set(['normal', 'slave', 'replica', 'master', 'pubsub']);

/** Redis accepts names made of characters '!' to '~' only. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function clientType(c: Client): string {
  return c.subscribed ? 'pubsub' : 'normal';
}

function matchesType(c: Client, type: string): boolean {
  // The sentinel has no replication clients: master/replica never match.
  return type === 'normal' || type === 'pubsub' ? clientType(c) === type : false;
}

/** One CLIENT LIST line, fields in Redis 7.0's order. */
export function clientLine(c: Client, now: number): string {
  // In Redis's order.
  const flags = (c.subscribed ? 'P' : '') + (c.tracking ? 't' : '') + (c.unix ? 'U' : '') + (c.noEvict ? 'e' : '') || 'N';
  const qbuf = c.queryBufferBytes;
  const obl = c.outputBufferBytes;
  const fields: Array<[string, string | number]> = [
    ['id', c.id],
    ['addr', c.addr],
    ['laddr', c.laddr],
    ['fd', c.fd],
    ['name', c.name],
    ['age', Math.floor((now - c.createdAt) / 1000)],
    ['idle', Math.floor((now - c.lastCommandAt) / 1000)],
    ['flags', flags],
    ['db', 0],
    ['sub', c.channels.size],
    ['psub', c.patterns.size],
    ['ssub', 0],
    ['multi', -1],
    ['qbuf', qbuf],
    ['qbuf-free', Math.max(0, 20474 - qbuf)],
    ['argv-mem', c.argvBytes],
    ['multi-mem', 0],
    ['rbs', 16384],
    ['rbp', 16384],
    ['obl', obl],
    ['oll', 0],
    ['omem', 0],
    ['tot-mem', 37658 + qbuf + obl],
    ['events', obl > 0 ? 'rw' : 'r'],
    ['cmd', c.lastCommand],
    ['user', c.user],
    ['redir', -1],
    ['resp', c.protocol],
  ];
  return fields.map(([k, v]) => `${k}=${v}`).join(' ') + '\n';
}

export function registerClientCommand(server: Server): void {
  const meta = (
    name: string,
    arity: number,
    flags: CommandFlag[],
    cats: string[],
    summary: string,
    since: string,
    tips: string[] = [],
  ): Omit<CommandSpec, 'handler'> => ({
    name,
    arity,
    flags,
    categories: cats,
    tips,
    docs: { summary, since, group: 'connection', complexity: 'O(1)' },
  });
  const plain: CommandFlag[] = ['noscript', 'loading', 'stale'];
  const admin: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
  const conn = ['@slow', '@connection'];
  const adminCats = ['@admin', '@slow', '@dangerous', '@connection'];
  const self = (args: unknown[], ctx: { client: unknown }) => ctx.client as Client;

  const subs: CommandSpec[] = [
    {
      ...meta('id', 2, plain, conn, 'Returns the id of this connection', '5.0.0'),
      handler: (ctx) => R.int(ctx.client.id),
    },
    {
      ...meta('info', 2, plain, conn, 'Describes this connection', '6.2.0', ['nondeterministic_output']),
      handler: (ctx) => R.verbatim(clientLine(ctx.client as Client, server.now())),
    },
    {
      ...meta('list', -2, admin, adminCats, 'Lists the connections', '2.4.0', ['nondeterministic_output']),
      handler: (_ctx, args) => clientList(server, args),
    },
    {
      ...meta('kill', -3, admin, adminCats, 'Closes connections', '2.4.0'),
      handler: (ctx, args) => clientKill(server, ctx.client as Client, args),
    },
    {
      ...meta('setname', 3, plain, conn, 'Names this connection', '2.6.9'),
      handler: (ctx, args) => {
        const name = args[2]!.toString('utf8');
        if (!validClientName(name)) return R.error('ERR Client names cannot contain spaces, newlines or special characters.');
        ctx.client.name = name;
        return R.ok();
      },
    },
    {
      ...meta('getname', 2, plain, conn, 'Returns the name of this connection', '2.6.9'),
      handler: (ctx) => (ctx.client.name ? R.bulk(ctx.client.name) : R.nullBulk()),
    },
    {
      ...meta('reply', 3, plain, conn, 'Turns replies to this connection on or off', '3.2.0'),
      handler: (ctx, args) => {
        const c = self(args, ctx);
        const mode = args[2]!.toString('utf8').toLowerCase();
        if (mode === 'on') {
          c.replyMode = 'on';
          return R.ok();
        }
        if (mode === 'off') c.replyMode = 'off';
        else if (mode === 'skip') {
          if (c.replyMode !== 'off') c.replyMode = 'skip-next';
        } else return R.error(SYNTAX);
        return { type: 'frames', value: [] };
      },
    },
    {
      ...meta('no-evict', 3, admin, adminCats, 'Exempts this connection from eviction', '7.0.0'),
      handler: (ctx, args) => {
        const v = args[2]!.toString('utf8').toLowerCase();
        if (v !== 'on' && v !== 'off') return R.error(SYNTAX);
        self(args, ctx).noEvict = v === 'on';
        return R.ok();
      },
    },
    {
      ...meta('pause', -3, admin, adminCats, 'Holds the commands of every client for a while', '2.9.50'),
      handler: (_ctx, args) => {
        const t = args[2]!.toString('utf8');
        if (!/^-?\d+$/.test(t)) return R.error('ERR timeout is not an integer or out of range');
        const ms = Number(t);
        if (ms < 0) return R.error('ERR timeout is negative');
        if (args.length === 4) {
          const mode = args[3]!.toString('utf8').toLowerCase();
          if (mode !== 'write' && mode !== 'all') return R.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
          // The sentinel has no write commands: WRITE mode holds nothing.
          if (mode === 'write') return R.ok();
        } else if (args.length > 4) return R.error(SYNTAX);
        server.pausedUntil = Math.max(server.pausedUntil, server.now() + ms);
        return R.ok();
      },
    },
    {
      ...meta('unpause', 2, admin, adminCats, 'Ends CLIENT PAUSE', '6.2.0'),
      handler: () => {
        server.pausedUntil = 0;
        return R.ok();
      },
    },
    {
      ...meta('unblock', -3, admin, adminCats, 'Unblocks a client blocked in a blocking command', '5.0.0'),
      handler: (_ctx, args) => {
        if (!/^-?\d+$/.test(args[2]!.toString('utf8'))) return R.error('ERR value is not an integer or out of range');
        if (args.length > 4) return R.error(SYNTAX);
        if (args.length === 4 && !['timeout', 'error'].includes(args[3]!.toString('utf8').toLowerCase())) {
          return R.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
        }
        // No sentinel command blocks, so there is never anyone to unblock.
        return R.int(0);
      },
    },
    {
      ...meta('tracking', -3, plain, conn, 'Turns client-side caching invalidation on or off', '6.0.0'),
      handler: (ctx, args) => {
        const v = args[2]!.toString('utf8').toLowerCase();
        if (v !== 'on' && v !== 'off') return R.error(SYNTAX);
        // The sentinel holds no keys, so there is never anything to invalidate.
        self(args, ctx).tracking = v === 'on';
        return R.ok();
      },
    },
    {
      ...meta('trackinginfo', 2, plain, conn, 'Describes client-side caching for this connection', '6.2.0'),
      handler: (ctx) =>
        R.map([
          ['flags', { type: 'set', value: [R.bulk(self([], ctx).tracking ? 'on' : 'off')] }],
          ['redirect', R.int(self([], ctx).tracking ? 0 : -1)],
          ['prefixes', R.array([])],
        ]),
    },
    {
      ...meta('getredir', 2, plain, conn, 'Returns the client-side caching redirection id', '6.0.0'),
      handler: (ctx) => R.int(self([], ctx).tracking ? 0 : -1),
    },
    {
      ...meta('caching', 3, plain, conn, 'Marks the next command for client-side caching', '6.0.0'),
      handler: () => R.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled'),
    },
    {
      ...meta('help', 2, ['loading', 'stale'], conn, 'Lists the CLIENT subcommands', '5.0.0'),
      handler: () =>
        R.array(
          [
            'CLIENT <subcommand> [<arg> ...]. Subcommands are:',
            "ID -- this connection's id.",
            'INFO -- this connection, in CLIENT LIST form.',
            'LIST [TYPE normal|master|replica|pubsub] [ID id ...] -- every connection.',
            'KILL <ip:port> | KILL [ID id] [TYPE type] [ADDR ip:port] [LADDR ip:port] [USER user] [SKIPME yes|no]',
            'SETNAME <name> / GETNAME -- name this connection / read its name.',
            'REPLY ON|OFF|SKIP -- control replies to this connection.',
            'NO-EVICT ON|OFF, PAUSE <ms> [WRITE|ALL], UNPAUSE, UNBLOCK <id>, TRACKING ON|OFF, TRACKINGINFO, GETREDIR, CACHING',
            'HELP -- this text.',
          ].map((l) => R.simple(l)),
        ),
    },
  ];
  server.registerCommand({
    name: 'client',
    arity: -2,
    flags: [],
    categories: ['@slow'],
    docs: { summary: 'Connection management', since: '2.4.0', group: 'connection', complexity: 'Depends on subcommand.' },
    subcommands: subs,
  });
}

function clientList(server: Server, args: Buffer[]): Reply {
  let clients = server.clients();
  const opt = args[2]?.toString('utf8').toLowerCase();
  if (args.length === 4 && opt === 'type') {
    const type = args[3]!.toString('utf8').toLowerCase();
    if (!TYPES.has(type)) return R.error(`ERR Unknown client type '${args[3]!.toString('utf8')}'`);
    clients = clients.filter((c) => matchesType(c, type));
  } else if (args.length > 3 && opt === 'id') {
    const ids: number[] = [];
    for (const a of args.slice(3)) {
      const s = a.toString('utf8');
      if (!/^\d+$/.test(s) || Number(s) < 1) return R.error('ERR Invalid client ID');
      ids.push(Number(s));
    }
    clients = ids.map((id) => server.client(id)).filter((c): c is Client => c !== undefined);
  } else if (args.length !== 2) {
    return R.error(SYNTAX);
  }
  const now = server.now();
  return R.verbatim(clients.map((c) => clientLine(c, now)).join(''));
}

function clientKill(server: Server, me: Client, args: Buffer[]): Reply {
  let addr: string | undefined;
  let laddr: string | undefined;
  let id: number | undefined;
  let type: string | undefined;
  let user: string | undefined;
  let skipme = true;
  const oldForm = args.length === 3;
  if (oldForm) {
    addr = args[2]!.toString('utf8');
    skipme = false;
  } else {
    for (let i = 2; i < args.length; i += 2) {
      const opt = args[i]!.toString('utf8').toLowerCase();
      const val = args[i + 1]?.toString('utf8');
      if (val === undefined) return R.error(SYNTAX);
      if (opt === 'id') {
        if (!/^-?\d+$/.test(val) || Number(val) < 1) return R.error('ERR client-id should be greater than 0');
        id = Number(val);
      } else if (opt === 'type') {
        if (!TYPES.has(val.toLowerCase())) return R.error(`ERR Unknown client type '${val}'`);
        type = val.toLowerCase();
      } else if (opt === 'addr') addr = val;
      else if (opt === 'laddr') laddr = val;
      else if (opt === 'user') {
        if (!getUser(server.getUsers(), val)) return R.error(`ERR No such user '${val}'`);
        user = val;
      } else if (opt === 'skipme') {
        if (val.toLowerCase() === 'yes') skipme = true;
        else if (val.toLowerCase() === 'no') skipme = false;
        else return R.error(SYNTAX);
      } else return R.error(SYNTAX);
    }
  }
  let killed = 0;
  for (const c of server.clients()) {
    if (addr !== undefined && c.addr !== addr) continue;
    if (laddr !== undefined && c.laddr !== laddr) continue;
    if (id !== undefined && c.id !== id) continue;
    if (type !== undefined && !matchesType(c, type)) continue;
    if (user !== undefined && c.user !== user) continue;
    if (c === me && skipme) continue;
    c.kill();
    killed++;
  }
  if (oldForm) return killed === 0 ? R.error('ERR No such client') : R.ok();
  return R.int(killed);
}

/**
 * ACL as a sentinel has it: users from `requirepass`, `user` lines or the `aclfile`, and WHOAMI /
 * USERS / LIST / GETUSER / CAT / GENPASS / SETUSER / DELUSER / DRYRUN / LOG / LOAD / SAVE with
 * Redis 7.0's replies. Permissions are enforced by ./acl-check.ts. Commands that take rights away
 * close the connections that lost them, as Redis does.
 */
import { randomBytes } from 'node:crypto';
import { R, type Reply } from '../resp/types.js';
import { applyAclRules, describeUser, getUser } from './auth.js';
import { channelsOf, commandAllowed, deniedChannel } from './acl-check.js';
import type { Server } from './server.js';
import type { AclUser, CommandFlag, CommandSpec } from './types.js';

/** Redis 7.0's ACL categories, in its order. */
const CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

function usersWithDefault(server: Server): Map<string, AclUser> {
  const users = new Map(server.getUsers());
  if (!users.has('default')) users.set('default', getUser(users, 'default')!);
  return new Map([...users.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Redis's ACLKillPubsubClientsIfNeeded: once a user's channel rules change, its subscribers
 * holding a channel or a pattern the new rules do not allow are closed (patterns must be allowed
 * as written). The caller, when it is one of them, gets its reply first.
 */
function closeSubscribersDenied(server: Server, name: string, user: AclUser): void {
  for (const c of server.clients()) {
    if (c.user !== name || !c.subscribed) continue;
    if (deniedChannel(user, [...c.channels], false) !== undefined || deniedChannel(user, [...c.patterns], true) !== undefined) c.kill();
  }
}

export function registerAclCommand(server: Server): void {
  const admin: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
  const adminCats = ['@admin', '@slow', '@dangerous'];
  const plain: CommandFlag[] = ['noscript', 'loading', 'stale'];
  const sub = (name: string, arity: number, flags: CommandFlag[], cats: string[], summary: string, handler: CommandSpec['handler']): CommandSpec => ({
    name,
    arity,
    flags,
    categories: cats,
    docs: { summary, since: '6.0.0', group: 'server', complexity: 'O(N) where N is the number of users' },
    handler,
  });
  const notConfigured = () =>
    R.error(
      'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.',
    );

  server.registerCommand({
    name: 'acl',
    arity: -2,
    flags: [],
    categories: ['@slow'],
    docs: { summary: 'Access control: users and passwords', since: '6.0.0', group: 'server', complexity: 'Depends on subcommand.' },
    subcommands: [
      sub('whoami', 2, plain, ['@slow'], 'Returns the user of this connection', (ctx) => R.bulk(ctx.client.user)),
      sub('users', 2, admin, adminCats, 'Lists the user names', () => R.bulks([...usersWithDefault(server).keys()])),
      sub('list', 2, admin, adminCats, 'Lists the users as config lines', () => R.bulks([...usersWithDefault(server)].map(([n, u]) => describeUser(n, u)))),
      sub('getuser', 3, admin, adminCats, 'Describes one user', (_ctx, args) => {
        const u = getUser(server.getUsers(), args[2]!.toString('utf8'));
        if (!u) return R.nullBulk();
        const flags = [u.enabled ? 'on' : 'off', ...(u.nopass ? ['nopass'] : []), ...(u.payloadFlag ? [u.payloadFlag] : [])];
        const pick = (re: RegExp) => u.rules.filter((r) => re.test(r)).join(' ');
        return R.map([
          ['flags', R.array(flags.map((f) => R.bulk(f)))],
          ['passwords', R.bulks([...u.passwordHashes])],
          ['commands', R.bulk(pick(/^([+-]|allcommands$|nocommands$)/i))],
          ['keys', R.bulk(pick(/^(~|%|allkeys$|resetkeys$)/i))],
          ['channels', R.bulk(pick(/^(&|allchannels$|resetchannels$)/i))],
          ['selectors', R.array([])],
        ]);
      }),
      sub('cat', -2, plain, ['@slow'], 'Lists the categories, or the commands in one', (_ctx, args) => {
        if (args.length === 2) return R.bulks(CATEGORIES);
        if (args.length > 3) return R.error("ERR wrong number of arguments for 'acl|cat' command");
        const cat = args[2]!.toString('utf8').toLowerCase();
        if (!CATEGORIES.includes(cat)) return R.error(`ERR Unknown category '${args[2]!.toString('utf8')}'`);
        const names: string[] = [];
        for (const e of server.table.all()) {
          for (const x of [e, ...e.subs.values()]) {
            if ((x.spec.categories ?? []).includes(`@${cat}`)) names.push(x.fullName);
          }
        }
        return R.bulks(names);
      }),
      sub('genpass', -2, plain, ['@slow'], 'Makes a random password', (_ctx, args) => {
        let bits = 256;
        if (args.length > 3) return R.error("ERR Unknown ACL subcommand or wrong number of arguments for 'genpass'");
        if (args.length === 3) {
          const s = args[2]!.toString('utf8');
          bits = /^\d+$/.test(s) ? Number(s) : 0;
          if (bits <= 0 || bits > 4096) {
            return R.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
          }
        }
        const chars = Math.ceil(bits / 4);
        return R.bulk(
          randomBytes(Math.ceil(chars / 2))
            .toString('hex')
            .slice(0, chars),
        );
      }),
      sub('setuser', -3, admin, adminCats, 'Creates or changes a user', (_ctx, args) => {
        const name = args[2]!.toString('utf8');
        const users = new Map(server.getUsers());
        const existing = getUser(users, name);
        const u: AclUser = existing
          ? { ...existing, passwordHashes: new Set(existing.passwordHashes), rules: [...existing.rules] }
          : { enabled: false, nopass: false, passwordHashes: new Set(), rules: ['resetchannels', '-@all'] };
        for (const a of args.slice(3)) {
          const rule = a.toString('utf8');
          const err = applyAclRules(u, [rule]);
          if (err) return R.error(`ERR Error in ACL SETUSER modifier '${rule}': ${err}`);
        }
        users.set(name, u);
        server.setUsers(users);
        if (existing) closeSubscribersDenied(server, name, u);
        return R.ok();
      }),
      sub('deluser', -3, admin, adminCats, 'Removes users', (_ctx, args) => {
        const users = new Map(server.getUsers());
        let n = 0;
        for (const a of args.slice(2)) {
          const name = a.toString('utf8');
          if (name === 'default') return R.error("ERR The 'default' user cannot be removed");
          if (users.delete(name)) {
            n++;
            // Redis disconnects the clients that were logged in as a removed user (the caller
            // after its reply).
            for (const c of server.clients()) if (c.user === name) c.kill();
          }
        }
        server.setUsers(users);
        return R.int(n);
      }),
      sub('log', -2, admin, adminCats, 'Lists denied commands and logins', (_ctx, args) => {
        if (args.length === 3 && args[2]!.toString('utf8').toLowerCase() === 'reset') return R.ok();
        if (args.length === 3 && !/^\d+$/.test(args[2]!.toString('utf8'))) return R.error('ERR value is out of range, must be positive');
        if (args.length > 3) return R.error('ERR syntax error');
        return R.array([]);
      }),
      sub('save', 2, admin, adminCats, 'Saves the users to the ACL file', () => {
        const file = server.options.aclFile;
        if (!file) return notConfigured();
        try {
          file.save(server.getUsers());
        } catch {
          return R.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
        }
        return R.ok();
      }),
      sub('load', 2, admin, adminCats, 'Loads the users from the ACL file', () => {
        const file = server.options.aclFile;
        if (!file) return notConfigured();
        const loaded = file.load();
        if ('error' in loaded) return R.error(`ERR ${loaded.error}`);
        server.setUsers(loaded.users);
        // Redis 7.0 replaces every user but `default`, closing the clients logged in as them
        // (the caller after its reply), whether their user changed or not.
        for (const c of server.clients()) if (c.user !== 'default') c.kill();
        return R.ok();
      }),
      sub('dryrun', -4, admin, adminCats, 'Tells whether a user may run a command', (_ctx, args): Reply => {
        const name = args[2]!.toString('utf8');
        const u = getUser(server.getUsers(), name);
        if (!u) return R.error(`ERR User '${name}' not found`);
        const found = server.table.lookup(args.slice(3));
        if (!found.ok) return R.error(`ERR Command '${args[3]!.toString('utf8')}' not found`);
        const argv = args.slice(3);
        if (!commandAllowed(u, found.entry, argv)) return R.bulk(`This user has no permissions to run the '${found.entry.fullName}' command`);
        const used = channelsOf(found.entry, argv);
        const denied = used ? deniedChannel(u, used.channels, used.literal) : undefined;
        if (denied !== undefined) return R.bulk(`This user has no permissions to access the '${denied}' channel`);
        return R.ok();
      }),
      sub('help', 2, ['loading', 'stale'], ['@slow'], 'Lists the ACL subcommands', () =>
        R.array(
          [
            'ACL <subcommand> [<arg> ...]. Subcommands are:',
            'WHOAMI, USERS, LIST, GETUSER <user>, CAT [<category>], GENPASS [<bits>]',
            'SETUSER <user> [on|off|>pass|<pass|#hash|!hash|nopass|resetpass|reset ...], DELUSER <user> ...',
            'LOG [<count>|RESET], DRYRUN <user> <command> [<arg> ...], SAVE, LOAD',
            'HELP -- this text.',
          ].map((l) => R.simple(l)),
        ),
      ),
    ],
  });
}

/**
 * COMMAND [COUNT | LIST | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | HELP] over the command table,
 * in redis-sentinel 7.0's reply shapes. DOCS is minimal: summary, since, group, complexity and
 * subcommands (no argument trees).
 */
import { R, type Reply } from '../resp/types.js';
import { globMatch } from './glob.js';
import type { Server } from './server.js';
import { arityOk, type Entry } from './table.js';
import type { CommandFlag, CommandSpec } from './types.js';

const set = (value: Reply[]): Reply => ({ type: 'set', value });

export function commandInfo(e: Entry): Reply {
  const s = e.spec;
  return R.array([
    R.bulk(e.fullName),
    R.int(s.arity),
    set((s.flags ?? []).map((f) => R.simple(f))),
    R.int(0),
    R.int(0),
    R.int(0),
    set((s.categories ?? []).map((c) => R.simple(c))),
    set((s.tips ?? []).map((t) => R.bulk(t))),
    set([]),
    e.subs.size ? R.array([...e.subs.values()].map(commandInfo)) : set([]),
  ]);
}

export function commandDocs(e: Entry): Reply {
  const d = e.spec.docs;
  const pairs: Array<[string, Reply]> = [];
  if (d) {
    pairs.push(['summary', R.bulk(d.summary)], ['since', R.bulk(d.since)], ['group', R.bulk(d.group)]);
    if (d.complexity) pairs.push(['complexity', R.bulk(d.complexity)]);
  }
  if (e.subs.size) {
    pairs.push(['subcommands', R.map([...e.subs.values()].map((sub) => [sub.fullName, commandDocs(sub)]))]);
  }
  return R.map(pairs);
}

function allEntries(server: Server): Entry[] {
  const out: Entry[] = [];
  for (const e of server.table.all()) {
    out.push(e);
    out.push(...e.subs.values());
  }
  return out;
}

export function registerCommandCommand(server: Server): void {
  const flags: CommandFlag[] = ['loading', 'stale'];
  const cats = ['@slow', '@connection'];
  const sub = (name: string, arity: number, summary: string, since: string, handler: CommandSpec['handler'], tips: string[] = []): CommandSpec => ({
    name,
    arity,
    flags,
    categories: cats,
    tips,
    docs: { summary, since, group: 'server', complexity: 'O(N) where N is the number of commands' },
    handler,
  });
  const getkeys = (_ctx: unknown, args: Buffer[]): Reply => {
    const target = args.slice(2);
    const found = server.table.lookup(target);
    if (!found.ok) {
      return R.error(
        found.error.includes('wrong number of arguments') ? 'ERR Invalid number of arguments specified for command' : 'ERR Invalid command specified',
      );
    }
    if (!arityOk(found.entry.spec.arity, target.length)) return R.error('ERR Invalid number of arguments specified for command');
    // No sentinel command takes keys.
    return R.error('ERR The command has no key arguments');
  };
  server.registerCommand({
    name: 'command',
    arity: -1,
    flags,
    categories: cats,
    tips: ['nondeterministic_output_order'],
    docs: { summary: 'Describes the commands this server runs', since: '2.8.13', group: 'server', complexity: 'O(N) where N is the number of commands' },
    handler: () => R.array(server.table.all().map(commandInfo)),
    subcommands: [
      sub('count', 2, 'Counts the commands', '2.8.13', () => R.int(server.table.all().length)),
      sub(
        'list',
        -2,
        'Lists command names',
        '7.0.0',
        (_ctx, args) => {
          let entries = allEntries(server);
          if (args.length === 5 && args[2]!.toString('utf8').toLowerCase() === 'filterby') {
            const by = args[3]!.toString('utf8').toLowerCase();
            const arg = args[4]!.toString('utf8');
            if (by === 'module') entries = [];
            else if (by === 'aclcat') entries = entries.filter((e) => (e.spec.categories ?? []).some((c) => c.toLowerCase() === `@${arg.toLowerCase()}`));
            else if (by === 'pattern') entries = entries.filter((e) => globMatch(arg, e.fullName, true));
            else return R.error('ERR syntax error');
          } else if (args.length !== 2) {
            return R.error('ERR syntax error');
          }
          return R.bulks(entries.map((e) => e.fullName));
        },
        ['nondeterministic_output_order'],
      ),
      sub(
        'info',
        -2,
        'Describes commands',
        '2.8.13',
        (_ctx, args) => {
          if (args.length === 2) return R.array(server.table.all().map(commandInfo));
          return R.array(
            args.slice(2).map((a) => {
              const e = server.table.getByFullName(a.toString('utf8'));
              return e ? commandInfo(e) : R.nullBulk();
            }),
          );
        },
        ['nondeterministic_output_order'],
      ),
      sub(
        'docs',
        -2,
        'Documents commands',
        '7.0.0',
        (_ctx, args) => {
          const entries =
            args.length === 2
              ? server.table.all()
              : args
                  .slice(2)
                  .map((a) => server.table.getByFullName(a.toString('utf8')))
                  .filter((e): e is Entry => e !== undefined);
          return R.map(entries.map((e) => [e.fullName, commandDocs(e)]));
        },
        ['nondeterministic_output_order'],
      ),
      sub('getkeys', -4, 'Extracts the keys of a command', '2.8.13', getkeys),
      sub('getkeysandflags', -4, 'Extracts the keys of a command and how it uses them', '7.0.0', getkeys),
      sub('help', 2, 'Lists the COMMAND subcommands', '5.0.0', () =>
        R.array(
          [
            'COMMAND <subcommand> [<arg> ...]. Subcommands are:',
            '(no subcommand) -- every command, as COMMAND INFO describes it.',
            'COUNT -- how many commands there are.',
            'LIST [FILTERBY MODULE name|ACLCAT category|PATTERN pattern] -- command names.',
            'INFO [name ...] -- arity, flags and categories.',
            'DOCS [name ...] -- summaries.',
            'GETKEYS / GETKEYSANDFLAGS <command> [<arg> ...] -- the keys a command touches.',
            'HELP -- this text.',
          ].map((l) => R.simple(l)),
        ),
      ),
    ],
  });
}

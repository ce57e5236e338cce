/**
 * ACL permission checks as Redis 7.0 makes them: may this user run this command, and publish or
 * subscribe to these channels. A sentinel.conf `user` line with restricted rules (a peer user
 * for sentinel-user / sentinel-pass, say) must restrict the bundled sentinel exactly as it
 * restricts redis-sentinel; a drop-in that silently allowed everything would open a door.
 *
 * Rules are replayed in order, the way Redis applies them to its per-command bits: the last rule
 * that touches a command decides. Supported: +@all / -@all / allcommands / nocommands,
 * +@category / -@category, +cmd / -cmd, +cmd|sub / -cmd|sub (first-arg for commands without
 * subcommands), allchannels / resetchannels / &pattern, reset. Key rules do not matter to a
 * sentinel (none of its commands take keys).
 */
import { globMatch } from './glob.js';
import type { Entry } from './table.js';
import type { AclUser } from './types.js';

export const NOPERM_CHANNELS = 'NOPERM this user has no permissions to access one of the channels used as arguments';

export function nopermCommand(fullName: string): string {
  return `NOPERM this user has no permissions to run the '${fullName}' command`;
}

function categoriesOf(entry: Entry): string[] {
  const own = entry.spec.categories ?? [];
  return own.length || !entry.parent ? own : (entry.parent.spec.categories ?? []);
}

/** Does `rule` (without its +/-) name this command, this subcommand, or this first argument? */
function names(rule: string, entry: Entry, argv: Buffer[]): boolean {
  const base = entry.parent ?? entry;
  const bar = rule.indexOf('|');
  if (bar < 0) return rule === base.fullName;
  const [cmd, arg] = [rule.slice(0, bar), rule.slice(bar + 1)];
  if (cmd !== base.fullName) return false;
  if (base.subs.size > 0) return entry.parent !== undefined && entry.spec.name === arg;
  // First-arg rule (`+select|0`) on a command without subcommands.
  return argv[1] !== undefined && argv[1].toString('utf8').toLowerCase() === arg;
}

export function commandAllowed(user: AclUser, entry: Entry, argv: Buffer[]): boolean {
  // AUTH and HELLO must work before anyone is known.
  if ((entry.spec.flags ?? []).includes('no_auth') || (entry.parent?.spec.flags ?? []).includes('no_auth')) return true;
  const cats = categoriesOf(entry);
  let allowed = false;
  for (const raw of user.rules) {
    const rule = raw.toLowerCase();
    if (rule === '+@all' || rule === 'allcommands') allowed = true;
    else if (rule === '-@all' || rule === 'nocommands') allowed = false;
    else if (rule.startsWith('+@')) {
      if (cats.includes(rule.slice(1))) allowed = true;
    } else if (rule.startsWith('-@')) {
      if (cats.includes(rule.slice(1))) allowed = false;
    } else if (rule.startsWith('+')) {
      if (names(rule.slice(1), entry, argv)) allowed = true;
    } else if (rule.startsWith('-')) {
      if (names(rule.slice(1), entry, argv)) allowed = false;
    }
  }
  return allowed;
}

/** The user's channel permissions after replaying its rules. */
export function channelRules(user: AclUser): { all: boolean; patterns: string[] } {
  let all = false;
  let patterns: string[] = [];
  for (const rule of user.rules) {
    const r = rule.toLowerCase();
    if (r === 'allchannels' || rule === '&*') {
      all = true;
      patterns = [];
    } else if (r === 'resetchannels') {
      all = false;
      patterns = [];
    } else if (rule.startsWith('&') && !all) {
      patterns.push(rule.slice(1));
    }
  }
  return { all, patterns };
}

/**
 * PUBLISH and SUBSCRIBE need a pattern that matches the channel; PSUBSCRIBE needs one of the
 * user's patterns literally (a client pattern could match more than it was granted).
 */
export function channelsAllowed(user: AclUser, channels: string[], literal: boolean): boolean {
  return deniedChannel(user, channels, literal) === undefined;
}

/** The first channel the user may not use (ACL DRYRUN names it), if any. */
export function deniedChannel(user: AclUser, channels: string[], literal: boolean): string | undefined {
  const { all, patterns } = channelRules(user);
  if (all) return undefined;
  return channels.find((ch) => !patterns.some((p) => (literal ? p === ch : globMatch(p, ch))));
}

/** The channels a command uses, and whether they are patterns: what the channel check needs. */
export function channelsOf(entry: Entry, argv: Buffer[]): { channels: string[]; literal: boolean } | null {
  const name = (entry.parent ?? entry).spec.name;
  if (name === 'publish') return argv[1] ? { channels: [argv[1].toString('utf8')], literal: false } : null;
  if (name === 'subscribe') return { channels: argv.slice(1).map((a) => a.toString('utf8')), literal: false };
  if (name === 'psubscribe') return { channels: argv.slice(1).map((a) => a.toString('utf8')), literal: true };
  return null;
}

/**
 * The slice of Redis ACL the sentinel needs: is AUTH required, does a user/password pair match,
 * and users built from `requirepass` / `user` config lines. Passwords are compared as SHA-256
 * digests, the form Redis keeps them in (and writes back on CONFIG REWRITE).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { channelRules } from './acl-check.js';
import type { AclUser, ClientState } from './types.js';

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The user Redis starts with: `user default on nopass ~* &* +@all`. */
export function defaultUser(): AclUser {
  return { enabled: true, nopass: true, passwordHashes: new Set(), rules: ['~*', '&*', '+@all'] };
}

export function getUser(users: Map<string, AclUser>, name: string): AclUser | undefined {
  if (name === 'default' && !users.has('default')) return defaultUser();
  return users.get(name);
}

/** Redis's authRequired(): the default user has a password (or is off) and the client has not authenticated. */
export function authRequiredFor(users: Map<string, AclUser>, c: Pick<ClientState, 'authenticated'>): boolean {
  if (c.authenticated) return false;
  const d = getUser(users, 'default')!;
  return !d.nopass || !d.enabled;
}

export function checkPassword(users: Map<string, AclUser>, user: string, pass: string | Buffer): boolean {
  const u = getUser(users, user);
  if (!u || !u.enabled) return false;
  if (u.nopass) return true;
  const h = Buffer.from(sha256Hex(pass), 'hex');
  for (const candidate of u.passwordHashes) {
    const c = Buffer.from(candidate, 'hex');
    if (c.length === h.length && timingSafeEqual(c, h)) return true;
  }
  return false;
}

/** Rules that set every command bit at once: the rules before them no longer matter. */
const ALL_COMMANDS: Record<string, string> = { '+@all': '+@all', allcommands: '+@all', '-@all': '-@all', nocommands: '-@all' };

function isCommandRule(r: string): boolean {
  return /^[+-]/.test(r) || r.toLowerCase() === 'allcommands' || r.toLowerCase() === 'nocommands';
}

/**
 * Applies ACL rules to a user the way `user <name> <rules...>` and ACL SETUSER do, for the rules
 * that matter to a sentinel: on/off, >pass, <pass, #hash, !hash, nopass, resetpass, reset. Other
 * rules (command, key and channel permissions) are kept for the checks and the config rewrite:
 * like Redis, +@all / -@all (allcommands / nocommands) replace the command rules before them.
 * Returns an error text for a malformed rule.
 */
export function applyAclRules(user: AclUser, rules: string[]): string | null {
  for (const rule of rules) {
    const r = rule.toLowerCase();
    if (r === 'on') user.enabled = true;
    else if (r === 'off') user.enabled = false;
    else if (r === 'nopass') {
      user.nopass = true;
      user.passwordHashes.clear();
    } else if (r === 'resetpass') {
      user.nopass = false;
      user.passwordHashes.clear();
    } else if (r === 'reset') {
      user.enabled = false;
      user.nopass = false;
      user.passwordHashes.clear();
      user.rules = ['resetchannels', '-@all'];
      user.payloadFlag = 'sanitize-payload';
    } else if (r === 'sanitize-payload' || r === 'skip-sanitize-payload') {
      user.payloadFlag = r;
    } else if (ALL_COMMANDS[r]) {
      user.rules = [...user.rules.filter((x) => !isCommandRule(x)), ALL_COMMANDS[r]];
    } else if (rule.startsWith('>')) {
      user.passwordHashes.add(sha256Hex(rule.slice(1)));
      user.nopass = false;
    } else if (rule.startsWith('<')) {
      user.passwordHashes.delete(sha256Hex(rule.slice(1)));
    } else if (rule.startsWith('#') || rule.startsWith('!')) {
      const hex = rule.slice(1).toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(hex)) return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
      if (rule[0] === '#') {
        user.passwordHashes.add(hex);
        user.nopass = false;
      } else user.passwordHashes.delete(hex);
    } else if (/^(~|%|&|[+-]@?|allkeys$|allchannels$|allcommands$|nocommands$|resetkeys$|resetchannels$)/i.test(rule)) {
      // The last rule touching a command decides, so a repeated rule moves to the end.
      const at = user.rules.indexOf(rule);
      if (at >= 0) user.rules.splice(at, 1);
      user.rules.push(rule);
    } else {
      return `Syntax error`;
    }
  }
  return null;
}

/**
 * `user default on nopass ~* &* +@all` / `user x on #<sha256> ~* resetchannels +@all`: flags,
 * password hashes, then key, channel and command rules, the order Redis writes users back in.
 */
export function describeUser(name: string, u: AclUser): string {
  const parts = ['user', name, u.enabled ? 'on' : 'off'];
  if (u.nopass) parts.push('nopass');
  if (u.payloadFlag) parts.push(u.payloadFlag);
  for (const h of u.passwordHashes) parts.push(`#${h}`);
  const keys = u.rules.filter((r) => /^(~|%|allkeys$|resetkeys$)/i.test(r));
  const channels = u.rules.filter((r) => /^(&|allchannels$|resetchannels$)/i.test(r));
  const rest = u.rules.filter((r) => !keys.includes(r) && !channels.includes(r));
  // As Redis writes them: channels start from resetchannels unless all are allowed, commands
  // from -@all unless the rules start from everything.
  const ch = channelRules(u);
  const chanPart = ch.all ? ['&*'] : ['resetchannels', ...ch.patterns.map((p) => `&${p}`)];
  const first = rest[0]?.toLowerCase();
  const cmdPart = first === '+@all' || first === '-@all' || first === 'allcommands' || first === 'nocommands' ? rest : ['-@all', ...rest];
  parts.push(...keys, ...chanPart, ...cmdPart);
  return parts.join(' ');
}

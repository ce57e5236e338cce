/**
 * The ACL file (`aclfile`), read and written as redis-sentinel 7.0 does: one `user <name> <rules>`
 * per line, blank lines allowed, anything else (comments included) an error. Every error of the
 * file is reported, and then nothing is loaded. Users are written back sorted by name. The path
 * is relative to the sentinel's working directory (the last `dir`).
 */
import { readFileSync } from 'node:fs';
import { strerror } from '../strerror.js';
import { applyAclRules, defaultUser, describeUser } from './auth.js';
import type { AclFileStore, AclUser } from './types.js';

export function parseAclFile(text: string, name: string): { users: Map<string, AclUser> } | { error: string } {
  const users = new Map<string, AclUser>();
  let errors = '';
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') return;
    // Redis 7.0 splits an ACL file line on single spaces (no quoting).
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${name}:${i + 1} should start with user keyword followed by the username. `;
      return;
    }
    const user = argv[1]!;
    if (users.has(user)) {
      errors += `WARNING: Duplicate user '${user}' found on line ${i + 1}. `;
      return;
    }
    const u: AclUser = { enabled: false, nopass: false, passwordHashes: new Set(), rules: [] };
    const err = applyAclRules(u, argv.slice(2));
    if (err) errors += `${name}:${i + 1}: ${err}. `;
    else users.set(user, u);
  });
  if (errors) return { error: `${errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed` };
  // A file without the default user leaves it as Redis creates it.
  if (!users.has('default')) users.set('default', defaultUser());
  return { users };
}

export function aclFileText(users: Map<string, AclUser>): string {
  const all = new Map(users);
  if (!all.has('default')) all.set('default', defaultUser());
  return [...all.keys()]
    .sort()
    .map((n) => `${describeUser(n, all.get(n)!)}\n`)
    .join('');
}

/** The file at `path`; `write` replaces it atomically (the config's writer, passed in). */
export function aclFileStore(path: string, write: (file: string, content: string) => void): AclFileStore {
  return {
    load: () => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        return { error: `Error loading ACLs, opening file '${path}': ${strerror(err)}` };
      }
      return parseAclFile(text, path);
    },
    save: (users) => write(path, aclFileText(users)),
  };
}

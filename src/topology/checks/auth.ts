import { DEFAULTS } from '../defaults.js';
import type { AclUserRead, Field, SpecRead } from '../read.js';
import { error, warning, type Finding } from './finding.js';

/**
 * ACL users: never the default user, only on top of a password for the default user (otherwise
 * anyone is the default user, with every permission), and not sharing one password.
 */
export function aclUsers(spec: SpecRead): Finding[] {
  const { auth } = spec;
  const users: Array<{ user: AclUserRead | undefined; needs: Field<string | undefined>; on: string; example: string }> = [
    { user: auth.user, needs: auth.password, on: 'the data nodes', example: 'sentinel' },
    { user: auth.sentinelUser, needs: auth.sentinelPassword, on: 'the sentinels', example: 'sentinel-peer' },
  ];
  const findings: Finding[] = [];
  for (const { user, needs, on, example } of users) {
    if (!user) continue;
    if (user.name.value === 'default') {
      findings.push(
        error({
          path: user.name.path,
          value: user.name.value,
          message: 'is the user everyone gets without logging in',
          fix: `choose another name, e.g. "${example}"`,
        }),
      );
    }
    if (needs.value === undefined && !needs.rejected) {
      findings.push(
        error({
          path: user.path,
          message: `needs ${needs.path}: without it every connection to ${on} is the default user, with every permission, and the restricted user protects nothing`,
          fix: `set ${needs.path} as well (as \${VAR})`,
        }),
      );
    }
  }
  const [a, b] = [auth.user, auth.sentinelUser].map(complete);
  if (a && b && a.password.value === b.password.value) {
    findings.push(
      warning({ path: b.password.path, message: `is the same as ${a.password.path}: one leaked secret opens both`, fix: 'give each user its own password' }),
    );
  }
  return findings;
}

/**
 * Passwords: no "$" (Docker Compose would read it as a variable reference in .env), and taken
 * from ${VAR} rather than written in the spec, which ends up wherever the spec is committed.
 */
export function secrets(spec: SpecRead): Finding[] {
  const { auth } = spec;
  const fields: Array<[Field<string | undefined> | undefined, string]> = [
    [auth.password, DEFAULTS.redisPasswordVar],
    [auth.sentinelPassword, DEFAULTS.sentinelPasswordVar],
    [complete(auth.user)?.password, DEFAULTS.dataUserPasswordVar],
    [complete(auth.sentinelUser)?.password, DEFAULTS.sentinelUserPasswordVar],
  ];
  const findings: Finding[] = [];
  for (const [f, variable] of fields) {
    if (f?.value === undefined) continue;
    // The schema lets `$` through so that editors accept `${VAR}`; after interpolation a `$` is
    // literal, and compose (v2) would expand it again when reading .env.
    if (f.value.includes('$')) {
      findings.push(
        error({
          path: f.path,
          message: 'contains "$", which Docker Compose would read as a variable reference in .env',
          fix: 'choose a password without "$"; to take it from a variable, write ${NAME}',
        }),
      );
    }
    if (!f.fromVariable) {
      findings.push(
        warning({
          path: f.path,
          message: 'is written in the spec itself, so it ends up wherever the spec is committed',
          fix: `write \${${variable}} and put ${variable}=... in the .env beside the spec (or the environment)`,
        }),
      );
    }
  }
  return findings;
}

/** A user with both a name and a password that could be read: the only kind that is rendered. */
function complete(user: AclUserRead | undefined): AclUserRead | undefined {
  return user && user.name.value !== undefined && user.password.value !== undefined ? user : undefined;
}

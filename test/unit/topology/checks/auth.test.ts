import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aclUsers, secrets } from '../../../../src/topology/checks/auth.js';
import { readYaml } from '../../../helpers/spec-read.js';

describe('aclUsers', () => {
  it('a user needs the password of the default user it stands beside', () => {
    expect(aclUsers(readYaml('auth:\n  user:\n    name: s\n    password: p\n'))).toEqual([
      {
        severity: 'error',
        path: 'auth.user',
        message:
          'needs auth.password: without it every connection to the data nodes is the default user, with every permission, and the restricted user protects nothing',
        fix: 'set auth.password as well (as ${VAR})',
      },
    ]);
    expect(aclUsers(readYaml('auth:\n  sentinel-user:\n    name: s\n    password: p\n'))[0]).toMatchObject({
      path: 'auth.sentinel-user',
      message: expect.stringMatching(/^needs auth.sentinel-password: .* the sentinels/),
    });
    expect(aclUsers(readYaml('auth:\n  password: a\n  user:\n    name: s\n    password: p\n'))).toEqual([]);
  });

  it('does not repeat a rejected password as a missing one', () => {
    expect(aclUsers(readYaml('auth:\n  password: "a b"\n  user:\n    name: s\n    password: p\n', { rejected: ['auth.password'] }))).toEqual([]);
  });

  it('never the default user', () => {
    expect(aclUsers(readYaml('auth:\n  sentinel-password: a\n  sentinel-user:\n    name: default\n    password: p\n'))).toEqual([
      {
        severity: 'error',
        path: 'auth.sentinel-user.name',
        value: 'default',
        message: 'is the user everyone gets without logging in',
        fix: 'choose another name, e.g. "sentinel-peer"',
      },
    ]);
  });

  it('warns when both users share a password', () => {
    const yaml = (q: string) =>
      `auth:\n  password: a\n  sentinel-password: b\n  user:\n    name: s\n    password: p\n  sentinel-user:\n    name: t\n    password: ${q}\n`;
    expect(aclUsers(readYaml(yaml('p')))).toEqual([
      {
        severity: 'warning',
        path: 'auth.sentinel-user.password',
        message: 'is the same as auth.user.password: one leaked secret opens both',
        fix: 'give each user its own password',
      },
    ]);
    expect(aclUsers(readYaml(yaml('q')))).toEqual([]);
  });
});

describe('secrets', () => {
  const all = 'auth:\n  password: a\n  sentinel-password: b\n  user:\n    name: s\n    password: c\n  sentinel-user:\n    name: t\n    password: d\n';
  const paths = ['auth.password', 'auth.sentinel-password', 'auth.user.password', 'auth.sentinel-user.password'];

  it('warns about every password written in the spec, naming the variable to use instead', () => {
    const found = secrets(readYaml(all));
    expect(found.map((f) => [f.severity, f.path])).toEqual(paths.map((p) => ['warning', p]));
    expect(found.map((f) => f.fix)).toEqual(
      ['REDIS_PASSWORD', 'SENTINEL_PASSWORD', 'SENTINEL_AUTH_PASSWORD', 'SENTINEL_PEER_PASSWORD'].map(
        (v) => `write \${${v}} and put ${v}=... in the .env beside the spec (or the environment)`,
      ),
    );
    expect(secrets(readYaml(all, { fromVariables: paths }))).toEqual([]);
  });

  it('a "$" in any password is an error, whatever else it holds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.constantFrom(...paths), (pw, path) => {
        const key = path.split('.').slice(1);
        const doc: Record<string, unknown> = {
          password: 'a',
          'sentinel-password': 'b',
          user: { name: 's', password: 'c' },
          'sentinel-user': { name: 't', password: 'd' },
        };
        if (key.length === 1) doc[key[0]!] = pw;
        else (doc[key[0]!] as Record<string, unknown>).password = pw;
        const found = secrets(readYaml(JSON.stringify({ auth: doc }), { fromVariables: paths })).filter((f) => f.severity === 'error');
        expect(found.map((f) => f.path)).toEqual(pw.includes('$') ? [path] : []);
      }),
    );
  });
});

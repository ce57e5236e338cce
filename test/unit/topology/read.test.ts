import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS } from '../../../src/topology/defaults.js';
import { readSpec, toSpec } from '../../../src/topology/read.js';
import { readYaml } from '../../helpers/spec-read.js';

describe('the typed read', () => {
  it('gives every field its path, and a default its most general place', () => {
    const r = readYaml('');
    expect(r.sentinels.count).toMatchObject({ value: 3, path: 'sentinels.count', setAt: 'sentinels.count', origin: 'default', rejected: false });
    expect(r.masters).toHaveLength(1);
    const m = r.masters[0]!;
    expect(m.path).toBe('masters[0]');
    expect(m.name).toMatchObject({ value: DEFAULTS.masterName, path: 'masters[0].name', origin: 'default' });
    expect(m.quorum).toMatchObject({ value: 2, path: 'masters[0].quorum' });
    expect(m.persistence).toMatchObject({ value: 'rdb', path: 'masters[0].persistence', setAt: 'redis.persistence', origin: 'default' });
    expect(m.downAfterMs).toMatchObject({ value: DEFAULTS.sentinels.downAfterMs, setAt: 'sentinels.down-after-milliseconds' });
    expect(r.bind).toMatchObject({ value: '127.0.0.1', origin: 'default' });
    expect(r.auth.password).toMatchObject({ value: undefined, path: 'auth.password' });
  });

  it('a master inherits from redis: and sentinels:, and its own setting wins', () => {
    const r = readYaml('redis:\n  persistence: none\nsentinels:\n  failover-timeout: 9000\nmasters:\n  - name: a\n  - name: b\n    persistence: aof\n');
    expect(r.masters[0]!.persistence).toMatchObject({ value: 'none', path: 'masters[0].persistence', setAt: 'redis.persistence', origin: 'inherited' });
    expect(r.masters[1]!.persistence).toMatchObject({ value: 'aof', path: 'masters[1].persistence', setAt: 'masters[1].persistence', origin: 'spec' });
    expect(r.masters[1]!.failoverTimeoutMs).toMatchObject({ value: 9000, setAt: 'sentinels.failover-timeout', origin: 'inherited' });
  });

  it("reads the seed's words as aliases, under the field's own path", () => {
    const r = readYaml('masters:\n  - name: a\n    slaves: 1\n    slave-priority: [5]\n');
    expect(r.masters[0]!.replicas).toMatchObject({ value: 1, path: 'masters[0].replicas', origin: 'spec' });
    expect(r.masters[0]!.replicaPriority).toMatchObject({ value: [5], path: 'masters[0].replica-priority', setAt: 'masters[0].replica-priority' });
  });

  it('a field set under its name and its alias is the one problem the read reports', () => {
    const { problems } = readSpec(
      parse('redis:\n  min-replicas-to-write: 1\n  min-slaves-to-write: 1\nmasters:\n  - name: a\n    replicas: 1\n    slaves: 2\n'),
      { rejected: new Set(), fromVariables: new Set() },
    );
    expect(problems).toEqual([
      { path: 'redis.min-slaves-to-write', message: 'is an alias of "min-replicas-to-write", which is also set', fix: 'keep only "min-replicas-to-write"' },
      { path: 'masters[0].slaves', message: 'is an alias of "replicas", which is also set', fix: 'keep only "replicas"' },
    ]);
  });

  it('a rejected value stands in as its fallback, marked, and still says where it was written', () => {
    const r = readYaml('redis:\n  replica-priority: [1]\nmasters:\n  - name: a\n    replica-priority: x\n', { rejected: ['masters[0].replica-priority'] });
    expect(r.masters[0]!.replicaPriority).toMatchObject({ value: [1], setAt: 'masters[0].replica-priority', rejected: true });
    const whole = readYaml('masters:\n  - x\n', { rejected: ['masters[0]'] });
    expect(whole.masters[0]!.name).toMatchObject({ value: 'master1', rejected: true });
  });

  it('a short priority list is filled with the default, a long one cut, per replica', () => {
    expect(readYaml('masters:\n  - name: a\n    replicas: 3\n    replica-priority: [7]\n').masters[0]!.replicaPriorities.value).toEqual([7, 100, 100]);
    expect(readYaml('masters:\n  - name: a\n    replicas: 1\n    replica-priority: [7, 8]\n').masters[0]!.replicaPriorities.value).toEqual([7]);
  });

  it('bridge mode publishes on every interface and announces host.docker.internal by default', () => {
    const r = readYaml('network: bridge\n');
    expect([r.bind.value, r.announce.value]).toEqual(['0.0.0.0', DEFAULTS.bridgeAnnounce]);
    expect(readYaml('network: bridge\nbind: 10.0.0.2\n').announce.value).toBe('10.0.0.2');
  });

  it('marks values that came from ${VAR}', () => {
    expect(readYaml('auth:\n  password: x\n', { fromVariables: ['auth.password'] }).auth.password.fromVariable).toBe(true);
  });

  it('toSpec keeps ACL users only when complete', () => {
    expect(toSpec(readYaml('auth:\n  user:\n    name: s\n')).auth).toEqual({});
    expect(toSpec(readYaml('auth:\n  password: p\n  user:\n    name: s\n    password: q\n')).auth).toEqual({
      password: 'p',
      user: { name: 's', password: 'q' },
    });
  });
});

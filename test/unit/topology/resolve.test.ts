import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../src/topology/load.js';
import { allNodes } from '../../../src/topology/types.js';

const topo = (yaml: string) => parseSpec(yaml, { env: {} }).topology;

describe('resolved topology', () => {
  it('defaults reproduce the seed: mymaster, 2 replicas, 3 sentinels, quorum 2, host mode, bundled', () => {
    const t = topo('');
    expect(t.network).toBe('host');
    expect(t.sentinel.implementation).toBe('bundled');
    expect(t.masters).toHaveLength(1);
    const m = t.masters[0]!;
    expect([m.name, m.quorum, m.downAfterMs, m.failoverTimeoutMs, m.parallelSyncs]).toEqual(['mymaster', 2, 5000, 60000, 1]);
    expect(allNodes(t).map((n) => `${n.service}@${n.port}`)).toEqual([
      'redis-master@6379',
      'redis-replica-1@6380',
      'redis-replica-2@6381',
      'redis-sentinel-1@26379',
      'redis-sentinel-2@26380',
      'redis-sentinel-3@26381',
    ]);
    expect(allNodes(t).every((n) => n.hostPort === n.port && n.announce === null && n.local.host === '127.0.0.1' && n.local.port === n.port)).toBe(true);
    expect(t.clientHost).toBe('127.0.0.1');
  });

  it('several masters: prefixed names, ports continue across groups', () => {
    const t = topo('masters:\n  - name: orders\n  - name: users\n    replicas: 1\nsentinels:\n  count: 5');
    expect(allNodes(t).map((n) => `${n.service}@${n.port}`)).toEqual([
      'orders-master@6379',
      'orders-replica-1@6380',
      'orders-replica-2@6381',
      'users-master@6382',
      'users-replica-1@6383',
      'redis-sentinel-1@26379',
      'redis-sentinel-2@26380',
      'redis-sentinel-3@26381',
      'redis-sentinel-4@26382',
      'redis-sentinel-5@26383',
    ]);
    expect(t.masters.map((m) => m.quorum)).toEqual([3, 3]);
    expect(t.masters[1]!.nodes[1]!.group).toBe('users');
  });

  it('bridge mode: standard ports inside, published ports numbered as in host mode, 127.0.0.N locally', () => {
    const t = topo('network: bridge');
    const nodes = allNodes(t);
    expect(nodes.map((n) => [n.service, n.port, n.hostPort, n.local.host, n.local.port])).toEqual([
      ['redis-master', 6379, 6379, '127.0.0.2', 6379],
      ['redis-replica-1', 6379, 6380, '127.0.0.3', 6379],
      ['redis-replica-2', 6379, 6381, '127.0.0.4', 6379],
      ['redis-sentinel-1', 26379, 26379, '127.0.0.5', 26379],
      ['redis-sentinel-2', 26379, 26380, '127.0.0.6', 26379],
      ['redis-sentinel-3', 26379, 26381, '127.0.0.7', 26379],
    ]);
    expect(nodes.every((n) => n.announce?.ip === 'host.docker.internal' && n.announce.port === n.hostPort)).toBe(true);
    expect(t.clientHost).toBe('127.0.0.1');
  });

  it('per-master overrides win over the defaults; aliases are accepted', () => {
    const t = topo(
      [
        'redis: {persistence: aof, min-slaves-to-write: 1, slave-priority: 50}',
        'sentinels: {down-after-milliseconds: 2000, failover-timeout: 9000, parallel-syncs: 2}',
        'masters:',
        '  - name: a',
        '    slaves: 2',
        '    replica-priority: [10, 0]',
        '    down-after-milliseconds: 3000',
        '  - name: b',
        '    persistence: none',
        '    min-replicas-max-lag: 5',
      ].join('\n'),
    );
    const [a, b] = t.masters;
    expect([a!.persistence, a!.minReplicasToWrite, a!.downAfterMs, a!.failoverTimeoutMs, a!.parallelSyncs]).toEqual(['aof', 1, 3000, 9000, 2]);
    expect(a!.nodes.map((n) => n.replicaPriority)).toEqual([100, 10, 0]);
    expect([b!.persistence, b!.minReplicasMaxLag, b!.downAfterMs]).toEqual(['none', 5, 2000]);
    expect(b!.nodes.slice(1).map((n) => n.replicaPriority)).toEqual([50, 50]);
  });

  it('auth names the variables and never holds the secret', () => {
    const r = parseSpec('auth: {password: "${P}", sentinel-password: "${S}"}', { env: { P: 'pw-1', S: 'pw-2' } });
    expect(r.topology.auth).toEqual({
      redisPassword: true,
      sentinelPassword: true,
      redisPasswordVar: 'REDIS_PASSWORD',
      sentinelPasswordVar: 'SENTINEL_PASSWORD',
      dataUser: null,
      sentinelUser: null,
    });
    expect(r.secrets).toEqual({ redisPassword: 'pw-1', sentinelPassword: 'pw-2' });
    expect(JSON.stringify(r.topology)).not.toMatch(/pw-1|pw-2/);
  });

  it('ACL users: names in the topology, passwords only in the secrets', () => {
    const text = [
      'auth:',
      '  password: ${P}',
      '  sentinel-password: ${S}',
      '  user: { name: sentinel, password: "${U}" }',
      '  sentinel-user: { name: peer, password: "${Q}" }',
    ].join('\n');
    const r = parseSpec(text, { env: { P: 'pw-1', S: 'pw-2', U: 'pw-3', Q: 'pw-4' } });
    expect(r.topology.auth.dataUser).toEqual({ name: 'sentinel', passwordVar: 'SENTINEL_AUTH_PASSWORD' });
    expect(r.topology.auth.sentinelUser).toEqual({ name: 'peer', passwordVar: 'SENTINEL_PEER_PASSWORD' });
    expect(r.secrets).toEqual({ redisPassword: 'pw-1', sentinelPassword: 'pw-2', dataUserPassword: 'pw-3', sentinelUserPassword: 'pw-4' });
    expect(JSON.stringify(r.topology)).not.toMatch(/pw-\d/);
  });

  it('ACL users need the default user closed, a name other than default, and a password', () => {
    const err = (text: string) => {
      try {
        parseSpec(text, { env: { P: 'pw-1', U: 'pw-3' } });
      } catch (e) {
        return (e as { problems: Array<{ path: string; message: string }> }).problems;
      }
      throw new Error('expected a UsageError');
    };
    expect(err('auth:\n  user: { name: sentinel, password: "${U}" }')).toEqual([
      expect.objectContaining({ path: 'auth.user', message: expect.stringContaining('needs auth.password') }),
    ]);
    expect(err('auth:\n  sentinel-user: { name: peer, password: "${U}" }')).toEqual([
      expect.objectContaining({ path: 'auth.sentinel-user', message: expect.stringContaining('needs auth.sentinel-password') }),
    ]);
    expect(err('auth:\n  password: ${P}\n  user: { name: default, password: "${U}" }')).toEqual([
      expect.objectContaining({ path: 'auth.user.name', message: expect.stringContaining('everyone gets') }),
    ]);
    expect(err('auth:\n  password: ${P}\n  user: { name: sentinel }')).toEqual([
      expect.objectContaining({ path: 'auth.user.password', message: 'is required' }),
    ]);
    const problems = err('auth:\n  password: ${P}\n  user: { name: "a b", password: "${U}" }');
    expect(problems.map((p) => p.path)).toEqual(['auth.user.name']);
  });

  it('host mode: announce follows bind; binding all interfaces announces loopback', () => {
    expect(topo('bind: 127.0.0.5').clientHost).toBe('127.0.0.5');
    expect(topo('bind: 0.0.0.0\nauth: {password: "${P:-x}"}').clientHost).toBe('127.0.0.1');
    expect(topo('bind: 0.0.0.0\nannounce: myhost.local\nauth: {password: "${P:-x}"}').clientHost).toBe('myhost.local');
  });

  it('host mode: nodes announced as localhost listen on ::1 too (where localhost resolves to ::1 first)', () => {
    expect(allNodes(topo('announce: localhost')).every((n) => n.bind.join(' ') === '127.0.0.1 ::1')).toBe(true);
    expect(allNodes(topo('bind: 0.0.0.0\nannounce: localhost\nauth: {password: "${P:-x}"}')).every((n) => n.bind.join(' ') === '0.0.0.0 ::1')).toBe(true);
    expect(allNodes(topo('')).every((n) => n.bind.join(' ') === '127.0.0.1')).toBe(true);
  });

  it('large topologies get loopback addresses past 127.0.0.255', () => {
    const t = topo('network: bridge\nmasters:\n' + Array.from({ length: 90 }, (_, i) => `  - name: m${i}`).join('\n'));
    const hosts = allNodes(t).map((n) => n.local.host);
    expect(new Set(hosts).size).toBe(hosts.length);
    expect(hosts).toContain('127.0.1.0');
  });
});

describe('bridge mode addresses', () => {
  it('announces the address the ports are published on, when the spec names one', () => {
    const t = parseSpec('network: bridge\nbind: 192.0.2.10\nauth: {password: "${P:-x}"}', { env: {} }).topology;
    expect(t.clientHost).toBe('192.0.2.10');
    expect(t.masters[0]!.nodes[0]!.announce).toEqual({ ip: '192.0.2.10', port: 6379 });
  });
  it('warns that default publishing without a password is open to the network', () => {
    const w = parseSpec('network: bridge', { env: {} }).warnings;
    expect(w.map((x) => x.path)).toEqual(['bind']);
  });
});

/** The names fault commands take (services, groups, --from) and how a master change is decided, on hand-built views. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/common/errors.js';
import { masterChanged, namedMaster } from '../../../../src/runtime/control/master.js';
import { resolveGroup, resolveMasterRef, resolveServices } from '../../../../src/runtime/control/names.js';
import { sentinelsSay } from '../../../../src/runtime/control/observe.js';
import { parseSpec } from '../../../../src/topology/load.js';
import { healthyOn, master, obs, replica, scope, sentinel, silent, silentSentinel } from '../observe/fixtures.js';

const one = parseSpec('version: 1\nproject: p\n', { file: 'x.yaml' }).topology;
const two = parseSpec('version: 1\nproject: p\nmasters:\n  - name: orders\n  - name: sessions\n', { file: 'x.yaml' }).topology;

function problems(fn: () => unknown): { path: string; message: string; value?: unknown; fix?: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).problems;
  }
  throw new Error('did not throw');
}

describe('resolveServices', () => {
  it('takes the services status lists, once each, in the order given', () => {
    expect(resolveServices(one, ['redis-sentinel-2', 'redis-master', 'redis-master'])).toEqual(['redis-sentinel-2', 'redis-master']);
  });

  it('names every unknown service with a did-you-mean, all at once', () => {
    const p = problems(() => resolveServices(one, ['redis-mastr', 'redis-replica-1', 'nonsense']));
    expect(p).toHaveLength(2);
    expect(p[0]).toMatchObject({ path: 'SERVICE', value: 'redis-mastr', message: 'is not a service of p' });
    expect(p[0]!.fix).toContain('did you mean "redis-master"?');
    expect(p[1]!.fix).not.toContain('did you mean');
    expect(p[1]!.fix).toContain('services: redis-master, redis-replica-1, redis-replica-2, redis-sentinel-1');
  });

  it('a group name is not a service: says which nodes it has', () => {
    const p = problems(() => resolveServices(two, ['orders']));
    expect(p[0]!.message).toBe('is a master group, not a service');
    expect(p[0]!.fix).toContain('orders-master, orders-replica-1, orders-replica-2');
  });

  it('none at all is a problem listing what there is', () => {
    expect(problems(() => resolveServices(one, []))[0]!.message).toBe('name at least one service');
  });
});

describe('resolveGroup', () => {
  it('defaults to the only group; with several, one must be named', () => {
    expect(resolveGroup(one, undefined).name).toBe('mymaster');
    expect(problems(() => resolveGroup(two, undefined))[0]!.fix).toBe('one of: orders, sessions');
    expect(resolveGroup(two, 'sessions').name).toBe('sessions');
  });

  it('a typo gets a did-you-mean; a service gets the group it belongs to', () => {
    expect(problems(() => resolveGroup(two, 'order', 'GROUP'))[0]).toMatchObject({ path: 'GROUP', fix: expect.stringContaining('did you mean "orders"?') });
    expect(problems(() => resolveGroup(two, 'orders-master'))[0]!.fix).toBe('use "orders"');
  });
});

describe('resolveMasterRef (--from)', () => {
  const endpoint = (s: string) => {
    const n = [...one.masters[0]!.nodes, ...one.sentinels].find((x) => x.service === s)!;
    return { host: n.local.host, port: n.local.port };
  };
  it('a service or an address of a data node of the group', () => {
    const g = one.masters[0]!;
    expect(resolveMasterRef(one, g, 'redis-replica-1', endpoint)).toBe('redis-replica-1');
    expect(resolveMasterRef(one, g, '127.0.0.1:6380', endpoint)).toBe('redis-replica-1');
  });
  it('a sentinel, or an address of nothing in the group, is a problem naming --from', () => {
    const g = one.masters[0]!;
    expect(problems(() => resolveMasterRef(one, g, 'redis-sentinel-1', endpoint))[0]).toMatchObject({
      path: '--from',
      message: 'is not a data node of mymaster',
    });
    expect(problems(() => resolveMasterRef(one, g, '127.0.0.1:6390', endpoint))[0]!.fix).toContain('redis-master (127.0.0.1:6379)');
  });
});

describe('namedMaster and masterChanged', () => {
  const running = <T extends { process?: string }>(x: T): T => ({ ...x, process: 'running' as const });
  const look = (nodes: Parameters<typeof obs>[0], sentinels: Parameters<typeof obs>[1]) => obs(nodes.map(running), sentinels.map(running));
  const from = { service: 'redis-master', address: 'addr-of-redis-master' };

  it('namedMaster: the one most sentinels name', () => {
    const o = look(
      [],
      [sentinel('redis-sentinel-1', 'redis-master'), sentinel('redis-sentinel-2', 'redis-replica-1'), sentinel('redis-sentinel-3', 'redis-replica-1')],
    );
    expect(namedMaster(sentinelsSay(o, scope.group))).toMatchObject({ master: { service: 'redis-replica-1' }, by: 2, of: 3 });
    expect(namedMaster(sentinelsSay(look([], [silentSentinel('redis-sentinel-1')]), scope.group))).toBeNull();
  });

  it('not changed while any running sentinel still names the old master', () => {
    const o = look(
      [master('redis-replica-1')],
      [sentinel('redis-sentinel-1', 'redis-replica-1'), sentinel('redis-sentinel-2', 'redis-master'), sentinel('redis-sentinel-3', 'redis-replica-1')],
    );
    expect(masterChanged(o, scope.group, from).missing).toEqual(['redis-sentinel-2: still names redis-master (addr-of-redis-master)']);
  });

  it('not changed until the named node says it is master', () => {
    const o = look(
      [replica('redis-replica-1', 'redis-master')],
      scope.sentinels.map((s) => sentinel(s, 'redis-replica-1')),
    );
    expect(masterChanged(o, scope.group, from).missing).toEqual(['redis-replica-1: reports role replica, not master yet']);
    const silentOne = look(
      [silent('redis-replica-1')],
      scope.sentinels.map((s) => sentinel(s, 'redis-replica-1')),
    );
    expect(masterChanged(silentOne, scope.group, from).missing).toEqual(['redis-replica-1: does not answer, not master yet']);
  });

  it('changed: every running sentinel names the same new master, which says so; a paused sentinel does not count', () => {
    const o = healthyOn('redis-replica-2');
    const paused = { ...silentSentinel('redis-sentinel-3'), process: 'paused' as const };
    const withPaused = { ...o, nodes: o.nodes.map(running), sentinels: [...o.sentinels.slice(0, 2).map(running), paused] };
    expect(masterChanged(withPaused, scope.group, from)).toEqual({ missing: [], to: { service: 'redis-replica-2', address: 'addr-of-redis-replica-2' } });
  });

  it('two sentinels naming two different new masters is not a change yet', () => {
    const o = look(
      [master('redis-replica-1'), master('redis-replica-2')],
      [sentinel('redis-sentinel-1', 'redis-replica-1'), sentinel('redis-sentinel-2', 'redis-replica-2'), sentinel('redis-sentinel-3', 'redis-replica-1')],
    );
    expect(masterChanged(o, scope.group, from).missing[0]).toMatch(/^redis-sentinel-2: names redis-replica-2 .*, redis-sentinel-1 names redis-replica-1/);
  });
});

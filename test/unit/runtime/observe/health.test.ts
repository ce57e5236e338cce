import { describe, expect, it } from 'vitest';
import { disagreements, healthyMissing, missingForHealth, scopeOf, soleMaster } from '../../../../src/runtime/observe/health.js';
import type { Snapshot } from '../../../../src/runtime/observe/observer.js';
import type { SentinelMasterView } from '../../../../src/runtime/observe/view.js';
import { parseSpec } from '../../../../src/topology/load.js';
import { healthyOn, master, obs, replica, scope, sentinel, silent } from './fixtures.js';

const t = parseSpec('version: 1\nproject: p\nsentinels:\n  implementation: redis\n').topology;

function view(over: Partial<SentinelMasterView> = {}): SentinelMasterView {
  return {
    name: 'mymaster',
    address: '127.0.0.1:6379',
    service: 'redis-master',
    flags: ['master'],
    configEpoch: 0,
    quorum: 2,
    numSlaves: 2,
    numOtherSentinels: 2,
    replicas: [
      { address: '127.0.0.1:6380', service: 'redis-replica-1', flags: ['slave'] },
      { address: '127.0.0.1:6381', service: 'redis-replica-2', flags: ['slave'] },
    ],
    sentinels: [
      { address: '127.0.0.1:26380', flags: ['sentinel'] },
      { address: '127.0.0.1:26381', flags: ['sentinel'] },
    ],
    ...over,
  };
}

function healthy(): Snapshot {
  return {
    project: 'p',
    runtime: 'local',
    time: 0,
    at: 0,
    nodes: [
      {
        service: 'redis-master',
        group: 'mymaster',
        address: '127.0.0.1:6379',
        process: 'running',
        reachable: true,
        role: 'master',
        offset: 10,
        onlineReplicas: 2,
        connectedReplicas: 2,
      },
      {
        service: 'redis-replica-1',
        group: 'mymaster',
        address: '127.0.0.1:6380',
        process: 'running',
        reachable: true,
        role: 'replica',
        offset: 10,
        link: 'up',
        masterAddress: '127.0.0.1:6379',
        masterService: 'redis-master',
      },
      {
        service: 'redis-replica-2',
        group: 'mymaster',
        address: '127.0.0.1:6381',
        process: 'running',
        reachable: true,
        role: 'replica',
        offset: 10,
        link: 'up',
        masterAddress: '127.0.0.1:6379',
        masterService: 'redis-master',
      },
    ],
    sentinels: t.sentinels.map((s) => ({
      service: s.service,
      address: `127.0.0.1:${s.port}`,
      process: 'running' as const,
      reachable: true,
      masters: { mymaster: view() },
    })),
  };
}

describe('health of a topology (up, status)', () => {
  it('a full picture is healthy and has no disagreements', () => {
    expect(missingForHealth(t, healthy())).toEqual([]);
    expect(disagreements(t, healthy())).toEqual([]);
  });

  it('names each missing piece', () => {
    const s = healthy();
    s.nodes[0]!.onlineReplicas = 1;
    s.nodes[2] = { ...s.nodes[2]!, reachable: false, role: undefined, error: 'paused', process: 'paused' };
    s.sentinels[0]!.masters.mymaster = view({ sentinels: [{ address: 'x:1', flags: ['sentinel'] }] });
    s.sentinels[1]!.masters.mymaster = view({ flags: ['master', 's_down'] });
    s.sentinels[2]!.masters.mymaster = null;
    expect(missingForHealth(t, s)).toEqual([
      'redis-replica-2: paused',
      'mymaster: redis-master has 1 of 2 replicas online',
      'redis-sentinel-1: sees 1 of 2 other sentinels for mymaster',
      'redis-sentinel-2: flags mymaster (127.0.0.1:6379) as s_down',
      'redis-sentinel-3: does not monitor mymaster',
    ]);
  });

  it('replicas a sentinel flags as down do not count', () => {
    const s = healthy();
    s.sentinels[0]!.masters.mymaster = view({
      replicas: [
        { address: '127.0.0.1:6380', flags: ['slave'] },
        { address: '127.0.0.1:6381', flags: ['slave', 's_down', 'disconnected'] },
      ],
    });
    expect(missingForHealth(t, s)).toEqual(['redis-sentinel-1: sees 1 of 2 replicas of mymaster']);
  });

  it('reports sentinels that disagree, and a believed master that is a replica', () => {
    const s = healthy();
    s.sentinels[2]!.masters.mymaster = view({ address: '127.0.0.1:6381', service: 'redis-replica-2', configEpoch: 1 });
    expect(disagreements(t, s)).toEqual([
      'mymaster: sentinels disagree on the master: redis-sentinel-1 -> redis-master (127.0.0.1:6379), redis-sentinel-2 -> redis-master (127.0.0.1:6379), redis-sentinel-3 -> redis-replica-2 (127.0.0.1:6381)',
      'mymaster: sentinels disagree on the config epoch: redis-sentinel-1=0, redis-sentinel-2=0, redis-sentinel-3=1',
      'redis-sentinel-3 believes mymaster is redis-replica-2 (127.0.0.1:6381), which reports role replica',
    ]);
  });

  it('two masters in one group is not healthy', () => {
    const s = healthy();
    s.nodes[1] = { ...s.nodes[1]!, role: 'master', onlineReplicas: 0 };
    expect(missingForHealth(t, s)).toContain('mymaster: 2 nodes report role master (redis-master, redis-replica-1)');
  });
});

describe('health of a master group (the drill: before a run, and wait until healthy)', () => {
  const ctx = scope;

  it('a healthy group misses nothing and is ready', () => {
    expect(healthyMissing(healthyOn('redis-master'), ctx)).toEqual([]);
    expect(soleMaster(healthyOn('redis-replica-2'))).toBe('redis-replica-2');
  });

  it('names two masters, a down link, a silent node and a disagreeing sentinel', () => {
    const o = obs(
      [master('redis-master'), master('redis-replica-1'), silent('redis-replica-2')],
      [sentinel('redis-sentinel-1', 'redis-replica-1'), sentinel('redis-sentinel-2', 'redis-master'), sentinel('redis-sentinel-3', 'redis-replica-1')],
    );
    const missing = healthyMissing(o, ctx);
    expect(missing).toContain('mymaster: 2 nodes report role master (redis-master, redis-replica-1)');
    expect(missing).toContain('redis-replica-2: no reply (no reply within 500 ms)');
    expect(missing.some((m) => m.includes('sentinels disagree'))).toBe(true);
    const link = healthyMissing(
      obs(
        [master('redis-master'), replica('redis-replica-1', 'redis-master', false), replica('redis-replica-2', 'redis-master')],
        ctx.sentinels.map((s) => sentinel(s, 'redis-master')),
      ),
      ctx,
    );
    expect(link).toEqual(['redis-replica-1: link to redis-master is down']);
  });

  it('is not healthy while a sentinel is in TILT, misses a peer or a replica, or flags the master', () => {
    const o = healthyOn('redis-master');
    o.sentinels[0] = sentinel('redis-sentinel-1', 'redis-master', { tilt: true });
    o.sentinels[1] = sentinel('redis-sentinel-2', 'redis-master', {
      view: {
        numOtherSentinels: 1,
        sentinels: [{ address: 'c', service: 'redis-sentinel-1', flags: ['sentinel'] }],
        replicas: [
          { address: 'a', service: 'redis-replica-1', flags: ['slave'] },
          { address: 'b', service: 'redis-replica-2', flags: ['s_down', 'slave'] },
        ],
      },
    });
    o.sentinels[2] = sentinel('redis-sentinel-3', 'redis-master', { view: { flags: ['s_down', 'master'] } });
    const missing = healthyMissing(o, ctx);
    expect(missing).toContain('redis-sentinel-1: in TILT mode (it acts again 30 s after the last timer jump)');
    expect(missing).toContain('redis-sentinel-2: sees 1 of 2 other sentinels for mymaster');
    expect(missing).toContain('redis-sentinel-2: sees 1 of 2 replicas of mymaster');
    expect(missing).toContain('redis-sentinel-3: flags mymaster (addr-of-redis-master) as s_down');
  });
});

/**
 * `up`/`status` and the drill used to decide health each their own way. These pin the one
 * definition where they disagreed (see src/runtime/observe/health.ts).
 */
describe('where the two observers disagreed', () => {
  const groupOf = () => healthyOn('redis-master');
  const asTopology = (o = groupOf()) => ({ ...o, nodes: o.nodes.map((n) => ({ ...n })) });

  it('a sentinel in TILT makes the topology unhealthy for up and status too (only the drill checked it)', () => {
    const o = asTopology();
    o.sentinels[1] = sentinel('redis-sentinel-2', 'redis-master', { tilt: true });
    expect(missingForHealth(t, o)).toEqual(['redis-sentinel-2: in TILT mode (it acts again 30 s after the last timer jump)']);
  });

  it('a failover in progress is not healthy for the drill either: a promoted replica, or the master flagged failover_in_progress (only up/status checked promoted)', () => {
    const o = groupOf();
    o.sentinels[0] = sentinel('redis-sentinel-1', 'redis-master', {
      view: {
        replicas: [
          { address: 'a', service: 'redis-replica-1', flags: ['slave', 'promoted'] },
          { address: 'b', service: 'redis-replica-2', flags: ['slave'] },
        ],
      },
    });
    o.sentinels[1] = sentinel('redis-sentinel-2', 'redis-master', { view: { flags: ['master', 'failover_in_progress'] } });
    expect(healthyMissing(o, scope)).toEqual([
      'redis-sentinel-1: sees 1 of 2 replicas of mymaster',
      'redis-sentinel-2: flags mymaster (addr-of-redis-master) as failover_in_progress',
    ]);
  });

  it('a sentinel that names another master is not healthy for up (only the drill and status checked agreement)', () => {
    const o = asTopology();
    o.sentinels[2] = sentinel('redis-sentinel-3', 'redis-replica-1');
    expect(missingForHealth(t, o)).toContain('redis-sentinel-3: names redis-replica-1 (addr-of-redis-replica-1) as master, not redis-master');
  });

  it('sentinels on different config epochs are not healthy (status said so; up and the drill did not)', () => {
    const o = asTopology();
    o.sentinels[0] = sentinel('redis-sentinel-1', 'redis-master', { view: { configEpoch: 3 } });
    const missing = missingForHealth(t, o);
    expect(missing).toEqual(['mymaster: sentinels disagree on the config epoch: redis-sentinel-1=3, redis-sentinel-2=0, redis-sentinel-3=0']);
    // status lists it once, under disagreements, and calls it not healthy
    expect(disagreements(t, o)).toEqual(missing);
  });

  it('every disagreement status points out also makes the topology unhealthy', () => {
    const cases = [
      () => {
        const o = asTopology();
        o.sentinels[2] = sentinel('redis-sentinel-3', 'redis-replica-2');
        return o;
      },
      () => {
        // All sentinels name a node that says it is a replica.
        const o = asTopology();
        o.sentinels = o.sentinels.map((s) => sentinel(s.service, 'redis-replica-1'));
        return o;
      },
    ];
    for (const make of cases) {
      const o = make();
      expect(disagreements(t, o).length).toBeGreaterThan(0);
      expect(missingForHealth(t, o).length).toBeGreaterThan(0);
    }
  });

  it('a silent node is "paused" when the runtime says so, "no reply (why)" otherwise; one that answers with an error says the error', () => {
    const o = groupOf();
    o.nodes[1] = { ...silent('redis-replica-1'), process: 'paused' };
    o.nodes[2] = { ...replica('redis-replica-2', 'redis-master'), role: undefined, error: 'NOAUTH Authentication required.' };
    const missing = healthyMissing(o, scope);
    expect(missing).toContain('redis-replica-1: paused');
    expect(missing).toContain('redis-replica-2: NOAUTH Authentication required.');
    o.nodes[1] = { ...silent('redis-replica-1'), process: 'stopped' };
    expect(healthyMissing(o, scope)).toContain('redis-replica-1: not running (stopped)');
  });

  it('a topology of several groups lists a silent sentinel once, not once per group', () => {
    const two = parseSpec('version: 1\nproject: p\nmasters:\n  - name: a\n  - name: b\nsentinels:\n  implementation: redis\n').topology;
    const o = obs(
      [],
      two.sentinels.map((s) => ({ service: s.service, address: 'x', reachable: false, error: 'connection refused', masters: { a: null, b: null } })),
    );
    const missing = missingForHealth(two, o);
    for (const s of two.sentinels) expect(missing.filter((m) => m.startsWith(`${s.service}:`))).toEqual([`${s.service}: no reply (connection refused)`]);
    expect(scopeOf(two, two.masters[1]!).nodes.every((n) => n.startsWith('b-'))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { disagreements, missingForHealth, parseFields, parseInfo, type SentinelMasterView, type Snapshot } from '../../../src/runtime/probe.js';
import { parseSpec } from '../../../src/topology/load.js';

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
    nodes: [
      { service: 'redis-master', group: 'mymaster', address: '127.0.0.1:6379', process: 'running', reachable: true, role: 'master', offset: 10, onlineReplicas: 2, connectedReplicas: 2 },
      { service: 'redis-replica-1', group: 'mymaster', address: '127.0.0.1:6380', process: 'running', reachable: true, role: 'replica', offset: 10, link: 'up', masterAddress: '127.0.0.1:6379' },
      { service: 'redis-replica-2', group: 'mymaster', address: '127.0.0.1:6381', process: 'running', reachable: true, role: 'replica', offset: 10, link: 'up', masterAddress: '127.0.0.1:6379' },
    ],
    sentinels: t.sentinels.map((s) => ({ service: s.service, address: `127.0.0.1:${s.port}`, process: 'running' as const, reachable: true, masters: { mymaster: view() } })),
  };
}

describe('health', () => {
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

describe('INFO parsing', () => {
  it('reads sections and comma fields', () => {
    const info = parseInfo('# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=6380,state=online,offset=42,lag=0\r\n');
    expect(info.role).toBe('master');
    expect(parseFields(info.slave0!)).toEqual({ ip: '127.0.0.1', port: '6380', state: 'online', offset: '42', lag: '0' });
  });
});

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/commands/status-view.js';
import { table } from '../../../src/cli/commands/runtime-shared.js';
import type { Snapshot } from '../../../src/runtime/observe/index.js';
import { parseSpec } from '../../../src/topology/load.js';

const t = parseSpec('version: 1\nproject: p\nmasters:\n  - name: mymaster\n    replicas: 1\nsentinels:\n  count: 2\n  implementation: redis\n').topology;

const snap: Snapshot = {
  project: 'p',
  runtime: 'local',
  time: 0,
  at: 0,
  nodes: [
    { service: 'redis-master', group: 'mymaster', address: '127.0.0.1:6379', process: 'paused', reachable: false, error: 'paused' },
    {
      service: 'redis-replica-1',
      group: 'mymaster',
      address: '127.0.0.1:6380',
      process: 'running',
      reachable: true,
      role: 'master',
      offset: 99,
      onlineReplicas: 0,
      connectedReplicas: 0,
    },
  ],
  sentinels: [
    {
      service: 'redis-sentinel-1',
      address: '127.0.0.1:26379',
      process: 'running',
      reachable: true,
      masters: {
        mymaster: {
          name: 'mymaster',
          address: '127.0.0.1:6380',
          service: 'redis-replica-1',
          flags: ['master'],
          configEpoch: 1,
          quorum: 2,
          numSlaves: 1,
          numOtherSentinels: 1,
          replicas: [{ address: '127.0.0.1:6379', service: 'redis-master', flags: ['slave', 's_down'] }],
          sentinels: [{ address: '127.0.0.1:26380', flags: ['sentinel'] }],
        },
      },
    },
    {
      service: 'redis-sentinel-2',
      address: '127.0.0.1:26380',
      process: 'running',
      reachable: true,
      masters: {
        mymaster: {
          name: 'mymaster',
          address: '127.0.0.1:6379',
          service: 'redis-master',
          flags: ['master', 's_down'],
          configEpoch: 0,
          quorum: 2,
          numSlaves: 1,
          numOtherSentinels: 1,
          replicas: [],
          sentinels: [],
        },
      },
    },
  ],
};

describe('status view', () => {
  it('tables of nodes and beliefs, with problems and disagreements listed', () => {
    const text = formatStatus(
      t,
      { snapshot: snap, problems: ['redis-master: paused'], disagreements: ['mymaster: sentinels disagree'] },
      new Chalk({ level: 0 }),
    );
    const lines = text.split('\n');
    expect(lines[0]).toContain('p on local');
    expect(lines[0]).toContain('not healthy');
    expect(text).toMatch(/redis-master\s+mymaster\s+paused\s+127\.0\.0\.1:6379\s+paused/);
    expect(text).toMatch(/redis-replica-1\s+mymaster\s+running\s+127\.0\.0\.1:6380\s+master\s+99\s+-\s+0\/1 replicas online/);
    expect(text).toMatch(/redis-sentinel-1\s+running\s+mymaster\s+redis-replica-1 \(127\.0\.0\.1:6380\)\s+master\s+1\s+0\/1 \(\+1 down\)\s+1\/1/);
    expect(text).toMatch(/redis-sentinel-2\s+running\s+mymaster\s+redis-master \(127\.0\.0\.1:6379\)\s+master,s_down\s+0/);
    expect(text).toContain('Disagreements:\n  ! mymaster: sentinels disagree');
    expect(text).toContain('Not healthy because:\n  - redis-master: paused');
  });

  // Every disagreement is also a reason the topology is not healthy (runtime/observe/health.ts);
  // the view lists it once, under Disagreements.
  it('lists a disagreement once, and calls the topology not healthy for it', () => {
    const epoch = 'mymaster: sentinels disagree on the config epoch: redis-sentinel-1=1, redis-sentinel-2=0';
    const text = formatStatus(t, { snapshot: snap, problems: [epoch], disagreements: [epoch] }, new Chalk({ level: 0 }));
    expect(text.split('\n')[0]).toContain('not healthy');
    expect(text.split(epoch)).toHaveLength(2);
    expect(text).not.toContain('Not healthy because');
  });

  it('highlights the odd one out in colour', () => {
    const text = formatStatus(t, { snapshot: snap, problems: [], disagreements: [] }, new Chalk({ level: 1 }));
    // redis-sentinel-2's belief (the paused old master) is not the reachable master: yellow.
    expect(text).toContain('\u001b[33mredis-master (127.0.0.1:6379)\u001b[39m');
    expect(text).toContain('\u001b[31ms_down\u001b[39m');
  });

  it('pads columns by visible width, ignoring colour codes', () => {
    const c = new Chalk({ level: 1 });
    expect(
      table([
        [c.red('ab'), 'x'],
        ['abcd', 'y'],
      ]),
    ).toBe(`${c.red('ab')}    x\nabcd  y`);
  });
});

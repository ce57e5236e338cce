/** Step handlers: each kind of step has one, and names itself and its targets as reports show them. */
import { describe, expect, it } from 'vitest';
import { STEP_HANDLERS, stepLabel } from '../../../src/drill/steps/index.js';
import { resolveTarget } from '../../../src/drill/steps/targets.js';
import type { Step } from '../../../src/drill/types.js';

const group = {
  group: 'mymaster',
  nodes: ['redis-master', 'redis-replica-2', 'redis-replica-1'],
  sentinels: ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'],
  initialMaster: 'redis-replica-1',
};

describe('steps', () => {
  it('every kind a scenario can name has a handler', () => {
    expect(Object.keys(STEP_HANDLERS).sort()).toEqual(['failover', 'heal', 'hold', 'kill', 'partition', 'pause', 'restart', 'unpause', 'wait']);
  });

  it('labels each step as the reports show it', () => {
    const steps: [Step, string][] = [
      [{ do: 'pause', target: { node: 'master' }, mark: 'fault' }, 'pause the master'],
      [{ do: 'kill', target: { node: 'master' } }, 'kill the master'],
      [{ do: 'unpause', target: { node: 'replica', index: 2 } }, 'unpause replica 2'],
      [{ do: 'restart', target: { node: 'master' } }, 'restart the master'],
      [{ do: 'pause', target: { node: 'sentinels', count: 'majority' } }, 'pause a majority of the sentinels'],
      [{ do: 'pause', target: { node: 'sentinels', count: 1 } }, 'pause 1 sentinel(s)'],
      [{ do: 'failover', mark: 'fault' }, 'SENTINEL FAILOVER'],
      [{ do: 'wait', until: 'failed-over', timeout: { downAfter: 2, ms: 60_000 } }, 'wait until failed-over (up to 2 x down-after + 60000 ms)'],
      [{ do: 'hold', for: 2000 }, 'hold 2000 ms'],
      [{ do: 'heal' }, 'heal the partition and everything paused or killed'],
      [{ do: 'partition', isolate: { node: 'sentinels', count: 'minority' } }, 'cut off a minority of the sentinels'],
    ];
    for (const [step, label] of steps) expect(stepLabel(step)).toBe(label);
  });

  it('resolves targets against the group as it was when the run started', () => {
    // The master then; replicas are the other nodes by name; sentinels from the last one down.
    expect(resolveTarget({ node: 'master' }, group)).toEqual(['redis-replica-1']);
    expect(resolveTarget({ node: 'replica' }, group)).toEqual(['redis-master']);
    expect(resolveTarget({ node: 'replica', index: 2 }, group)).toEqual(['redis-replica-2']);
    expect(resolveTarget({ node: 'sentinels', count: 'majority' }, group)).toEqual(['redis-sentinel-3', 'redis-sentinel-2']);
    expect(() => resolveTarget({ node: 'replica', index: 3 }, group)).toThrow('mymaster has no replica 3 (it has 2)');
    expect(() => resolveTarget({ node: 'sentinels', count: 4 }, group)).toThrow('cannot take 4 sentinels: the topology has 3');
  });
});

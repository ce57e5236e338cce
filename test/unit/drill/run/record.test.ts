/** What a run records, and the pure readings the live run takes of it. */
import { describe, expect, it } from 'vitest';
import { groupContext, newRecord, recordFault, recordFaulted, recordHeal, rejoinsSeen, timeBase } from '../../../../src/drill/run/record.js';
import { masterPause } from '../../../../src/drill/scenarios/master-pause.js';
import type { NodeView, Observation } from '../../../../src/drill/types.js';

const NODES = ['redis-master', 'redis-replica-1', 'redis-replica-2'];
const SENTINELS = ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'];

function record() {
  const r = newRecord(masterPause, 'mymaster', NODES, SENTINELS, 1000, 1_700_000_000_000);
  r.initialMaster = 'redis-master';
  return r;
}

function obs(at: number, master: string, over: Record<string, Partial<NodeView>> = {}): Observation {
  return {
    at,
    nodes: NODES.map((service) => ({
      ...(service === master
        ? { service, group: 'mymaster', address: `addr-of-${service}`, reachable: true, role: 'master' as const }
        : { service, group: 'mymaster', address: `addr-of-${service}`, reachable: true, role: 'replica' as const, masterService: master, link: 'up' as const }),
      ...over[service],
    })),
    sentinels: [],
  };
}

describe('recordFault', () => {
  it("is t = 0 once: a later fault does not move it; its consequences count from the marked step's start", () => {
    const r = record();
    r.steps.push({ index: 0, label: 'pause 1 sentinel(s)', services: ['redis-sentinel-3'], startedAt: 1500, endedAt: 1510 });
    r.steps.push({ index: 1, label: 'pause the master', services: ['redis-master'], startedAt: 2000, endedAt: null, mark: 'fault' });
    expect(timeBase(r)).toEqual({ t0: 1000 });
    recordFault(r, 2300, 42);
    recordFault(r, 9000, 43);
    expect(r.fault).toEqual({ at: 2300, from: 2000, wall: 42 });
    expect(timeBase(r)).toEqual({ t0: 2300, faultFrom: -300 });
    expect(groupContext(r)).toEqual({ group: 'mymaster', nodes: NODES, sentinels: SENTINELS, initialMaster: 'redis-master', faultFrom: -300 });
    // The steps recorded before the fault keep their times.
    expect(r.steps.map((s) => s.startedAt)).toEqual([1500, 2000]);
  });

  it('without a marked step, consequences count from t = 0', () => {
    const r = record();
    recordFault(r, 5000, 1);
    expect(timeBase(r)).toEqual({ t0: 5000, faultFrom: 0 });
  });
});

describe('heals and faults', () => {
  it('only data nodes are faulted or rejoin; each faulted node once', () => {
    const r = record();
    recordFaulted(r, 'redis-sentinel-3');
    recordFaulted(r, 'redis-master');
    recordFaulted(r, 'redis-master');
    recordHeal(r, 'redis-sentinel-3', 10);
    recordHeal(r, 'redis-master', 11);
    expect(r.faulted).toEqual(['redis-master']);
    expect(r.heals).toEqual([{ service: 'redis-master', at: 11 }]);
  });
});

describe('rejoinsSeen', () => {
  it('a healed node is back once an observation after its heal shows it following the master, link up', () => {
    const r = record();
    recordHeal(r, 'redis-master', 100);
    expect(rejoinsSeen(r, obs(90, 'redis-replica-1'))).toEqual([]);
    expect(rejoinsSeen(r, obs(120, 'redis-replica-1', { 'redis-master': { link: 'down' } }))).toEqual([]);
    expect(rejoinsSeen(r, obs(150, 'redis-replica-1'))).toEqual([{ heal: 0, at: 150, as: 'replica' }]);
    r.rejoins.push({ heal: 0, at: 150, as: 'replica' });
    expect(rejoinsSeen(r, obs(200, 'redis-replica-1'))).toEqual([]);
    // Healed again: the next sighting counts for the new heal.
    recordHeal(r, 'redis-master', 300);
    expect(rejoinsSeen(r, obs(310, 'redis-replica-1'))).toEqual([{ heal: 1, at: 310, as: 'replica' }]);
  });

  it('a healed master that is still master counts once its replicas follow it; a displaced one only as a replica', () => {
    const r = record();
    recordHeal(r, 'redis-master', 100);
    expect(rejoinsSeen(r, obs(120, 'redis-master', { 'redis-replica-2': { link: 'down' } }))).toEqual([]);
    expect(rejoinsSeen(r, obs(130, 'redis-master'))).toEqual([{ heal: 0, at: 130, as: 'master' }]);
    const d = record();
    recordHeal(d, 'redis-master', 100, true);
    expect(rejoinsSeen(d, obs(130, 'redis-master'))).toEqual([]);
    expect(rejoinsSeen(d, obs(140, 'redis-replica-2'))).toEqual([{ heal: 0, at: 140, as: 'replica' }]);
  });
});

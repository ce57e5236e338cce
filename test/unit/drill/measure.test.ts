import { describe, expect, it } from 'vitest';
import { measure } from '../../../src/drill/measure.js';
import { seedBook, seedEvents } from './fixtures.js';

const ctx = {
  group: 'mymaster',
  nodes: ['redis-master', 'redis-replica-1', 'redis-replica-2'],
  sentinels: ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'],
  initialMaster: 'redis-master',
};

describe('measure', () => {
  it("tells the seed log's story: detection, election, promotion of redis-slave_2, switch", () => {
    const book = seedBook();
    const m = measure({
      ctx,
      events: seedEvents(book),
      faulted: ['redis-master'],
      rejoins: [{ service: 'redis-master', healedAt: 40_000, rejoinedAt: 52_000, as: 'replica' }],
      finalMaster: 'redis-replica-2',
      sentinelById: (id) => book.sentinelById(id),
    });
    expect(m.detection).toEqual({ t: 30_000, sentinel: 'redis-sentinel-1', all: [{ sentinel: 'redis-sentinel-1', t: 30_000 }] });
    expect(m.odown).toEqual({ t: 30_064, sentinel: 'redis-sentinel-1', quorum: '2/2' });
    expect(m.tryFailover).toEqual({ t: 30_069, sentinel: 'redis-sentinel-1', epoch: 1 });
    expect(m.votes).toEqual([{ voter: 'redis-sentinel-1', candidate: 'redis-sentinel-1', epoch: 1, t: 30_078 }]);
    expect(m.elected).toEqual({ t: 30_135, sentinel: 'redis-sentinel-1' });
    // 172.18.0.4 is redis-slave_2 in the post: the second replica.
    expect(m.selected).toEqual({ t: 30_198, service: 'redis-replica-2' });
    expect(m.promoted).toEqual({ t: 31_113, service: 'redis-replica-2' });
    expect(m.switchMaster).toEqual({ first: 32_187, last: 32_187, sentinels: [{ sentinel: 'redis-sentinel-1', t: 32_187 }], to: 'redis-replica-2' });
    expect(m.failoverEnd).toEqual({ t: 32_184, sentinel: 'redis-sentinel-1' });
    expect(m.aborts).toEqual([]);
    expect(m.rejoins).toEqual([{ service: 'redis-master', healedAt: 40_000, rejoinedAt: 52_000, sinceHealMs: 12_000, as: 'replica' }]);
    expect(m.convertedAt).toBeNull();
  });

  it('ignores what happened before the fault and other groups', () => {
    const book = seedBook();
    const events = seedEvents(book).map((e) => ({ ...e, t: e.t - 70_000 }));
    const m = measure({ ctx, events, faulted: ['redis-master'], rejoins: [], finalMaster: null, sentinelById: () => null });
    expect(m.detection).toBeNull();
    expect(m.switchMaster).toBeNull();
    const other = measure({
      ctx: { ...ctx, group: 'orders' },
      events: seedEvents(book),
      faulted: ['redis-master'],
      rejoins: [],
      finalMaster: null,
      sentinelById: () => null,
    });
    expect(other.elected).toBeNull();
    expect(other.promoted).toBeNull();
  });

  it('shows unknown voters by run id', () => {
    const m = measure({ ctx, events: seedEvents(), faulted: [], rejoins: [], finalMaster: null, sentinelById: () => null });
    expect(m.votes[0]!.candidate).toBe('ecb11c27c44887abfd777f53c5c40e921c160981');
  });
});

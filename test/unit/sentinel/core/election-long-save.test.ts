/**
 * Elections when one config save blocks a sentinel for longer than down-after, as the partition
 * benchmark saw under Docker (vfs storage, load): every sentinel starts its failover with a save
 * (the epoch is persisted before it is announced), all three are frozen in it at once, and when
 * they come out each has missed its peers' PINGs for over down-after and marks them +sdown. Seeded
 * runs of real cores (quorum-sim.ts).
 */
import { describe, expect, it } from 'vitest';
import { QuorumSim } from './quorum-sim.js';

const ids = ['a', 'b', 'c'].map((c) => c.repeat(40));

describe('3 sentinels, config saves of 1000-1300 ms (down-after 1000), near-simultaneous ODOWN', () => {
  it('elect exactly one leader in the first epoch', async () => {
    const splits: string[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const sim = new QuorumSim({ ids, quorum: 2, seed, saveMs: [1000, 1300], latencyMs: [0, 5], downAfter: 1000 });
      await sim.run(1000);
      sim.master.paused = true;
      await sim.run(15_000);
      const out = sim.outcome(1);
      // By 15 s a finished failover no longer shows as elected: a majority of the epoch's votes is the test.
      const counts = new Map<string, number>();
      for (const l of Object.values(out.votes)) counts.set(l, (counts.get(l) ?? 0) + 1);
      if (Math.max(0, ...counts.values()) < 2)
        splits.push(
          `seed ${seed}: ${Object.entries(out.votes)
            .map(([v, l]) => `${v[0]}->${l[0]}`)
            .join(' ')}`,
        );
    }
    expect(splits).toEqual([]);
  }, 120_000);
});

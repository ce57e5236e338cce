/**
 * Elections between real sentinel cores (quorum-sim.ts) when config saves are slow and the
 * sentinels reach ODOWN within milliseconds of each other: the conditions of the CI run where
 * three bundled sentinels split their votes in a cycle (a -> a, b -> c, c -> b) and nobody was
 * elected for 2 x failover-timeout. Every run is seeded, so a failure names its seed.
 */
import { describe, expect, it } from 'vitest';
import { QuorumSim, type QuorumSimOptions } from './quorum-sim.js';

const ids = (n: number) => ['a', 'b', 'c', 'd', 'e'].slice(0, n).map((c) => c.repeat(40));

/** Pauses the master once the sentinels are settled; returns who voted for whom in epoch 1. */
async function election(o: QuorumSimOptions) {
  const sim = new QuorumSim(o);
  await sim.run(1000);
  sim.master.paused = true;
  await sim.run(4000);
  for (const s of sim.sentinels) {
    const epochs = s.votes().map(([, e]) => e);
    expect(new Set(epochs).size, `${s.id[0]} voted twice in one epoch (seed ${o.seed})`).toBe(epochs.length);
  }
  return sim.outcome(1);
}

/** "a->a b->c c->b": the votes of epoch 1, by first letter. */
const votesText = (votes: Record<string, string>) =>
  Object.entries(votes)
    .map(([voter, leader]) => `${voter[0]}->${leader[0]}`)
    .join(' ');

describe.each([
  { sentinels: 3, quorum: 2 },
  { sentinels: 5, quorum: 3 },
])('$sentinels sentinels, config saves of 150-600 ms, near-simultaneous ODOWN', ({ sentinels, quorum }) => {
  it('elect exactly one leader in the first epoch', async () => {
    const splits: string[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      // Saves as slow as measured under load; now and then a process stalls for a moment.
      const out = await election({ ids: ids(sentinels), quorum, seed, saveMs: [150, 600], stall: { chance: 0.02, ms: [10, 200] }, latencyMs: [0, 5] });
      if (out.elected.length !== 1) splits.push(`seed ${seed}: ${votesText(out.votes)}`);
    }
    expect(splits).toEqual([]);
  }, 60_000);
});

/**
 * Crash safety of the bundled sentinel on real processes: SIGKILL at random moments of a
 * failover, restart, and check config validity, epochs and convergence (see crash-trials.ts).
 * A couple of trials here; `npx tsx bench/crash-safety.ts --trials 30` runs many more.
 * HARDENING_CRASH_TRIALS and HARDENING_CRASH_SEED override the count and the seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/procs.js';
import { stopTopology, type Topology } from '../sentinel/topology.js';
import { redisSentinelAccepts, runCrashTrials } from './crash-trials.js';

const TRIALS = Number(process.env.HARDENING_CRASH_TRIALS ?? 2);
const SEED = Number(process.env.HARDENING_CRASH_SEED ?? Date.now() % 1_000_000);

let topology: Topology | undefined;
afterAll(async () => {
  await stopTopology(topology);
  await stopAll();
});

describe('a bundled sentinel killed during a failover', () => {
  it(
    `comes back with a valid config and no epoch going backwards, and the topology converges (${TRIALS} trials, seed ${SEED})`,
    async () => {
      const run = await runCrashTrials({ trials: TRIALS, seed: SEED, log: (l) => console.log(l) });
      topology = run.topology;
      expect(run.results).toHaveLength(TRIALS);
      for (const r of run.results) {
        expect(r.epochAfterRestart).toBeGreaterThanOrEqual(r.epochBefore);
        expect(r.configEpochAfterRestart).toBeGreaterThanOrEqual(r.configEpochBefore);
        expect(r.newMaster).not.toBe(r.oldMaster);
      }
      // Now that nothing they monitor runs, a real redis-sentinel must accept every saved file.
      await stopTopology(topology);
      topology = undefined;
      for (const snap of run.snapshots) await redisSentinelAccepts(snap);
    },
    120_000 + TRIALS * 60_000,
  );
});

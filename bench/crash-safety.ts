/**
 * Crash safety, many trials: SIGKILL a bundled sentinel at random moments of a failover (real
 * redis-server processes, three sentinels, master paused), restart it, and check that its config
 * stays valid (own parser and real redis-sentinel), that no epoch goes backwards, and that the
 * topology converges. The invariants are the test's (test/integration/hardening/crash-trials.ts);
 * this prints what each trial looked like and the spread of failover and convergence times.
 *
 *   npm run build && npx tsx bench/crash-safety.ts [--trials 30] [--seed N]
 *
 * Exits 1 at the first violated invariant, with the seed to repeat it.
 */
import { stopAll } from '../test/helpers/procs.js';
import { stopTopology } from '../test/integration/sentinel/topology.js';
import { redisSentinelAccepts, runCrashTrials } from '../test/integration/hardening/crash-trials.js';
import { arg, median, quantile, report } from './lib.js';

const trials = Number(arg('trials', '30'));
const seed = Number(arg('seed', String(Date.now() % 1_000_000)));

async function main(): Promise<number> {
  process.stderr.write(`crash-safety: ${trials} trials, seed ${seed}\n`);
  let run;
  try {
    run = await runCrashTrials({ trials, seed, log: (l) => process.stderr.write(`${l}\n`) });
  } catch (err) {
    process.stderr.write(`FAILED (seed ${seed}): ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll();
    return 1;
  }
  await stopTopology(run.topology);
  for (const snap of run.snapshots) await redisSentinelAccepts(snap);
  const r = run.results;
  const fo = r.map((x) => x.failoverMs);
  const cv = r.map((x) => x.convergeMs);
  const phases = new Map<string, number>();
  for (const x of r) phases.set(x.phaseAtKill, (phases.get(x.phaseAtKill) ?? 0) + 1);
  report(
    `Bundled sentinel SIGKILLed during failover: ${trials} trials (seed ${seed}), every invariant held`,
    ['trial', 'kill at ms', 'victim', 'leader?', 'phase at kill', 'epoch before', 'epoch after', 'failover ms', 'converge ms'],
    r.map((x) => [
      x.trial,
      x.killAfterMs,
      x.victim,
      x.victimWasLeader ? 'yes' : 'no',
      x.phaseAtKill,
      x.epochBefore,
      x.epochAfterRestart,
      x.failoverMs,
      x.convergeMs,
    ]),
    {
      trials,
      seed,
      killsOfLeader: r.filter((x) => x.victimWasLeader).length,
      phasesAtKill: Object.fromEntries(phases),
      failoverMs: { median: median(fo), p90: quantile(fo, 0.9), max: Math.max(...fo) },
      convergeMs: { median: median(cv), p90: quantile(cv, 0.9), max: Math.max(...cv) },
      configsAcceptedByRedisSentinel: run.snapshots.length,
      results: r,
    },
  );
  await stopAll();
  return 0;
}

void main().then((code) => process.exit(code));

/**
 * Failover speed, bundled TypeScript sentinel against redis-sentinel 7.0, measured the way a user
 * measures it: the `master-pause` drill (src/drill/, the engine behind `sentinel-compose drill`)
 * on the local runtime, repeated. Every run renders a fresh topology (1 master, 2 replicas,
 * 3 sentinels, quorum 2, host networking, fresh ports) into a fresh folder, starts it, drills
 * once, and takes it down with its data; the two implementations alternate within every round
 * (ABBA order across rounds), so drift in the machine's load falls on both alike.
 *
 * Per run, from the drill's report (times in ms since the master was paused, or since it was
 * resumed for the rejoin):
 *   detection   first +sdown of the master from any sentinel
 *   switch      first +switch-master (and switch - detection: the failover once the master was seen down)
 *   outage      the client's (ioredis) longest write outage
 *   rejoin      resume of the old master -> it replicates the new master with its link up (polled
 *               every 200 ms); `convert` is the same to +convert-to-slave, from the events
 *   lost        acknowledged writes missing on the final master
 *
 *   npx tsx bench/failover.ts [--runs 10] [--impl bundled,redis] [--down-after 1000,5000]
 *                             [--min-replicas 0,1] [--rate 50] [--out FILE] [--verbose] [--quick]
 *
 * --quick: one round at down-after 1000 with min-replicas-to-write 1 and a short baseline, to
 * check that it works. Needs `npm run build` for the bundled sentinel (dist/sentinel/main.js).
 * Prints tables, then one `JSON {...}` line; --out also writes that JSON (pretty) to FILE.
 * Ctrl-C stops after the current run has brought back its master and taken its topology down.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDrill } from '../src/drill/engine.js';
import { masterPause } from '../src/drill/scenarios/master-pause.js';
import type { RunReport } from '../src/drill/types.js';
import { renderFiles, writeOutput } from '../src/render/index.js';
import { isSameProcess, signalOwn, type ProcessRecord } from '../src/runtime/local/process.js';
import { loadRendered, localRuntime } from '../src/runtime/open.js';
import { parseSpec } from '../src/topology/load.js';
import { freeServicePortBlock } from '../test/helpers/ports.js';
import { repoRoot } from '../test/helpers/procs.js';
import { arg, flag, load1, machine, median, numbers, printJson, printTable, quantile } from './lib.js';

type Impl = 'bundled' | 'redis';

const quick = flag('quick');
const rounds = Number(arg('runs', quick ? '1' : '10'));
const impls = arg('impl', 'bundled,redis')
  .split(',')
  .map((s) => s.trim()) as Impl[];
const downAfters = numbers('down-after', quick ? '1000' : '1000,5000');
const minReplicas = numbers('min-replicas', quick ? '1' : '0,1');
const rate = Number(arg('rate', '50'));
const outFile = arg('out', '');
const verbose = flag('verbose');

for (const i of impls) if (i !== 'bundled' && i !== 'redis') usage(`--impl: "${String(i)}" is neither bundled nor redis`);
if (!Number.isInteger(rounds) || rounds < 1) usage('--runs must be a whole number of at least 1');
if (!downAfters.length || downAfters.some((d) => d < 100)) usage('--down-after takes milliseconds (at least 100), comma-separated, e.g. 1000,5000');
if (!minReplicas.length || minReplicas.some((m) => m !== 0 && m !== 1 && m !== 2))
  usage('--min-replicas takes 0, 1 or 2 (the topology has 2 replicas), comma-separated');
if (!(rate > 0)) usage('--rate takes writes per second, above 0');
if (impls.includes('bundled') && !existsSync(path.join(repoRoot, 'dist', 'sentinel', 'main.js'))) {
  usage('the bundled sentinel is not built (dist/sentinel/main.js): run `npm run build` first, or pass --impl redis');
}

function usage(message: string): never {
  process.stderr.write(`bench/failover.ts: ${message}\n`);
  process.exit(2);
}

interface RunResult {
  round: number;
  impl: Impl;
  downAfterMs: number;
  minReplicas: number;
  status: RunReport['status'] | 'error';
  /** Why the run failed: its error, or the expectations that did not hold. */
  problems: string[];
  load1: number;
  detectionMs: number | null;
  odownMs: number | null;
  electedMs: number | null;
  promotedMs: number | null;
  switchMs: number | null;
  /** switch - detection: the sentinels' own work once the master was seen down. */
  switchAfterSdownMs: number | null;
  allSwitchedMs: number | null;
  failoverEndMs: number | null;
  outageMs: number | null;
  rejoinMs: number | null;
  convertMs: number | null;
  lostWrites: number | null;
  appliedDespiteError: number | null;
  writesAcked: number | null;
  writesFailed: number | null;
  clientRestarts: number | null;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// One topology at a time, always taken down: on success, failure, Ctrl-C, and (as a last resort,
// synchronously) when the process exits some other way.

/** The folder of the topology that may be running now. */
let current: { outDir: string } | null = null;
const abort = new AbortController();
let interrupts = 0;

function onSignal(sig: NodeJS.Signals): void {
  interrupts++;
  if (interrupts === 1) {
    process.stderr.write(`\n${sig}: stopping after this run brings its master back and takes its topology down (twice more to quit at once)\n`);
    abort.abort();
  } else if (interrupts >= 3) {
    killLeftovers();
    process.exit(130);
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', killLeftovers);

/** SIGKILL (after SIGCONT) every process the current topology still has: no async work possible here. */
function killLeftovers(): void {
  if (!current) return;
  const runDir = path.join(current.outDir, 'run');
  let services: string[] = [];
  try {
    services = readdirSync(runDir);
  } catch {
    return;
  }
  for (const s of services) {
    try {
      const rec = JSON.parse(readFileSync(path.join(runDir, s, 'process.json'), 'utf8')) as ProcessRecord;
      if (isSameProcess(rec)) {
        signalOwn(rec, 'SIGCONT');
        signalOwn(rec, 'SIGKILL');
      }
    } catch {
      /* no record: nothing running for that service */
    }
  }
  rmSync(current.outDir, { recursive: true, force: true });
  current = null;
}

// ---------------------------------------------------------------------------------------------

async function specYaml(impl: Impl, downAfterMs: number, minRep: number): Promise<string> {
  const redisBase = await freeServicePortBlock(3);
  const sentinelBase = await freeServicePortBlock(3);
  return (
    [
      'version: 1',
      'project: bench-failover',
      'network: host',
      'masters:',
      '  - name: mymaster',
      '    replicas: 2',
      '    quorum: 2',
      'sentinels:',
      '  count: 3',
      `  implementation: ${impl}`,
      `  down-after-milliseconds: ${downAfterMs}`,
      '  failover-timeout: 60000',
      'redis:',
      '  persistence: none',
      `  min-replicas-to-write: ${minRep}`,
      'ports:',
      `  redis: ${redisBase}`,
      `  sentinel: ${sentinelBase}`,
    ].join('\n') + '\n'
  );
}

async function oneRun(round: number, impl: Impl, downAfterMs: number, minRep: number): Promise<RunResult> {
  const base: RunResult = {
    round,
    impl,
    downAfterMs,
    minReplicas: minRep,
    status: 'error',
    problems: [],
    load1: load1(),
    detectionMs: null,
    odownMs: null,
    electedMs: null,
    promotedMs: null,
    switchMs: null,
    switchAfterSdownMs: null,
    allSwitchedMs: null,
    failoverEndMs: null,
    outageMs: null,
    rejoinMs: null,
    convertMs: null,
    lostWrites: null,
    appliedDespiteError: null,
    writesAcked: null,
    writesFailed: null,
    clientRestarts: null,
    durationMs: 0,
  };
  const t0 = performance.now();
  // A fresh folder per run: nothing (rewritten configs, epochs, data) carries over.
  const work = mkdtempSync(path.join(tmpdir(), 'sc-bench-failover-'));
  const outDir = path.join(work, 'out');
  let down = async (): Promise<void> => {};
  current = { outDir: work };
  try {
    const loaded = parseSpec(await specYaml(impl, downAfterMs, minRep), { env: {} });
    writeOutput(outDir, renderFiles(loaded.topology, loaded.secrets, { specName: 'bench', sentinelBundle: { placeholder: true } }));
    const runtime = localRuntime(loadRendered(outDir));
    runtime.checkDependencies();
    down = () => runtime.down({ volumes: true });
    await runtime.up();
    const report = await runDrill(runtime, [masterPause], {
      rate,
      readRate: 0,
      signal: abort.signal,
      onProgress: verbose ? (line) => process.stderr.write(`    ${line}\n`) : undefined,
      ...(quick ? { baselineMs: 500, settleMs: 500 } : {}),
    });
    const run = report.runs[0];
    if (!run) throw new Error('the drill made no run');
    return { ...base, ...figures(run), durationMs: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ...base, problems: [err instanceof Error ? err.message.split('\n')[0]! : String(err)], durationMs: Math.round(performance.now() - t0) };
  } finally {
    try {
      await down();
    } catch (err) {
      process.stderr.write(`could not take the topology in ${outDir} down: ${err instanceof Error ? err.message : String(err)}\n`);
      killLeftovers();
    }
    rmSync(work, { recursive: true, force: true });
    current = null;
  }
}

function figures(run: RunReport): Partial<RunResult> {
  const m = run.measurements;
  const rejoin = m?.rejoins.find((r) => r.service === m.initialMaster) ?? null;
  const w = run.writes;
  const problems = [...(run.reason ? [run.reason.split('\n')[0]!] : []), ...run.expectations.filter((e) => !e.passed).map((e) => `${e.check}: ${e.message}`)];
  const r1 = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
  return {
    status: run.status,
    problems,
    detectionMs: r1(m?.detection?.t),
    odownMs: r1(m?.odown?.t),
    electedMs: r1(m?.elected?.t),
    promotedMs: r1(m?.promoted?.t),
    switchMs: r1(m?.switchMaster?.first),
    switchAfterSdownMs: m?.switchMaster && m.detection ? r1(m.switchMaster.first - m.detection.t) : null,
    allSwitchedMs: r1(m?.switchMaster?.last),
    failoverEndMs: r1(m?.failoverEnd?.t),
    // No outage window at all means every write went through promptly.
    outageMs: w ? r1(w.stats.outage?.durationMs ?? 0) : null,
    rejoinMs: r1(rejoin?.sinceHealMs),
    convertMs: rejoin && m?.convertedAt != null ? r1(m.convertedAt - rejoin.healedAt) : null,
    lostWrites: w?.check && !w.check.error ? w.check.lost.length : null,
    appliedDespiteError: w?.check && !w.check.error ? w.check.appliedDespiteError.length : null,
    writesAcked: w ? w.stats.acked : null,
    writesFailed: w ? w.stats.failed : null,
    clientRestarts: w ? w.clientRestarts : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Summary

const METRICS = [
  ['detectionMs', 'detection (+sdown)'],
  ['switchMs', '+switch-master'],
  ['switchAfterSdownMs', '  of which after +sdown'],
  ['outageMs', 'client write outage'],
  ['rejoinMs', 'old-master rejoin'],
  ['convertMs', '+convert-to-slave'],
] as const;
type Metric = (typeof METRICS)[number][0];

interface Stat {
  n: number;
  median: number | null;
  p90: number | null;
}

function stat(values: Array<number | null>): Stat {
  const v = values.filter((x): x is number => x !== null);
  const r = (x: number) => Math.round(x);
  return { n: v.length, median: v.length ? r(median(v)) : null, p90: v.length ? r(quantile(v, 0.9)) : null };
}

function summarise(results: RunResult[]) {
  const cells: Array<{
    downAfterMs: number;
    minReplicas: number;
    metric: Metric;
    bundled: Stat;
    redis: Stat;
    ratio: number | null;
  }> = [];
  for (const d of downAfters) {
    for (const mr of minReplicas) {
      for (const [metric] of METRICS) {
        const of = (impl: Impl) => stat(results.filter((r) => r.impl === impl && r.downAfterMs === d && r.minReplicas === mr).map((r) => r[metric]));
        const b = of('bundled');
        const rs = of('redis');
        const ratio = b.median !== null && rs.median !== null && rs.median > 0 ? Math.round((b.median / rs.median) * 100) / 100 : null;
        cells.push({ downAfterMs: d, minReplicas: mr, metric, bundled: b, redis: rs, ratio });
      }
    }
  }
  const writes: Array<{
    downAfterMs: number;
    minReplicas: number;
    impl: Impl;
    runs: number;
    checked: number;
    lostTotal: number;
    runsWithLoss: number;
    lostMax: number;
    appliedDespiteError: number;
  }> = [];
  for (const d of downAfters) {
    for (const mr of minReplicas) {
      for (const impl of impls) {
        const rs = results.filter((r) => r.impl === impl && r.downAfterMs === d && r.minReplicas === mr);
        const lost = rs.map((r) => r.lostWrites).filter((x): x is number => x !== null);
        writes.push({
          downAfterMs: d,
          minReplicas: mr,
          impl,
          runs: rs.length,
          checked: lost.length,
          lostTotal: lost.reduce((a, b) => a + b, 0),
          runsWithLoss: lost.filter((x) => x > 0).length,
          lostMax: lost.length ? Math.max(...lost) : 0,
          appliedDespiteError: rs.reduce((a, r) => a + (r.appliedDespiteError ?? 0), 0),
        });
      }
    }
  }
  return { cells, writes };
}

function show(x: number | null): string {
  return x === null ? '-' : String(x);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const loadStart = load1();
  const results: RunResult[] = [];
  const total = rounds * downAfters.length * minReplicas.length * impls.length;
  process.stderr.write(
    `failover bench: ${rounds} round(s) x down-after ${downAfters.join(',')} x min-replicas-to-write ${minReplicas.join(',')} x ${impls.join('/')} = ${total} runs\n`,
  );
  outer: for (let round = 1; round <= rounds; round++) {
    // ABBA: the implementation that goes first changes every round.
    const order = round % 2 === 1 ? impls : [...impls].reverse();
    for (const d of downAfters) {
      for (const mr of minReplicas) {
        for (const impl of order) {
          if (abort.signal.aborted) break outer;
          const r = await oneRun(round, impl, d, mr);
          if (abort.signal.aborted) {
            process.stderr.write(`  run interrupted: not counted\n`);
            break outer;
          }
          results.push(r);
          process.stderr.write(
            `[${results.length}/${total}] round ${round} ${impl.padEnd(7)} down-after ${d} mrw ${mr}: ${r.status}` +
              ` sdown ${show(r.detectionMs)} switch ${show(r.switchMs)} outage ${show(r.outageMs)} rejoin ${show(r.rejoinMs)} lost ${show(r.lostWrites)}` +
              ` (load ${r.load1}, ${(r.durationMs / 1000).toFixed(1)} s)${r.problems.length ? `\n    ${r.problems.join('\n    ')}` : ''}\n`,
          );
        }
      }
    }
  }

  const { cells, writes } = summarise(results);
  const label = Object.fromEntries(METRICS) as Record<Metric, string>;
  printTable(
    `Failover, master-pause drill on the local runtime: ms, median / p90 over the runs (n = runs with the figure); ratio = bundled median / redis-sentinel median`,
    ['down-after', 'min-replicas', 'figure', 'bundled med', 'bundled p90', 'n', 'redis med', 'redis p90', 'n', 'ratio'],
    cells.map((c) => [
      c.downAfterMs,
      c.minReplicas,
      label[c.metric],
      show(c.bundled.median),
      show(c.bundled.p90),
      c.bundled.n,
      show(c.redis.median),
      show(c.redis.p90),
      c.redis.n,
      show(c.ratio),
    ]),
  );
  printTable(
    'Acknowledged writes lost (every acknowledged write checked on the final master)',
    ['down-after', 'min-replicas', 'implementation', 'runs', 'checked', 'lost total', 'runs with loss', 'max in a run', 'failed but applied'],
    writes.map((w) => [w.downAfterMs, w.minReplicas, w.impl, w.runs, w.checked, w.lostTotal, w.runsWithLoss, w.lostMax, w.appliedDespiteError]),
  );
  const failed = results.filter((r) => r.status !== 'passed');
  if (failed.length) {
    printTable(
      'Runs that did not pass (their figures are kept where they exist)',
      ['round', 'implementation', 'down-after', 'min-replicas', 'status', 'why'],
      failed.map((r) => [r.round, r.impl, r.downAfterMs, r.minReplicas, r.status, r.problems.join('; ').slice(0, 160)]),
    );
  }
  const loads = results.map((r) => r.load1);
  const json = {
    benchmark: 'failover',
    command: `npx tsx bench/failover.ts ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: started,
    machine: machine(),
    load1: { atStart: loadStart, median: loads.length ? median(loads) : null, max: loads.length ? Math.max(...loads) : null },
    settings: { rounds, impls, downAfters, minReplicas, rate, quick, scenario: masterPause.name },
    interrupted: abort.signal.aborted,
    summary: cells,
    writes,
    runs: results,
  };
  if (outFile) writeFileSync(outFile, JSON.stringify(json, null, 2) + '\n');
  printJson(json);
  if (abort.signal.aborted) process.exitCode = 130;
  else if (results.length === 0 || results.every((r) => r.status === 'error')) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

/**
 * Sentinel cost: three sentinels watching 1, 10 and 100 masters (2 replicas each) in steady
 * state; CPU and RSS per sentinel, bundled TypeScript sentinel against redis-sentinel, on the
 * same data nodes in the same run.
 *
 *   npx tsx bench/sentinel-cost.ts [--masters 1,10,100] [--seconds 60] [--warmup 10]
 *                                  [--impl redis,bundled] [--rounds 1] [--down-after 5000]
 *                                  [--out FILE] [--quick] [--node-args "--cpu-prof --cpu-prof-dir=DIR"]
 *
 * For each master count the data nodes are started once; then, per round, three sentinels of one
 * implementation are started, wait until each of them knows every master with its 2 replicas
 * and its 2 peers, run `--warmup` seconds unmeasured (start-up, JIT, the first INFO and hello
 * rounds), and are measured for `--seconds`: CPU time (user + system, all threads, from
 * /proc/<pid>/stat) over wall time, RSS sampled every second (the median is "RSS", the kernel's
 * high-water mark VmHWM is "peak"; "anon" and "file" split the RSS at the end into heap memory and
 * file-backed pages, mostly the executable, which the three sentinels share). Then they are stopped and the other implementation runs.
 * The order alternates between master counts and rounds. A sentinel that flagged anything
 * (s_down, o_down, failover) during the window is reported: then it was not steady state.
 *
 * Targets (issue 7): bundled CPU at most 2 x redis-sentinel's, RSS under 100 MB at 100 masters.
 * --quick: 1 and 3 masters, 5 s after 2 s of warm-up, to check that it works.
 * --node-args: options for node in front of the bundled sentinel's script, e.g. to profile it where
 * the figures come from (`--cpu-prof` writes its profile when the sentinel exits on SIGTERM).
 * --impl also takes `bundled@FILE`: another build of the bundled sentinel (a copy of dist/sentinel/
 * or of dist/sentinel.bundle.mjs) measured beside the others, to compare two versions in one run;
 * and `bundled+--flag` (also `bundled@FILE+--flag+--flag`): the same with more node options, e.g.
 * `bundled+--cpu-prof`. `bundled` runs with the Node options the product launches it with
 * (src/common/sentinel-node-options.ts); `bundled+node-defaults` (also followed by `+--flag`)
 * runs it with Node's defaults instead, to show in one run what those options do.
 * Needs `npm run build` for the bundled sentinel (dist/sentinel/main.js).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, startSentinel, stopAll, repoRoot, type Proc } from '../test/helpers/procs.js';
import { arg, flag, load1, machine, median, numbers, printJson, printTable, sampleProc } from './lib.js';

/**
 * `redis`, `bundled` (dist/sentinel/main.js), `bundled@FILE` (another build), each bundled one
 * optionally followed by `+node-defaults` and node options: `bundled+node-defaults+--max-semi-space-size=4`.
 */
type Impl = string;
const kindOf = (impl: Impl): 'redis' | 'bundled' => (impl === 'redis' ? 'redis' : 'bundled');
const NODE_DEFAULTS = '+node-defaults';
const nodeDefaultsOf = (impl: Impl): boolean => impl.split('+--')[0]!.endsWith(NODE_DEFAULTS);
const scriptOf = (impl: Impl): string | undefined => {
  const head = impl.split('+--')[0]!.replace(NODE_DEFAULTS, '');
  return head.startsWith('bundled@') ? head.slice('bundled@'.length) : undefined;
};
const flagsOf = (impl: Impl): string[] =>
  impl
    .split('+--')
    .slice(1)
    .map((f) => `--${f}`);

const quick = flag('quick');
const masterCounts = numbers('masters', quick ? '1,3' : '1,10,100');
const seconds = Number(arg('seconds', quick ? '5' : '60'));
const warmup = Number(arg('warmup', quick ? '2' : '10'));
const rounds = Number(arg('rounds', '1'));
const downAfter = Number(arg('down-after', '5000'));
const impls: Impl[] = arg('impl', 'redis,bundled')
  .split(',')
  .map((s) => s.trim());
const outFile = arg('out', '');
const nodeArgs = arg('node-args', '').split(' ').filter(Boolean);
const bundledScript = path.join(repoRoot, 'dist', 'sentinel', 'main.js');

function usage(message: string): never {
  process.stderr.write(`bench/sentinel-cost.ts: ${message}\n`);
  process.exit(2);
}
for (const i of impls) {
  if (i !== 'redis' && !/^bundled(@[^+]+)?(\+node-defaults)?(\+--\S+)*$/.test(i))
    usage(`--impl: "${i}" is none of redis, bundled, bundled@FILE, each optionally +node-defaults and +--node-option`);
  if (kindOf(i) === 'bundled' && !existsSync(scriptOf(i) ?? bundledScript)) {
    usage(`--impl ${i}: ${scriptOf(i) ?? bundledScript} does not exist${scriptOf(i) ? '' : ': run `npm run build` first, or pass --impl redis'}`);
  }
}
if (!masterCounts.length || masterCounts.some((n) => !Number.isInteger(n) || n < 1)) usage('--masters takes whole numbers, comma-separated, e.g. 1,10,100');
if (!(seconds > 0) || !(warmup >= 0)) usage('--seconds must be above 0 and --warmup 0 or more');
if (!Number.isInteger(rounds) || rounds < 1) usage('--rounds must be a whole number of at least 1');

let stopping = false;
function onSignal(sig: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${sig}: stopping every process started here\n`);
  void stopAll().finally(() => process.exit(130));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

interface Row {
  masters: number;
  impl: Impl;
  round: number;
  seconds: number;
  load1: { start: number; end: number };
  cpuPercentPerSentinel: number[];
  /** Median of the per-second samples during the window. */
  rssMbPerSentinel: number[];
  /** VmHWM at the end: the most the process ever held, start-up included. */
  peakRssMbPerSentinel: number[];
  /** At the end: anonymous memory (heaps) and file-backed pages (the binary, shared between the sentinels). */
  anonRssMbPerSentinel: number[];
  fileRssMbPerSentinel: number[];
  /** Masters some sentinel flagged (s_down, o_down, failover...) at the end: not steady state. */
  flagged: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startDataNodes(count: number): Promise<Array<{ name: string; master: Proc }>> {
  const groups: Array<{ name: string; master: Proc }> = [];
  for (let i = 0; i < count; i++) {
    const master = await startRedis(`m${i}`);
    for (let r = 0; r < 2; r++) await startRedis(`m${i}r${r}`, { replicaOf: { host: master.host, port: master.port } });
    groups.push({ name: `m${i}`, master });
  }
  return groups;
}

function fields(entry: string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < entry.length; i += 2) f[entry[i]!] = entry[i + 1]!;
  return f;
}

async function sentinelMasters(s: Proc): Promise<Array<Record<string, string>>> {
  const c = new Redis({ host: s.host, port: s.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await c.connect();
  try {
    return ((await c.call('SENTINEL', 'MASTERS')) as string[][]).map(fields);
  } finally {
    c.disconnect();
  }
}

async function waitSteady(sentinels: Proc[], count: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (const s of sentinels) {
    for (;;) {
      const masters = await sentinelMasters(s);
      const ok =
        masters.length === count &&
        masters.every((f) => Number(f['num-slaves']) === 2 && Number(f['num-other-sentinels']) === sentinels.length - 1 && f.flags === 'master');
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`sentinel ${s.name} never saw every master with 2 replicas and ${sentinels.length - 1} peers`);
      await sleep(500);
    }
  }
}

async function measure(impl: Impl, round: number, groups: Array<{ name: string; master: Proc }>): Promise<Row> {
  const conf = groups.flatMap((g) => [
    `sentinel monitor ${g.name} ${g.master.host} ${g.master.port} 2`,
    `sentinel down-after-milliseconds ${g.name} ${downAfter}`,
  ]);
  const sentinels: Proc[] = [];
  try {
    for (let i = 0; i < 3; i++)
      sentinels.push(
        await startSentinel(`${kindOf(impl)}-s${i}`, {
          implementation: kindOf(impl),
          conf,
          nodeArgs: [...nodeArgs, ...flagsOf(impl)],
          nodeDefaults: nodeDefaultsOf(impl),
          script: scriptOf(impl),
        }),
      );
    await waitSteady(sentinels, groups.length);
    await sleep(warmup * 1000);
    const pids = sentinels.map((s) => s.child.pid!);
    const loadStart = load1();
    const before = pids.map(sampleProc);
    const rss: number[][] = pids.map(() => []);
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000 && !stopping) {
      await sleep(Math.min(1000, seconds * 1000 - (performance.now() - t0)));
      pids.forEach((p, i) => rss[i]!.push(sampleProc(p).rssBytes));
    }
    const elapsed = performance.now() - t0;
    const after = pids.map(sampleProc);
    const flagged = new Set<string>();
    for (const s of sentinels) for (const m of await sentinelMasters(s)) if (m.flags !== 'master') flagged.add(`${m.name} (${m.flags} at ${s.name})`);
    const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
    return {
      masters: groups.length,
      impl,
      round,
      seconds: Math.round(elapsed) / 1000,
      load1: { start: loadStart, end: load1() },
      cpuPercentPerSentinel: after.map((a, i) => Math.round(((a.cpuMs - before[i]!.cpuMs) / elapsed) * 10000) / 100),
      rssMbPerSentinel: rss.map((xs) => mb(median(xs))),
      peakRssMbPerSentinel: after.map((a) => mb(a.peakRssBytes)),
      anonRssMbPerSentinel: after.map((a) => mb(a.rssAnonBytes)),
      fileRssMbPerSentinel: after.map((a) => mb(a.rssFileBytes)),
      flagged: [...flagged],
    };
  } finally {
    await Promise.all(sentinels.map((s) => s.stop()));
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAtStart = load1();
  const rows: Row[] = [];
  try {
    for (const [ni, n] of masterCounts.entries()) {
      process.stderr.write(`starting ${n} masters x 3 data nodes\n`);
      const groups = await startDataNodes(n);
      for (let round = 1; round <= rounds; round++) {
        const order = (ni + round) % 2 === 1 ? impls : [...impls].reverse();
        for (const impl of order) {
          if (stopping) return;
          process.stderr.write(`round ${round}: ${impl} sentinels x3 watching ${n} masters: ${warmup} s warm-up, ${seconds} s measured (load ${load1()})\n`);
          const row = await measure(impl, round, groups);
          rows.push(row);
          if (row.flagged.length) process.stderr.write(`  not steady: ${row.flagged.slice(0, 5).join(', ')}${row.flagged.length > 5 ? ' ...' : ''}\n`);
        }
      }
      await stopAll();
    }
  } finally {
    await stopAll();
  }

  const summary = masterCounts.flatMap((n) =>
    impls.map((impl) => {
      const rs = rows.filter((r) => r.masters === n && r.impl === impl);
      const all = (k: 'cpuPercentPerSentinel' | 'rssMbPerSentinel' | 'peakRssMbPerSentinel' | 'anonRssMbPerSentinel' | 'fileRssMbPerSentinel') =>
        rs.flatMap((r) => r[k]);
      const r2 = (x: number) => Math.round(x * 100) / 100;
      return {
        masters: n,
        impl,
        measurements: rs.length * 3,
        cpuPercent: rs.length ? r2(median(all('cpuPercentPerSentinel'))) : null,
        rssMb: rs.length ? r2(median(all('rssMbPerSentinel'))) : null,
        peakRssMb: rs.length ? r2(Math.max(...all('peakRssMbPerSentinel'))) : null,
        anonRssMb: rs.length ? r2(median(all('anonRssMbPerSentinel'))) : null,
        fileRssMb: rs.length ? r2(median(all('fileRssMbPerSentinel'))) : null,
        steady: rs.every((r) => r.flagged.length === 0),
      };
    }),
  );
  // Each bundled build against redis-sentinel at the same master count.
  const ratio = (n: number, impl: Impl, k: 'cpuPercent' | 'rssMb') => {
    const b = summary.find((s) => s.masters === n && s.impl === impl)?.[k];
    const r = summary.find((s) => s.masters === n && s.impl === 'redis')?.[k];
    return b != null && r != null && r > 0 ? Math.round((b / r) * 100) / 100 : null;
  };
  const ratios = masterCounts.flatMap((n) =>
    impls.filter((i) => kindOf(i) === 'bundled').map((impl) => ({ masters: n, impl, cpu: ratio(n, impl, 'cpuPercent'), rss: ratio(n, impl, 'rssMb') })),
  );
  const show = (x: number | null) => (x === null ? '-' : x);
  printTable(
    `Sentinel cost: 3 sentinels, 2 replicas per master, down-after ${downAfter} ms, ${seconds} s steady state after ${warmup} s warm-up (median over the sentinels${rounds > 1 ? ' and rounds' : ''}); ratios: bundled / redis-sentinel`,
    ['masters', 'implementation', 'CPU % of a core', 'RSS MB', 'peak RSS MB', 'anon MB', 'file MB', 'steady', 'CPU ratio', 'RSS ratio'],
    summary.map((s) => {
      const r = ratios.find((x) => x.masters === s.masters && x.impl === s.impl);
      return [
        s.masters,
        s.impl,
        show(s.cpuPercent),
        show(s.rssMb),
        show(s.peakRssMb),
        show(s.anonRssMb),
        show(s.fileRssMb),
        s.steady ? 'yes' : 'NO',
        r ? show(r.cpu) : '',
        r ? show(r.rss) : '',
      ];
    }),
  );
  const json = {
    benchmark: 'sentinel-cost',
    command: `npx tsx bench/sentinel-cost.ts ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt,
    machine: machine(),
    load1: { atStart: loadAtStart, during: rows.map((r) => r.load1) },
    settings: { masterCounts, seconds, warmup, rounds, downAfter, impls, quick, ...(nodeArgs.length ? { nodeArgs } : {}) },
    summary,
    ratios,
    rows,
  };
  if (outFile) writeFileSync(outFile, JSON.stringify(json, null, 2) + '\n');
  printJson(json);
}

main().catch(async (err) => {
  console.error(err);
  await stopAll();
  process.exitCode = 1;
});

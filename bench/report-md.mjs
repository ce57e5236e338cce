// Markdown tables from the JSON the benchmark scripts write with --out, so that the tables in
// docs/benchmarks.md are copied from a run, not typed:
//
//   node bench/report-md.mjs bench/results/failover.json bench/results/sentinel-cost.json bench/results/cli.json
//
// Each file is recognised by its `benchmark` field (failover, sentinel-cost, cli, partition).
import { readFileSync } from 'node:fs';

const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (headers, rows) => [row(headers), row(headers.map(() => '---')), ...rows.map(row)].join('\n');
const n = (x) => (x === null || x === undefined ? '–' : String(x));

function runInfo(j) {
  const l = j.load1;
  const r2 = (x) => Math.round(x * 100) / 100;
  const load =
    l?.median !== undefined
      ? `1-min load median ${r2(l.median)}, max ${r2(l.max)}`
      : Array.isArray(l?.during)
        ? `1-min load ${Math.min(...l.during.map((d) => d.start))}–${Math.max(...l.during.map((d) => d.end))}`
        : `1-min load ${j.machine.loadavg[0]}`;
  return `Run ${j.startedAt ?? '(start not recorded)'} on ${j.machine.cpuModel}, ${j.machine.cores} cores, Node ${j.machine.node}; ${load}${j.command ? `. Command: \`${j.command}\`` : ''}`;
}

const LABELS = {
  detectionMs: 'detection (+sdown)',
  switchMs: 'failover (+switch-master)',
  switchAfterSdownMs: '… of which after +sdown',
  outageMs: 'client write outage',
  rejoinMs: 'old-master rejoin (after resume)',
  convertMs: '+convert-to-slave (after resume)',
};

function failover(j) {
  const out = [runInfo(j), ''];
  for (const d of j.settings.downAfters) {
    for (const mr of j.settings.minReplicas) {
      out.push(`**down-after-milliseconds ${d}, min-replicas-to-write ${mr}** (ms; median / p90 over n runs)`, '');
      const cells = j.summary.filter((c) => c.downAfterMs === d && c.minReplicas === mr);
      out.push(
        table(
          ['figure', 'bundled median', 'bundled p90', 'redis-sentinel median', 'redis-sentinel p90', 'n (b / r)', 'ratio b / r'],
          cells.map((c) => [
            LABELS[c.metric] ?? c.metric,
            n(c.bundled.median),
            n(c.bundled.p90),
            n(c.redis.median),
            n(c.redis.p90),
            `${c.bundled.n} / ${c.redis.n}`,
            n(c.ratio),
          ]),
        ),
        '',
      );
    }
  }
  out.push('**Acknowledged writes lost** (every acknowledged write looked up on the final master)', '');
  out.push(
    table(
      ['down-after', 'min-replicas-to-write', 'sentinel', 'runs', 'lost in total', 'runs with a loss', 'most in one run', 'failed for the client but applied'],
      j.writes.map((w) => [
        w.downAfterMs,
        w.minReplicas,
        w.impl === 'redis' ? 'redis-sentinel' : 'bundled',
        w.runs,
        w.lostTotal,
        w.runsWithLoss,
        w.lostMax,
        w.appliedDespiteError,
      ]),
    ),
  );
  const bad = j.runs.filter((r) => r.status !== 'passed');
  out.push('', `Runs: ${j.runs.length}, passed: ${j.runs.length - bad.length}.`);
  for (const r of bad)
    out.push(`- round ${r.round} ${r.impl} down-after ${r.downAfterMs} min-replicas ${r.minReplicas}: ${r.status}: ${r.problems.join('; ')}`);
  return out.join('\n');
}

function cost(j) {
  const ratio = (s) => j.ratios.find((r) => r.masters === s.masters && r.impl === s.impl);
  return [
    runInfo(j),
    '',
    table(
      [
        'masters',
        'sentinel',
        'CPU % of one core',
        'RSS MB (median)',
        'RSS MB (peak, VmHWM)',
        'of which anon / file MB',
        'steady',
        'CPU ratio to redis-sentinel',
        'RSS ratio',
      ],
      j.summary.map((s) => [
        s.masters,
        s.impl === 'redis' ? 'redis-sentinel' : `\`${s.impl}\``,
        n(s.cpuPercent),
        n(s.rssMb),
        n(s.peakRssMb),
        `${n(s.anonRssMb)} / ${n(s.fileRssMb)}`,
        s.steady ? 'yes' : 'NO',
        n(ratio(s)?.cpu),
        n(ratio(s)?.rss),
      ]),
    ),
  ].join('\n');
}

function cli(j) {
  return [
    runInfo(j),
    '',
    table(
      ['command', 'nodes rendered', 'wall ms min', 'wall ms median', 'wall ms max', 'CPU ms median', 'load'],
      j.results.map((r) => [
        `\`${r.command}\`${r.masters ? ` (${r.masters} master${r.masters > 1 ? 's' : ''})` : ''}`,
        r.nodes || '–',
        r.wallMs.min,
        r.wallMs.median,
        r.wallMs.max,
        n(r.cpuMsMedian),
        r.load1,
      ]),
    ),
  ].join('\n');
}

const s1 = (ms) => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '–');

function partition(j) {
  const loads = j.samples
    .map((x) => x.load1)
    .filter((x) => typeof x === 'number')
    .sort((a, b) => a - b);
  const withLoad = j.load1 || !loads.length ? j : { ...j, load1: { median: loads[Math.floor(loads.length / 2)], max: loads.at(-1) } };
  return [
    runInfo(withLoad),
    '',
    `**master-partition, min-replicas-max-lag ${j.maxLag} s** (medians over the runs unless said; ms since the cut)`,
    '',
    table(
      [
        'sentinel',
        'min-replicas-to-write',
        'passed',
        'acked after cut',
        'ack window',
        'lost (median, max)',
        'sent past bound and lost (max)',
        'sent past bound and acked (max)',
        'Sentinel client lost',
        '+switch-master',
        'heal → rejoin',
        'drill',
      ],
      j.summary.map((r) => [
        r.impl === 'redis' ? 'redis-sentinel' : r.impl,
        r.minReplicasToWrite,
        `${r.passed}/${r.runs}`,
        n(r.ackedAfterCutMedian),
        s1(r.ackWindowMsMedian),
        `${n(r.lostMedian)}, ${n(r.lostMax)}`,
        n(r.lostPastBoundMax),
        n(r.ackedPastBoundMax),
        n(r.sentinelLostMedian),
        s1(r.failoverMsMedian),
        s1(r.rejoinMsMedian),
        s1(r.drillMsMedian),
      ]),
    ),
  ].join('\n');
}

for (const file of process.argv.slice(2)) {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const kinds = { failover, 'sentinel-cost': cost, cli, partition };
  // bench/partition.ts named the field `bench` before it recorded start and command.
  const kind = j.benchmark ?? j.bench;
  const body = Object.hasOwn(kinds, kind) ? kinds[kind](j) : null;
  if (body === null) {
    process.stderr.write(`${file}: unknown benchmark ${JSON.stringify(kind)}\n`);
    process.exitCode = 2;
    continue;
  }
  process.stdout.write(`<!-- from ${file} -->\n${body}\n\n`);
}

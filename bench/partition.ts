/**
 * What a partitioned master costs in acknowledged writes, with and without min-replicas-to-write,
 * bundled TypeScript sentinel against redis-sentinel: the `master-partition` drill (the engine
 * behind `sentinel-compose drill`) under Docker Compose in bridge mode, repeated. Per
 * configuration (implementation x min-replicas-to-write) one topology is rendered and started (1
 * master, 2 replicas, 3 sentinels, quorum 2, down-after 1000 ms, min-replicas-max-lag --max-lag),
 * drilled --runs times through the CLI, and taken down.
 *
 * Per run, from the drill's report (ms since the cut):
 *   acked after cut   writes the old master acknowledged to the client on its side after the cut
 *   ack window        until the last of those (before the heal)
 *   lost              acknowledged writes of that client missing on the final master
 *   past bound        of those, sent later than max-lag + 2 s (must be 0 with min-replicas)
 *   acked late        writes sent later than max-lag + 2 s that the old master acknowledged
 *                     (lost or not; must be 0 with min-replicas)
 *   sentinel lost     acknowledged writes of the Sentinel-aware client missing
 *   rejoin            from the heal to the old master seen replicating the new one (a sentinel
 *                     converted it: until then it answers the client on its side as master)
 *   drill             the whole drill, baseline to checks
 *   load              the machine's 1-minute load average when the drill ended
 *
 *   offline-docker exec npx tsx bench/partition.ts [--runs 10] [--impl bundled,redis]
 *                       [--min-replicas 0,1] [--max-lag 10] [--out FILE]
 *
 * Needs `npm run build` (the CLI in dist/) and an engine whose containers this process reaches.
 * Prints a table, then one `JSON {...}` line; --out also writes that JSON (pretty) to FILE.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DrillReport, RunReport } from '../src/drill/types.js';
import { freeServicePortBlock } from '../test/helpers/ports.js';
import { repoRoot } from '../test/helpers/procs.js';
import { arg, machine, median, numbers, printJson, printTable, quantile } from './lib.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'bin', 'sentinel-compose.js');
const runs = Number(arg('runs', '10'));
const impls = arg('impl', 'bundled,redis').split(',') as ('bundled' | 'redis')[];
const minReplicas = numbers('min-replicas', '0,1');
const maxLag = Number(arg('max-lag', '10'));
const outFile = arg('out', '');

interface Sample {
  impl: string;
  minReplicas: number;
  status: string;
  ackedAfterCut: number;
  ackWindowMs: number | null;
  lost: number;
  lostPastBound: number;
  sentinelLost: number;
  failoverMs: number | null;
  rejoinMs: number | null;
  drillMs: number;
  ackedPastBound: number;
  load1: number;
}

async function sc(args: string[], cwd: string): Promise<string> {
  try {
    return (await run('node', [cli, ...args], { cwd, maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stdout?: string; code?: number };
    if (e.code === 1 && e.stdout) return e.stdout; // a drill that failed still reports
    throw err;
  }
}

const startedAt = new Date().toISOString();
const samples: Sample[] = [];
for (const impl of impls) {
  for (const m of minReplicas) {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sc-bench-partition-'));
    const project = `scbenchpart-${impl}-${m}-${process.pid}`;
    const redis = await freeServicePortBlock(3);
    const sentinel = await freeServicePortBlock(3);
    writeFileSync(
      path.join(cwd, 'sentinel-compose.yaml'),
      [
        `project: ${project}`,
        'network: bridge',
        'masters: [{name: mymaster, replicas: 2}]',
        `sentinels: {implementation: ${impl}, down-after-milliseconds: 1000, failover-timeout: 20000}`,
        `redis: {min-replicas-to-write: ${m}, min-replicas-max-lag: ${maxLag}}`,
        `ports: {redis: ${redis}, sentinel: ${sentinel}}`,
      ].join('\n') + '\n',
    );
    try {
      await sc(['up', '--runtime', 'docker'], cwd);
      for (let i = 0; i < runs; i++) {
        const report = JSON.parse(await sc(['drill', 'master-partition', '--json'], cwd)) as DrillReport;
        const r: RunReport = report.runs[0]!;
        const side = r.partition?.masterSide;
        const s: Sample = {
          impl,
          minReplicas: m,
          status: r.status,
          ackedAfterCut: side?.ackedAfterCut ?? 0,
          ackWindowMs: side?.ackWindow ? Math.round(side.ackWindow.endMs) : null,
          lost: side?.lost.length ?? 0,
          lostPastBound: side?.lostPastBound.length ?? 0,
          sentinelLost: r.partition?.sentinelClientLost.length ?? 0,
          failoverMs: r.measurements?.switchMaster?.first ?? null,
          rejoinMs: r.measurements?.rejoins.find((x) => x.service === side?.service)?.sinceHealMs ?? null,
          drillMs: report.durationMs,
          ackedPastBound: side?.ackedPastBound.length ?? 0,
          load1: Math.round(os.loadavg()[0]! * 10) / 10,
        };
        samples.push(s);
        process.stderr.write(`${impl} min-replicas ${m} run ${i + 1}/${runs}: ${JSON.stringify(s)}\n`);
      }
    } finally {
      await sc(['down', '--volumes'], cwd).catch((err: unknown) => process.stderr.write(`down failed: ${String(err)}\n`));
      rmSync(cwd, { recursive: true, force: true });
    }
  }
}

const rows: (string | number)[][] = [];
const summary: Record<string, unknown>[] = [];
for (const impl of impls) {
  for (const m of minReplicas) {
    const g = samples.filter((s) => s.impl === impl && s.minReplicas === m);
    if (!g.length) continue;
    const med = (f: (s: Sample) => number | null) => {
      const v = g.map(f).filter((x): x is number => x !== null);
      return v.length ? Math.round(median(v)) : '-';
    };
    const max = (f: (s: Sample) => number) => Math.max(...g.map(f));
    const row = {
      impl,
      minReplicasToWrite: m,
      runs: g.length,
      passed: g.filter((s) => s.status === 'passed').length,
      ackedAfterCutMedian: med((s) => s.ackedAfterCut),
      ackWindowMsMedian: med((s) => s.ackWindowMs),
      ackWindowMsP90: Math.round(
        quantile(
          g.map((s) => s.ackWindowMs ?? 0),
          0.9,
        ),
      ),
      lostMedian: med((s) => s.lost),
      lostMax: max((s) => s.lost),
      lostPastBoundMax: max((s) => s.lostPastBound),
      ackedPastBoundMax: max((s) => s.ackedPastBound),
      sentinelLostMedian: med((s) => s.sentinelLost),
      failoverMsMedian: med((s) => s.failoverMs),
      rejoinMsMedian: med((s) => s.rejoinMs),
      drillMsMedian: med((s) => s.drillMs),
      load1Median: Math.round(median(g.map((s) => s.load1)) * 10) / 10,
    };
    summary.push(row);
    rows.push([
      impl,
      m,
      `${row.passed}/${row.runs}`,
      row.ackedAfterCutMedian,
      row.ackWindowMsMedian,
      row.lostMedian,
      row.lostMax,
      row.lostPastBoundMax,
      row.ackedPastBoundMax,
      row.sentinelLostMedian,
      row.failoverMsMedian,
      row.rejoinMsMedian,
      row.drillMsMedian,
      row.load1Median,
    ]);
  }
}
printTable(
  `master-partition, bridge mode, 50 writes/s per client, down-after 1000 ms, min-replicas-max-lag ${maxLag} s (medians unless said)`,
  [
    'sentinel',
    'min-replicas',
    'passed',
    'acked after cut',
    'ack window ms',
    'lost',
    'lost max',
    'past bound max',
    'acked late max',
    'sentinel-client lost',
    'switch ms',
    'heal->rejoin ms',
    'drill ms',
    'load',
  ],
  rows,
);
const json = {
  benchmark: 'partition',
  command: `offline-docker exec npx tsx bench/partition.ts ${process.argv.slice(2).join(' ')}`.trim(),
  startedAt,
  machine: machine(),
  runs,
  maxLag,
  load1: { median: median(samples.map((s) => s.load1)), max: Math.max(...samples.map((s) => s.load1)) },
  summary,
  samples,
};
printJson(json);
if (outFile) writeFileSync(outFile, JSON.stringify(json, null, 2) + '\n');

// Render time including Node start-up: spawns the built CLI (`npm run build` first) on specs of
// 1, 10 and 50 masters x 2 replicas x 5 sentinels, several runs each, and prints JSON and a table.
// The target: 50 masters under 1 s. Usage: node bench/render.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const cli = path.join(root, 'bin', 'sentinel-compose.js');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

function spec(masters) {
  const lines = ['project: bench', 'ports: {redis: 10000, sentinel: 30000}', 'sentinels: {count: 5, implementation: redis}', 'masters:'];
  for (let i = 0; i < masters; i++) lines.push(`  - name: m${i}`, '    replicas: 2', '    quorum: 3');
  return lines.join('\n') + '\n';
}

// CPU time (user + sys) of the child, through /usr/bin/time when present: on a shared machine
// it moves far less with the load than wall time does.
const gnuTime = existsSync('/usr/bin/time');
const cpu = [];

function time(args, cwd) {
  const cmd = gnuTime ? '/usr/bin/time' : process.execPath;
  const argv = gnuTime ? ['-f', 'SC_CPU %U %S', process.execPath, cli, ...args] : [cli, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /SC_CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (m) cpu.push((Number(m[1]) + Number(m[2])) * 1000);
  return ms;
}

function cpuStats() {
  const taken = cpu.splice(0);
  return taken.length ? { cpuMedian: [...taken].sort((a, b) => a - b)[Math.floor(taken.length / 2)] } : {};
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

const results = [];
// Baseline: Node start-up plus the CLI's imports, no spec work.
{
  const dir = mkdtempSync(path.join(tmpdir(), 'sc-bench-'));
  const ms = Array.from({ length: runs }, () => time(['--version'], dir));
  results.push({ case: '--version (start-up only)', masters: 0, nodes: 0, runs, ...stats(ms), ...cpuStats() });
  rmSync(dir, { recursive: true, force: true });
}
for (const masters of [1, 10, 50]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sc-bench-'));
  writeFileSync(path.join(dir, 'sentinel-compose.yaml'), spec(masters));
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push(time(['render', '--out', 'out', '--force'], dir));
  results.push({ case: `render ${masters} x 2 replicas, 5 sentinels`, masters, nodes: masters * 3 + 5, runs, ...stats(ms), ...cpuStats() });
  const check = Array.from({ length: runs }, () => time(['render', '--check', '--out', 'out'], dir));
  results.push({ case: `render --check ${masters} masters`, masters, nodes: masters * 3 + 5, runs, ...stats(check), ...cpuStats() });
  rmSync(dir, { recursive: true, force: true });
}

const round = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({ node: process.version, loadavg: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100), target: '50 masters under 1000 ms', results: results.map((r) => ({ ...r, min: round(r.min), median: round(r.median), max: round(r.max), ...(r.cpuMedian !== undefined ? { cpuMedian: round(r.cpuMedian) } : {}) })) }, null, 2));
console.log('');
console.log(`${'case'.padEnd(40)} ${'nodes'.padStart(5)} ${'min ms'.padStart(8)} ${'median'.padStart(8)} ${'max'.padStart(8)} ${'cpu ms'.padStart(8)}`);
for (const r of results) {
  console.log(`${r.case.padEnd(40)} ${String(r.nodes).padStart(5)} ${round(r.min).toFixed(1).padStart(8)} ${round(r.median).toFixed(1).padStart(8)} ${round(r.max).toFixed(1).padStart(8)} ${(r.cpuMedian === undefined ? '-' : round(r.cpuMedian).toFixed(0)).padStart(8)}`);
}

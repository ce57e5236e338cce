// CLI latency including Node start-up: spawns the built CLI (bin/sentinel-compose.js; run
// `npm run build` first) as a user's shell would, several times per case, and prints a table and
// one `JSON {...}` line.
//
//   --version              start-up alone (Node + the CLI's entry point), the floor of every case
//   --help, render --help  what a user waits for when asking for help
//   render                 specs of 1, 10 and 50 masters x 2 replicas, 3 bundled sentinels (the
//                          defaults otherwise; the bundle is copied into the output), into a
//                          fresh --out the first time and over the previous output afterwards
//   render --check         the same specs compared against the output on disk (what CI runs)
//
// Wall time of a child depends on the machine's load (two shared cores here); the child's own
// CPU time (user + sys, through /usr/bin/time) moves far less with it, so both are reported,
// with the load average.
//
// The target: render of 50 masters under 1000 ms.
//
//   node bench/render.mjs [--runs 7] [--masters 1,10,50] [--out FILE] [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const cli = path.join(root, 'bin', 'sentinel-compose.js');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const quick = argv.includes('--quick');
const runs = Number(opt('runs', quick ? '2' : '7'));
const masterCounts = opt('masters', quick ? '1,10' : '1,10,50')
  .split(',')
  .map(Number);
const outFile = opt('out', '');
if (!Number.isInteger(runs) || runs < 1 || masterCounts.some((n) => !Number.isInteger(n) || n < 1)) {
  process.stderr.write('bench/render.mjs: --runs takes a whole number >= 1, --masters whole numbers >= 1, comma-separated\n');
  process.exit(2);
}
if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('bench/render.mjs: the CLI is not built (dist/cli/main.js): run `npm run build` first\n');
  process.exit(2);
}

function spec(masters) {
  const lines = ['project: bench', 'ports: {redis: 10000, sentinel: 30000}', 'sentinels: {count: 3}', 'masters:'];
  for (let i = 0; i < masters; i++) lines.push(`  - name: m${i}`, '    replicas: 2');
  return lines.join('\n') + '\n';
}

// CPU time (user + sys) of the child, through /usr/bin/time when present.
const gnuTime = existsSync('/usr/bin/time');

function time(args, cwd) {
  const cmd = gnuTime ? '/usr/bin/time' : process.execPath;
  const full = gnuTime ? ['-f', 'SC_CPU %U %S', process.execPath, cli, ...args] : [cli, ...args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, full, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`sentinel-compose ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /SC_CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null };
}

const round1 = (x) => (x === null ? null : Math.round(x * 10) / 10);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

function measureCase(name, command, masters, make) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(make(i));
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.cpuMs).filter((x) => x !== null);
  return {
    case: name,
    command,
    masters,
    nodes: masters ? masters * 3 + 3 : 0,
    runs,
    wallMs: { min: round1(Math.min(...wall)), median: round1(med(wall)), max: round1(Math.max(...wall)) },
    cpuMsMedian: cpu.length ? round1(med(cpu)) : null,
    load1: round1(os.loadavg()[0]),
  };
}

const results = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'sc-bench-render-'));
try {
  results.push(measureCase('--version (start-up only)', 'sentinel-compose --version', 0, () => time(['--version'], scratch)));
  results.push(measureCase('--help', 'sentinel-compose --help', 0, () => time(['--help'], scratch)));
  results.push(measureCase('render --help', 'sentinel-compose render --help', 0, () => time(['render', '--help'], scratch)));
  for (const masters of masterCounts) {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-bench-render-'));
    try {
      writeFileSync(path.join(dir, 'sentinel-compose.yaml'), spec(masters));
      // The first render writes a fresh folder; the next ones replace it (manifest, swap).
      results.push(
        measureCase(`render, ${masters} master${masters > 1 ? 's' : ''}`, 'sentinel-compose render --out out', masters, (i) =>
          time(['render', '--out', 'out', ...(i > 0 ? ['--force'] : [])], dir),
        ),
      );
      const files = JSON.parse(readFileSync(path.join(dir, 'out', '.sentinel-compose.json'), 'utf8'));
      results[results.length - 1].files = Array.isArray(files.files) ? files.files.length : undefined;
      results.push(
        measureCase(`render --check, ${masters} master${masters > 1 ? 's' : ''}`, 'sentinel-compose render --check --out out', masters, () =>
          time(['render', '--check', '--out', 'out'], dir),
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const fifty = results.find((r) => r.case.startsWith('render,') && r.masters === 50);
const cpuModel = /model name\s*:\s*(.+)/.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1]?.trim() ?? os.cpus()[0]?.model;
const json = {
  benchmark: 'cli',
  command: `node bench/render.mjs ${argv.join(' ')}`.trim(),
  startedAt: new Date().toISOString(),
  machine: { cpuModel, cores: os.cpus().length, node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  target: {
    what: 'render of 50 masters under 1000 ms (wall, median, Node start-up included)',
    medianMs: fifty?.wallMs.median ?? null,
    met: fifty ? fifty.wallMs.median < 1000 : null,
  },
  results,
};

const headers = ['case', 'nodes', 'wall min', 'wall median', 'wall max', 'cpu median', 'load'];
const rows = results.map((r) => [
  r.case,
  String(r.nodes || ''),
  ...[r.wallMs.min, r.wallMs.median, r.wallMs.max, r.cpuMsMedian].map((x) => (x === null ? '-' : x.toFixed(1))),
  r.load1.toFixed(2),
]);
const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
process.stdout.write(
  `\nCLI latency, ms, Node start-up included (${runs} runs each)\n\n${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n\n`,
);
if (outFile) writeFileSync(outFile, JSON.stringify(json, null, 2) + '\n');
process.stdout.write(`JSON ${JSON.stringify(json)}\n`);

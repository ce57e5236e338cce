// Where `sentinel-compose down` spends its time under Docker Compose: brings a rendered folder up
// with the CLI, times `down`, and splits the wall time by the engine's own events (docker events
// between the start and the end of the command):
//
//   before the first stop   Node start-up, the CLI's engine checks, compose's own start-up
//   stopping                first kill to last stop (compose stops in dependency order:
//                           sentinels, then replicas, then masters)
//   removing containers     last stop to last destroy (with the vfs storage driver every
//                           container's root filesystem is a full copy of its image)
//   network and exit        last destroy to the command's exit
//
//   node bench/compose-down.mjs OUT_DIR [--runs 3] [--cli path/to/bin/sentinel-compose.js]
//
// Run it where the published ports answer (with offline-docker: `offline-docker exec node
// bench/compose-down.mjs ...`). Wall times move with the machine's load; the load average is
// printed with them.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const outDir = argv[0] && !argv[0].startsWith('--') ? path.resolve(argv[0]) : null;
const runs = Number(opt('runs', '3'));
const cli = path.resolve(opt('cli', new URL('../bin/sentinel-compose.js', import.meta.url).pathname));
if (!outDir || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: node bench/compose-down.mjs OUT_DIR [--runs N] [--cli BIN]\n');
  process.exit(2);
}

const sc = (...args) => spawnSync(process.execPath, [cli, ...args, '--out', outDir, '--no-color'], { encoding: 'utf8' });

const rows = [];
for (let i = 0; i < runs; i++) {
  const up = sc('up', '--runtime', 'docker');
  if (up.status !== 0) {
    process.stderr.write(`up failed:\n${up.stderr}\n`);
    process.exit(1);
  }
  const start = Date.now();
  const down = sc('down');
  const end = Date.now();
  if (down.status !== 0) {
    process.stderr.write(`down failed:\n${down.stderr}\n`);
    process.exit(1);
  }
  const events = execFileSync(
    'docker',
    [
      'events',
      '--since',
      String(Math.floor(start / 1000) - 1),
      '--until',
      String(Math.ceil(end / 1000) + 1),
      '--format',
      '{{.TimeNano}} {{.Type}} {{.Action}}',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [ns, type, action] = l.split(' ');
      return { at: Number(BigInt(ns) / 1000000n) - start, type, action };
    })
    .filter((e) => e.at >= 0);
  const first = (pred) => Math.min(...events.filter(pred).map((e) => e.at));
  const last = (pred) => Math.max(...events.filter(pred).map((e) => e.at));
  const firstKill = first((e) => e.type === 'container' && e.action === 'kill');
  const lastStop = last((e) => e.type === 'container' && e.action === 'stop');
  const lastDestroy = last((e) => e.type === 'container' && e.action === 'destroy');
  rows.push({
    total: end - start,
    beforeStop: firstKill,
    stopping: lastStop - firstKill,
    removing: lastDestroy - lastStop,
    networkAndExit: end - start - lastDestroy,
  });
}

const fmt = (n) => `${(n / 1000).toFixed(1)} s`.padStart(8);
process.stdout.write(
  `down of ${outDir}, ${runs} run(s), load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
process.stdout.write('     total  before stop   stopping   removing  network+exit\n');
for (const r of rows)
  process.stdout.write(`  ${fmt(r.total)}     ${fmt(r.beforeStop)}   ${fmt(r.stopping)}   ${fmt(r.removing)}     ${fmt(r.networkAndExit)}\n`);
process.stdout.write(`JSON ${JSON.stringify({ cli, outDir, runs: rows })}\n`);

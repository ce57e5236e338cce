/**
 * The floor under the bundled sentinel's CPU and RSS: a Node process that does nothing but run
 * the sentinel's timer (10..19 wake-ups a second, as src/sentinel/core.ts schedules them), with
 * the options the sentinel is launched with. No sentinel can cost less than this in Node; it is
 * what the 1-master row of sentinel-cost.ts is made of, mostly.
 *
 *   npx tsx bench/node-floor.ts [--seconds 30]
 */
import { spawn } from 'node:child_process';
import { SENTINEL_NODE_OPTIONS } from '../src/common/sentinel-node-options.js';
import { arg, machine, printJson, printTable, sampleProc } from './lib.js';

const seconds = Number(arg('seconds', '30'));
const TICKER = 'const t = () => setTimeout(t, Math.floor(1000 / (10 + Math.floor(Math.random() * 10)))); t();';

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...SENTINEL_NODE_OPTIONS, '-e', TICKER], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const a = sampleProc(child.pid!);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b = sampleProc(child.pid!);
    const wallMs = performance.now() - t0;
    const cpuPercent = Math.round(((b.cpuMs - a.cpuMs) / wallMs) * 10000) / 100;
    const mb = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;
    printTable(
      `Node floor: a timer-only process with ${SENTINEL_NODE_OPTIONS.join(' ')}, ${seconds} s`,
      ['CPU % of a core', 'RSS MB', 'anon MB', 'file MB'],
      [[cpuPercent, mb(b.rssBytes), mb(b.rssAnonBytes), mb(b.rssFileBytes)]],
    );
    printJson({
      benchmark: 'node-floor',
      command: `npx tsx bench/node-floor.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      seconds,
      cpuPercent,
      rssMb: mb(b.rssBytes),
      anonRssMb: mb(b.rssAnonBytes),
      fileRssMb: mb(b.rssFileBytes),
    });
  } finally {
    child.kill('SIGKILL');
  }
}

await main();

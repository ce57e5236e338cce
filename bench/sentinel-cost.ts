/**
 * Sentinel cost: three sentinels watching 1, 10 and 100 masters (2 replicas each) in steady
 * state; CPU and RSS per sentinel, bundled TypeScript sentinel against redis-sentinel, on the
 * same data nodes in the same run.
 *
 *   npx tsx bench/sentinel-cost.ts [--masters 1,10,100] [--seconds 60] [--impl redis,bundled]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startRedis, startSentinel, stopAll, repoRoot, type Proc } from '../test/helpers/procs.js';
import { arg, numbers, sampleProc, report, median } from './lib.js';

type Impl = 'redis' | 'bundled';

const masterCounts = numbers('masters', '1,10,100');
const seconds = Number(arg('seconds', '60'));
const impls = arg('impl', 'redis,bundled').split(',') as Impl[];
const bundledAvailable = existsSync(path.join(repoRoot, 'dist', 'sentinel', 'main.js'));

interface Row {
  masters: number;
  impl: Impl;
  cpuPercentPerSentinel: number[];
  rssMbPerSentinel: number[];
}

async function startDataNodes(count: number): Promise<Array<{ name: string; master: Proc }>> {
  const groups: Array<{ name: string; master: Proc }> = [];
  for (let i = 0; i < count; i++) {
    const master = await startRedis(`m${i}`);
    for (let r = 0; r < 2; r++) await startRedis(`m${i}r${r}`, { replicaOf: { host: master.host, port: master.port } });
    groups.push({ name: `m${i}`, master });
  }
  return groups;
}

async function waitSteady(sentinels: Proc[], groups: Array<{ name: string }>): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (const s of sentinels) {
    const c = new Redis({ host: s.host, port: s.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await c.connect();
    try {
      for (;;) {
        const masters = (await c.call('SENTINEL', 'MASTERS')) as string[][];
        const ok =
          masters.length === groups.length &&
          masters.every((m) => {
            const f = Object.fromEntries(m.reduce<Array<[string, string]>>((acc, v, i, a) => (i % 2 ? acc : [...acc, [v, a[i + 1]!]]), []));
            return Number(f['num-slaves']) === 2 && Number(f['num-other-sentinels']) === sentinels.length - 1;
          });
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`sentinel ${s.name} never saw every master with 2 replicas and ${sentinels.length - 1} peers`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      c.disconnect();
    }
  }
}

async function measure(impl: Impl, groups: Array<{ name: string; master: Proc }>): Promise<Row> {
  const conf = groups.flatMap((g) => [
    `sentinel monitor ${g.name} ${g.master.host} ${g.master.port} 2`,
    `sentinel down-after-milliseconds ${g.name} 5000`,
  ]);
  const sentinels: Proc[] = [];
  for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(`${impl}-s${i}`, { implementation: impl, conf }));
  await waitSteady(sentinels, groups);
  const before = sentinels.map((s) => sampleProc(s.child.pid!));
  const rssPeak = before.map((b) => b.rssBytes);
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    sentinels.forEach((s, i) => (rssPeak[i] = Math.max(rssPeak[i]!, sampleProc(s.child.pid!).rssBytes)));
  }
  const elapsed = performance.now() - t0;
  const after = sentinels.map((s) => sampleProc(s.child.pid!));
  await Promise.all(sentinels.map((s) => s.stop()));
  return {
    masters: groups.length,
    impl,
    cpuPercentPerSentinel: after.map((a, i) => ((a.cpuMs - before[i]!.cpuMs) / elapsed) * 100),
    rssMbPerSentinel: rssPeak.map((b) => b / 1024 / 1024),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  try {
    for (const n of masterCounts) {
      const groups = await startDataNodes(n);
      for (const impl of impls) {
        if (impl === 'bundled' && !bundledAvailable) {
          process.stderr.write('bundled sentinel not built (dist/sentinel/main.js missing): run npm run build\n');
          continue;
        }
        process.stderr.write(`measuring ${impl} sentinels x3 watching ${n} masters for ${seconds} s\n`);
        rows.push(await measure(impl, groups));
      }
      await stopAll();
    }
  } finally {
    await stopAll();
  }
  const ratio = (n: number, key: 'cpuPercentPerSentinel' | 'rssMbPerSentinel') => {
    const b = rows.find((r) => r.masters === n && r.impl === 'bundled');
    const r = rows.find((x) => x.masters === n && x.impl === 'redis');
    return b && r ? median(b[key]) / median(r[key]) : NaN;
  };
  report(
    `Sentinel cost, 3 sentinels, ${seconds} s steady state (median over the three sentinels)`,
    ['masters', 'implementation', 'CPU %', 'RSS MB (peak)', 'CPU ratio bundled/redis'],
    rows.map((r) => [r.masters, r.impl, median(r.cpuPercentPerSentinel), median(r.rssMbPerSentinel), r.impl === 'bundled' ? ratio(r.masters, 'cpuPercentPerSentinel') : '']),
    { benchmark: 'sentinel-cost', seconds, rows },
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

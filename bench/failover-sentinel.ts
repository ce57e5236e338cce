/**
 * Failover speed, bundled TypeScript sentinel against redis-sentinel 7.0, in the same run:
 * 1 master + 2 replicas + 3 sentinels (quorum 2, down-after-milliseconds 1000) on loopback, an
 * ioredis client (`sentinels` option, failoverDetector on) writing every 10 ms. The master is
 * paused with SIGSTOP (what `docker pause` does) at t = 0; measured:
 *
 *   switch      t of the first +switch-master from any sentinel
 *   all-switch  t when all three sentinels have published +switch-master
 *   first-write t of the first write acknowledged after t = 0 (necessarily by the new master)
 *   convert     after the old master resumes (2 s after the failover): time to +convert-to-slave
 *
 *   npx tsx bench/failover-sentinel.ts [--runs 5] [--impl redis,bundled] [--down-after 1000]
 *                                      [--disconnect-timeout 2000] [--dump-slow <ms>]
 *
 * The client's own share: on +switch-master ioredis closes its connection to the old master and
 * waits up to `disconnectTimeout` (2000 ms by default) for the paused server to close its side,
 * which it never does; only then does it reconnect. `--disconnect-timeout 100` shows what is left
 * once the client does not wait for that.
 *
 * Prints a table and one `JSON {...}` line. Needs `npm run build` first (dist/sentinel/main.js).
 */
import { Redis } from 'ioredis';
import { startRedis, startSentinel, stopAll, type Proc } from '../test/helpers/procs.js';
import { freePort } from '../test/helpers/ports.js';

type Impl = 'redis' | 'bundled';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const runs = Number(arg('runs', '5'));
const impls = arg('impl', 'redis,bundled').split(',') as Impl[];
const downAfter = Number(arg('down-after', '1000'));
const disconnectTimeout = Number(arg('disconnect-timeout', '2000'));
/** Print the sentinels' logs of any run whose switch took longer than this (ms). */
const dumpSlow = Number(arg('dump-slow', 'Infinity'));
const REDIS_CONF = ['repl-diskless-sync-delay 0'];

interface Run {
  impl: Impl;
  switchMs: number;
  allSwitchMs: number;
  firstWriteMs: number;
  convertMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function once(impl: Impl): Promise<Run> {
  const master = await startRedis('bench-master', { conf: REDIS_CONF });
  const replicas: Proc[] = [];
  for (let i = 0; i < 2; i++) replicas.push(await startRedis(`bench-replica${i}`, { replicaOf: { host: master.host, port: master.port }, conf: REDIS_CONF }));
  const conf = [
    `sentinel monitor mymaster 127.0.0.1 ${master.port} 2`,
    `sentinel down-after-milliseconds mymaster ${downAfter}`,
    'sentinel failover-timeout mymaster 60000',
  ];
  const sentinels: Proc[] = [];
  for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(`bench-s${i}`, { implementation: impl, conf, port: await freePort() }));

  const admin = sentinels.map((s) => new Redis({ port: s.port, lazyConnect: true }));
  await Promise.all(admin.map((a) => a.connect()));
  await until('discovery', async () => {
    for (const a of admin) {
      const reps = (await a.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      const sens = (await a.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][];
      const ok = reps.filter((r) => r[r.indexOf('master-link-status') + 1] === 'ok' && r[r.indexOf('runid') + 1] !== '');
      if (ok.length !== 2 || sens.length !== 2) return undefined;
    }
    return true;
  });

  // Events from every sentinel.
  const events: Array<{ at: number; channel: string; sentinel: number }> = [];
  const subs = sentinels.map((s) => new Redis({ port: s.port }));
  await Promise.all(
    subs.map(async (sub, i) => {
      sub.on('pmessage', (_p: string, channel: string) => events.push({ at: Date.now(), channel, sentinel: i }));
      await sub.psubscribe('*');
    }),
  );

  // The application.
  const client = new Redis({
    sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    name: 'mymaster',
    failoverDetector: true,
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    disconnectTimeout,
  });
  client.on('error', () => {});
  const acks: number[] = [];
  let writing = true;
  const writer = (async () => {
    let seq = 0;
    while (writing) {
      try {
        await client.set('bench:last', String(seq++));
        acks.push(Date.now());
      } catch {
        /* retried by the loop */
      }
      await sleep(10);
    }
  })();
  await sleep(500);

  const t0 = Date.now();
  master.pause();
  const dump = (why: string) => {
    process.stderr.write(`--- ${why}, SIGSTOP at ${new Date(t0).toISOString()}\n`);
    for (const [i, s] of sentinels.entries()) process.stderr.write(`--- sentinel ${i}\n${s.log()}\n`);
  };
  const firstSwitch = await until('+switch-master', () => events.find((e) => e.channel === '+switch-master' && e.at >= t0)).catch((err) => {
    dump('no +switch-master');
    throw err;
  });
  await until('all switched', () => (new Set(events.filter((e) => e.channel === '+switch-master').map((e) => e.sentinel)).size === 3 ? true : undefined));
  const allSwitch = Math.max(...events.filter((e) => e.channel === '+switch-master').map((e) => e.at));
  // An ack that arrives a few ms after SIGSTOP was sent before it; later ones come from the new master.
  const firstWrite = await until('first write on the new master', () => acks.find((a) => a > t0 + 5));

  await sleep(2000);
  const resumed = Date.now();
  master.resume();
  const converted = await until('+convert-to-slave', () => events.find((e) => e.channel === '+convert-to-slave' && e.at >= resumed), 60_000);

  if (firstSwitch.at - t0 > dumpSlow) dump(`slow run (${firstSwitch.at - t0} ms)`);
  writing = false;
  await writer;
  client.disconnect();
  for (const c of [...admin, ...subs]) c.disconnect();
  await stopAll();
  return {
    impl,
    switchMs: firstSwitch.at - t0,
    allSwitchMs: allSwitch - t0,
    firstWriteMs: firstWrite - t0,
    convertMs: converted.at - resumed,
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: Array<string | number>) =>
    r
      .map((c, i) => String(c).padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), w.map((x) => '-'.repeat(x)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const results: Run[] = [];
  // Interleave implementations so that machine load affects both alike.
  for (let r = 0; r < runs; r++) {
    for (const impl of impls) {
      const res = await once(impl);
      results.push(res);
      process.stderr.write(`run ${r + 1}/${runs} ${impl}: switch ${res.switchMs} ms, first write ${res.firstWriteMs} ms, convert ${res.convertMs} ms\n`);
    }
  }
  const summary = impls.map((impl) => {
    const rs = results.filter((r) => r.impl === impl);
    return {
      impl,
      runs: rs.length,
      switchMedianMs: median(rs.map((r) => r.switchMs)),
      switchMinMs: Math.min(...rs.map((r) => r.switchMs)),
      switchMaxMs: Math.max(...rs.map((r) => r.switchMs)),
      allSwitchMedianMs: median(rs.map((r) => r.allSwitchMs)),
      firstWriteMedianMs: median(rs.map((r) => r.firstWriteMs)),
      firstWriteMaxMs: Math.max(...rs.map((r) => r.firstWriteMs)),
      convertMedianMs: median(rs.map((r) => r.convertMs)),
    };
  });
  process.stdout.write(
    `\nFailover after SIGSTOP of the master (down-after-milliseconds ${downAfter}, ioredis disconnectTimeout ${disconnectTimeout}, ${runs} runs each)\n\n` +
      table(
        ['impl', 'runs', 'switch median', 'switch min..max', 'all switched', 'first write median', 'first write max', 'convert old master'],
        summary.map((s) => [
          s.impl,
          s.runs,
          `${s.switchMedianMs} ms`,
          `${s.switchMinMs}..${s.switchMaxMs} ms`,
          `${s.allSwitchMedianMs} ms`,
          `${s.firstWriteMedianMs} ms`,
          `${s.firstWriteMaxMs} ms`,
          `${s.convertMedianMs} ms`,
        ]),
      ) +
      '\n\n',
  );
  process.stdout.write(`JSON ${JSON.stringify({ downAfter, disconnectTimeout, runs, summary, results })}\n`);
}

main().then(
  () => process.exit(0),
  async (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);

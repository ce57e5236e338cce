/**
 * Request throughput of the TypeScript sentinel's RESP server against redis-sentinel 7.0, with
 * redis-benchmark's PING (inline and multibulk), pipelined and not. Prints JSON, then a table.
 *
 *   npx esbuild bench/sentinel-resp.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=/tmp/sentinel-resp.mjs && node /tmp/sentinel-resp.mjs
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Server } from '../src/sentinel/server/index.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

function bench(port: number, pipeline: number): Record<string, number> {
  const out = execFileSync(
    'redis-benchmark',
    ['-h', '127.0.0.1', '-p', String(port), '-t', 'ping', '-n', '100000', '-c', '20', '-P', String(pipeline), '--csv'],
    {
      encoding: 'utf8',
    },
  );
  const result: Record<string, number> = {};
  for (const line of out.trim().split('\n').slice(1)) {
    const cols = line.split(',').map((c) => c.replace(/"/g, ''));
    result[cols[0]!] = Number(cols[1]);
  }
  return result;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-resp-'));
  const realPort = await freePort();
  const dead = await freePort();
  const conf = path.join(dir, 'sentinel.conf');
  writeFileSync(conf, `port ${realPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor m 127.0.0.1 ${dead} 1\n`);
  const real = spawn('redis-sentinel', [conf], { stdio: 'ignore' });
  // redis-benchmark runs synchronously (execFileSync) and would block this process's event loop,
  // so our server runs in another process: this script re-executed with --serve.
  const ourPort = await freePort();
  const child = spawn(process.execPath, [process.argv[1]!, '--serve', String(ourPort)], { stdio: 'ignore' });
  try {
    await waitPort(realPort);
    await waitPort(ourPort);
    const rows: Array<{ server: string; pipeline: number; test: string; rps: number }> = [];
    for (const pipeline of [1, 16]) {
      for (const [name, port] of [
        ['redis-sentinel 7.0.15', realPort],
        ['typescript sentinel server', ourPort],
      ] as const) {
        for (const [test, rps] of Object.entries(bench(port, pipeline))) rows.push({ server: name, pipeline, test, rps });
      }
    }
    console.log(JSON.stringify({ benchmark: 'sentinel-resp', requests: 100000, clients: 20, rows }, null, 2));
    console.log('\nserver                      pipeline  test            requests/s');
    for (const r of rows) console.log(`${r.server.padEnd(28)}${String(r.pipeline).padEnd(10)}${r.test.padEnd(16)}${r.rps.toFixed(0).padStart(10)}`);
  } finally {
    child.kill('SIGKILL');
    real.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  const s = new Server({ bind: ['127.0.0.1'], port: Number(process.argv[3]), version: '7.0.15' });
  await s.listen();
} else {
  await main();
}

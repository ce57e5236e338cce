/**
 * The `implementation: bundled` path under the real Docker Compose: compose builds the sentinel
 * image from sentinel-image/ (offline, FROM the local node image), start.sh fills the password
 * into the copy of sentinel.conf and execs `node /app/sentinel.mjs /data/sentinel.conf`, and the
 * image's healthcheck.mjs reports healthy. The Sentinel itself is tested by its own suites; here
 * a stand-in program that answers AUTH and PING on the configured port takes its place, so the
 * packaging is checked independently of the Sentinel's progress.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { waitUntil } from '../../src/common/retry.js';
import { dockerUsable, skipNote } from '../helpers/docker.js';
import { freeServicePortBlock } from '../helpers/ports.js';

const run = promisify(execFile);
const dockerOk = dockerUsable();

const dir = mkdtempSync(path.join(tmpdir(), 'sc-e2e-img-'));
const out = path.join(dir, 'out');
const compose = async (...args: string[]) => {
  try {
    return await run('docker-compose', args, { cwd: out, timeout: 300_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const logs = await run('docker-compose', ['logs', '--tail', '30'], { cwd: out }).then(
      (r) => r.stdout,
      () => '',
    );
    throw new Error(`docker-compose ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}\n${logs}`, { cause: err });
  }
};

// Reads `port`, `bind` and `requirepass` from the config file it is given, like the Sentinel.
const STAND_IN = `
import net from 'node:net';
import { readFileSync } from 'node:fs';
const conf = readFileSync(process.argv[2], 'utf8');
const get = (k) => (conf.match(new RegExp('^' + k + ' (.*)$', 'm')) || [])[1];
const pass = (get('requirepass') || '').replace(/^"|"$/g, '');
const server = net.createServer((s) => {
  let authed = !pass;
  let buf = '';
  s.on('data', (d) => {
    buf += d.toString();
    const parts = buf.split('\\r\\n');
    // RESP arrays of bulk strings: *N, $len, value ...
    while (parts.length >= 1 && parts[0].startsWith('*')) {
      const n = Number(parts[0].slice(1));
      if (parts.length < 1 + 2 * n + 1) break;
      const args = [];
      for (let i = 0; i < n; i++) args.push(parts[2 + 2 * i]);
      parts.splice(0, 1 + 2 * n);
      buf = parts.join('\\r\\n');
      const cmd = args[0].toUpperCase();
      if (cmd === 'AUTH') { authed = args[args.length - 1] === pass; s.write(authed ? '+OK\\r\\n' : '-WRONGPASS invalid password\\r\\n'); }
      else if (!authed) s.write('-NOAUTH Authentication required.\\r\\n');
      else if (cmd === 'PING') s.write('+PONG\\r\\n');
      else s.write('-ERR stand-in\\r\\n');
    }
  });
  s.on('error', () => {});
});
server.listen(Number(get('port')), get('bind').split(' ')[0]);
process.on('SIGTERM', () => process.exit(0));
`;

afterAll(async () => {
  if (dockerOk) await compose('down', '-v', '-t', '2').catch(() => undefined);
});

describe.skipIf(!dockerOk)(`docker compose, bundled sentinel image${skipNote}`, () => {
  it('builds the image offline, starts it on the rendered config with the password filled in, and turns healthy', async () => {
    const redisBase = await freeServicePortBlock(3);
    const sentinelBase = await freeServicePortBlock(3);
    writeFileSync(path.join(dir, 'stand-in-sentinel.mjs'), STAND_IN);
    writeFileSync(
      path.join(dir, 'sentinel-compose.yaml'),
      [
        `project: sc-e2e-img-${process.pid}`,
        `ports: {redis: ${redisBase}, sentinel: ${sentinelBase}}`,
        `images: {sentinel: "sc-e2e-sentinel:${process.pid}"}`,
        'auth: {sentinel-password: "${E2E_SPW}"}',
        'sentinels: {implementation: bundled}',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, '.env'), 'E2E_SPW=img-spw\n');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['render', '--sentinel-bundle', 'stand-in-sentinel.mjs', '--no-color'], { cwd: dir })).toBe(0);
    vi.restoreAllMocks();

    try {
      await compose('up', '-d');
      await waitUntil(
        'every service healthy',
        async () => {
          const text = (await compose('ps')).stdout;
          return (text.match(/\(healthy\)/g) ?? []).length === 6 ? [] : [text];
        },
        { timeoutMs: 150_000, intervalMs: 1000 },
      );
      const ok = new Redis({ host: '127.0.0.1', port: sentinelBase + 2, password: 'img-spw', lazyConnect: true, enableReadyCheck: false });
      await ok.connect();
      expect(await ok.ping()).toBe('PONG');
      ok.disconnect();
      const bad = new Redis({
        host: '127.0.0.1',
        port: sentinelBase,
        password: 'wrong',
        lazyConnect: true,
        enableReadyCheck: false,
        retryStrategy: () => null,
      });
      bad.on('error', () => undefined);
      await bad.connect().catch(() => undefined);
      await expect(bad.ping()).rejects.toThrow(/NOAUTH|WRONGPASS|closed/);
      bad.disconnect();
    } finally {
      await run('docker', ['rmi', '-f', `sc-e2e-sentinel:${process.pid}`]).catch(() => undefined);
    }
  }, 400_000);
});

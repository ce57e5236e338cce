/**
 * A rendered host-mode topology under the real Docker Compose: every service turns healthy,
 * replication and the sentinels' view are right, pausing the master (what the seed did by hand)
 * fails it over, and restarting a node keeps the new layout (config copies in /data). Runs when
 * a Docker engine and docker-compose answer and the containers are reachable from here (see
 * test/helpers/docker.ts). Bridge mode: bridge-drill.test.ts and bridge-clients.test.ts.
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

const dir = mkdtempSync(path.join(tmpdir(), 'sc-e2e-'));
const out = path.join(dir, 'out');
const compose = async (...args: string[]) => {
  try {
    return await run('docker-compose', args, { cwd: out, timeout: 240_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    const logs = await run('docker-compose', ['logs', '--tail', '30'], { cwd: out }).then(
      (r) => r.stdout,
      () => '',
    );
    throw new Error(`docker-compose ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}\n${logs}`, { cause: err });
  }
};

afterAll(async () => {
  if (dockerOk) await compose('down', '-v', '-t', '2').catch(() => undefined);
});

describe.skipIf(!dockerOk)(`docker compose, host networking${skipNote}`, () => {
  it('comes up healthy, replicates, fails over when the master is paused, and keeps the new layout on restart', async () => {
    const redisBase = await freeServicePortBlock(3);
    const sentinelBase = await freeServicePortBlock(3);
    writeFileSync(
      path.join(dir, 'sentinel-compose.yaml'),
      [
        `project: sc-e2e-${process.pid}`,
        `ports: {redis: ${redisBase}, sentinel: ${sentinelBase}}`,
        'auth: {password: "${E2E_PW}", sentinel-password: "${E2E_SPW}"}',
        'sentinels: {implementation: redis, down-after-milliseconds: 1000, failover-timeout: 10000}',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, '.env'), 'E2E_PW=e2e-pw\nE2E_SPW=e2e-spw\n');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['render', '--no-color'], { cwd: dir })).toBe(0);
    vi.restoreAllMocks();

    await compose('up', '-d');
    const ps = async () => (await compose('ps')).stdout;
    await waitUntil(
      'every service healthy',
      async () => {
        const text = await ps();
        return (text.match(/\(healthy\)/g) ?? []).length === 6 ? [] : [text];
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );

    const sentinel = new Redis({ host: '127.0.0.1', port: sentinelBase, password: 'e2e-spw', lazyConnect: true });
    await sentinel.connect();
    const master = async () => ((await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[]).join(':');
    try {
      expect(await master()).toBe(`127.0.0.1:${redisBase}`);
      await waitUntil(
        'sentinels see 2 replicas and 2 other sentinels',
        async () => {
          const info = await sentinel.info('sentinel');
          return /slaves=2,sentinels=3/.test(info) ? [] : [info];
        },
        { timeoutMs: 30_000 },
      );

      await compose('pause', 'redis-master');
      await waitUntil('failover', async () => ((await master()) === `127.0.0.1:${redisBase}` ? ['still the old master'] : []), {
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      const promoted = await master();
      expect([`127.0.0.1:${redisBase + 1}`, `127.0.0.1:${redisBase + 2}`]).toContain(promoted);
      await compose('unpause', 'redis-master');

      // A restart runs on the rewritten copy in /data: the promoted replica stays master.
      const promotedService = promoted.endsWith(`:${redisBase + 1}`) ? 'redis-replica-1' : 'redis-replica-2';
      await compose('restart', '-t', '2', promotedService);
      const node = new Redis({ host: '127.0.0.1', port: Number(promoted.split(':')[1]), password: 'e2e-pw', lazyConnect: true, retryStrategy: () => 200 });
      await waitUntil(
        'the promoted node answers again',
        async () => {
          try {
            if (node.status !== 'ready') await node.connect();
            const role = await node.role();
            return role[0] === 'master' ? [] : [`role ${String(role[0])}`];
          } catch (err) {
            return [String(err)];
          }
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      node.disconnect();
    } finally {
      sentinel.disconnect();
    }
  }, 300_000);
});

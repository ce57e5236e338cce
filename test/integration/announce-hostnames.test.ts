/**
 * Bridge mode relies on nodes announcing a hostname (host.docker.internal by default) with
 * `replica-announce-ip` and on sentinels running with resolve-hostnames/announce-hostnames. This
 * checks that mechanism with the real redis-server and redis-sentinel 7.0, using `localhost`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/retry.js';
import { freePort } from '../helpers/ports.js';
import { startProgram, startRedis, stopAll, tempDir } from '../helpers/procs.js';

afterEach(stopAll);

describe('hostname announcements (what bridge mode renders)', () => {
  it('sentinels hand out the announced hostname for the master and the replicas', async () => {
    const master = await startRedis('m', { conf: ['replica-announce-ip localhost'] });
    await startRedis('r', {
      replicaOf: { host: 'localhost', port: master.port },
      conf: ['replica-announce-ip localhost'],
    });
    const port = await freePort();
    const dir = tempDir('sc-sent-');
    const file = path.join(dir, 'sentinel.conf');
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        'sentinel resolve-hostnames yes',
        'sentinel announce-hostnames yes',
        'sentinel announce-ip localhost',
        `sentinel monitor mymaster localhost ${master.port} 1`,
        'sentinel down-after-milliseconds mymaster 1000',
      ].join('\n') + '\n',
    );
    await startProgram('s', 'redis-sentinel', [file], { host: '127.0.0.1', port, dir });
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    await c.connect();
    try {
      await waitUntil(
        'the sentinel discovers the replica',
        async () => (((await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).length === 1 ? [] : ['replica']),
        { timeoutMs: 15_000 },
      );
      expect(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['localhost', String(master.port)]);
      const [replica] = (await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      expect(replica![replica!.indexOf('ip') + 1]).toBe('localhost');
    } finally {
      c.disconnect();
    }
  });
});

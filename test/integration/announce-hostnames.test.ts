/**
 * Nodes known by a hostname. Bridge mode relies on nodes announcing one (host.docker.internal by
 * default) with `replica-announce-ip` and on sentinels running with resolve-hostnames and
 * announce-hostnames; host mode lets the spec announce `localhost`. Both are checked here with
 * real redis-server and both sentinels, using `localhost`, which resolves to ::1 first where
 * /etc/hosts names both loopbacks (Debian's default; run the tests in the offline-docker
 * namespace to get one): whatever is known as localhost must answer on both.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/retry.js';
import { renderNodeConfig } from '../../src/render/index.js';
import { parseSpec } from '../../src/topology/load.js';
import { bundledSentinelBuilt } from '../helpers/drill.js';
import { freePort, freeServicePortBlock } from '../helpers/ports.js';
import { startProgram, startRedis, startSentinel, stopAll, tempDir } from '../helpers/procs.js';

afterEach(stopAll);

const implementations = bundledSentinelBuilt ? (['redis', 'bundled'] as const) : (['redis'] as const);

async function replicasSeen(c: Redis): Promise<string[][]> {
  return (await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
}

describe.each(implementations)('hostname announcements, %s sentinel', (implementation) => {
  it('sentinels hand out the announced hostname for the master and the replicas (what bridge mode renders)', async () => {
    // As redis.conf's own default: `localhost` may be either loopback.
    const bind = 'bind 127.0.0.1 -::1';
    const master = await startRedis('m', { conf: [bind, 'replica-announce-ip localhost'] });
    await startRedis('r', { replicaOf: { host: 'localhost', port: master.port }, conf: [bind, 'replica-announce-ip localhost'] });
    const s = await startSentinel('s', {
      implementation,
      conf: [
        bind,
        'sentinel resolve-hostnames yes',
        'sentinel announce-hostnames yes',
        'sentinel announce-ip localhost',
        `sentinel monitor mymaster localhost ${master.port} 1`,
        'sentinel down-after-milliseconds mymaster 1000',
      ],
    });
    const c = new Redis({ host: '127.0.0.1', port: s.port, lazyConnect: true });
    await c.connect();
    try {
      await waitUntil('the sentinel discovers the replica', async () => ((await replicasSeen(c)).length === 1 ? [] : ['replica']), { timeoutMs: 15_000 });
      expect(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['localhost', String(master.port)]);
      const [replica] = await replicasSeen(c);
      expect(replica![replica!.indexOf('ip') + 1]).toBe('localhost');
    } finally {
      c.disconnect();
    }
  });

  it('a host-mode topology that announces localhost replicates and is monitored, as rendered for the containers', async () => {
    const redisBase = await freeServicePortBlock(2);
    const sentinelPort = await freePort();
    const { topology } = parseSpec(
      [
        'announce: localhost',
        'masters: [{name: mymaster, replicas: 1, quorum: 1}]',
        `sentinels: {count: 1, implementation: ${implementation}}`,
        'redis: {persistence: none}',
        `ports: {redis: ${redisBase}, sentinel: ${sentinelPort}}`,
      ].join('\n'),
      { env: {} },
    );
    // The containers' config (network_mode: host runs it on this machine's network as it is),
    // with the data directory moved out of /data.
    const start = async (service: string, program: string[]) => {
      const dir = tempDir(`sc-test-${service}-`);
      const conf = renderNodeConfig(topology, service, 'compose');
      const file = path.join(dir, conf.fileName);
      writeFileSync(file, conf.content.replace(/^dir \/data$/m, `dir ${dir}`));
      const port = service.includes('sentinel') ? sentinelPort : service === 'redis-master' ? redisBase : redisBase + 1;
      await startProgram(service, program[0]!, [...program.slice(1), file], { host: '127.0.0.1', port, dir });
    };
    await start('redis-master', ['redis-server']);
    await start('redis-replica-1', ['redis-server']);
    await start('redis-sentinel-1', implementation === 'redis' ? ['redis-sentinel'] : [process.execPath, path.resolve('dist/sentinel/main.js')]);

    const c = new Redis({ host: '127.0.0.1', port: sentinelPort, lazyConnect: true });
    await c.connect();
    try {
      await waitUntil(
        'the sentinel discovers the replica, and its link is up',
        async () => {
          const replicas = await replicasSeen(c);
          const flags = replicas[0]?.[replicas[0].indexOf('flags') + 1];
          const link = replicas[0]?.[replicas[0].indexOf('master-link-status') + 1];
          return replicas.length === 1 && flags === 'slave' && link === 'ok' ? [] : [JSON.stringify(replicas)];
        },
        { timeoutMs: 20_000 },
      );
      expect(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')).toEqual(['localhost', String(redisBase)]);
      const master = (await c.call('SENTINEL', 'MASTER', 'mymaster')) as string[];
      expect(master[master.indexOf('flags') + 1]).toBe('master');
    } finally {
      c.disconnect();
    }
  });
});

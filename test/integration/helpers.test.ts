import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, stopAll } from '../helpers/procs.js';

afterAll(stopAll);

describe('test helpers', () => {
  it('start a real redis-server with a replica on free loopback ports', async () => {
    const master = await startRedis('m');
    const replica = await startRedis('r', { replicaOf: { host: master.host, port: master.port } });
    const c = new Redis({ host: replica.host, port: replica.port, lazyConnect: true });
    await c.connect();
    expect(await c.role()).toContain('slave');
    c.disconnect();
  });
});

/**
 * Services a runtime reports healthy that this machine cannot connect to (a Docker engine whose
 * network is another namespace's): a clear error naming them, their addresses and what to do,
 * instead of a wait for health that can only time out. Real sockets on loopback: a port nobody
 * listens on, and one that a server holds.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../../../src/common/errors.js';
import { assertReachable, type ReachTarget } from '../../../src/runtime/reach.js';
import type { ServiceState } from '../../../src/runtime/types.js';
import { freePort } from '../../helpers/ports.js';
import { testTopology } from '../../helpers/topology.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listening(): Promise<number> {
  const port = await freePort();
  const server = net.createServer((s) => s.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

async function target(states: ServiceState[], ports: Record<string, number>): Promise<ReachTarget> {
  const { topology } = await testTopology({ project: 'reach', network: 'bridge', implementation: 'redis' });
  return { topology, ps: async () => states, endpoint: (service) => ({ host: '127.0.0.1', port: ports[service]! }) };
}

describe('assertReachable', () => {
  it('names the healthy services whose ports do not answer here, and the namespace the engine runs in', async () => {
    const closed = await freePort();
    const open = await listening();
    const t = await target(
      [
        { service: 'redis-master', state: 'running', health: 'healthy' },
        { service: 'redis-replica-1', state: 'running', health: 'healthy' },
        // Not healthy yet: its port may well not answer, that says nothing about the network.
        { service: 'redis-replica-2', state: 'running', health: 'starting' },
      ],
      { 'redis-master': closed, 'redis-replica-1': open, 'redis-replica-2': await freePort() },
    );
    const err = await assertReachable(t, () => ({ pid: 4242, same: false, name: 'offline-docker' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    const text = (err as Error).message;
    expect(text).toContain(`Docker reports redis-master running and healthy, but 127.0.0.1:${closed} does not accept connections from this machine`);
    expect(text).not.toContain('redis-replica');
    expect(text).toContain('runs in the network namespace "offline-docker"');
    expect(text).toContain('`ip netns exec offline-docker sentinel-compose ...`');
    expect(text).toContain('--runtime local');
  });

  it('says what it can when the engine is not a local dockerd', async () => {
    const t = await target([{ service: 'redis-master', state: 'running', health: 'healthy' }], { 'redis-master': await freePort() });
    await expect(assertReachable(t, () => null)).rejects.toThrow(/another network namespace, a VM without port forwarding, or a remote DOCKER_HOST/);
  });

  it('passes when every healthy service answers, and when nothing reports health (local processes)', async () => {
    const open = await listening();
    await expect(
      assertReachable(await target([{ service: 'redis-master', state: 'running', health: 'healthy' }], { 'redis-master': open })),
    ).resolves.toBeUndefined();
    await expect(assertReachable(await target([{ service: 'redis-master', state: 'running' }], { 'redis-master': await freePort() }))).resolves.toBeUndefined();
  });
});

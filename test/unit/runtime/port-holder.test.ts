import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree, describeHolder, findPortHolder, listeningInodes, PortInUseError } from '../../../src/runtime/ports.js';

const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:18EB 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
   2: 00000000:18EC 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0
`;

describe('who holds a port', () => {
  it('reads the listening sockets of a port from /proc/net/tcp, not connections from it', () => {
    expect(listeningInodes(table, 6379)).toEqual(['4242']);
    expect(listeningInodes(table, 6380)).toEqual(['4444']);
    expect(listeningInodes(table, 6381)).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('finds the process listening on a real port', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const h = findPortHolder(port);
      expect(h?.pid).toBe(process.pid);
      expect(describeHolder(h!)).toMatch(new RegExp(`\\(pid ${process.pid}\\)`));
      const err = await assertPortFree('redis-master', '127.0.0.1', port).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect((err as Error).message).toContain(`127.0.0.1:${port} is already in use by`);
      expect((err as Error).message).toContain(`pid ${process.pid}`);
      expect((err as Error).message).toMatch(/ports: auto/);
    } finally {
      srv.close();
    }
  });

  it('names a docker-proxy as a published container port', () => {
    expect(describeHolder({ pid: 12, name: 'docker-proxy' })).toMatch(/Docker container publishes/);
    expect(describeHolder({ pid: 13, name: 'redis-server', container: 'abcdef012345' })).toBe('redis-server (pid 13) in container abcdef012345');
  });
});

describe("Docker's port-taken errors", () => {
  it('finds the address in both wordings, and nothing in other failures', async () => {
    const { dockerPortConflict } = await import('../../../src/runtime/compose/runtime.js');
    expect(
      dockerPortConflict(
        'ERROR: for redis-master  Cannot start service redis-master: driver failed programming external connectivity on endpoint x (abc): Bind for 0.0.0.0:16379 failed: port is already allocated',
      ),
    ).toEqual({ host: '0.0.0.0', port: 16379 });
    expect(dockerPortConflict('Error starting userland proxy: listen tcp4 127.0.0.1:26380: bind: address already in use')).toEqual({
      host: '127.0.0.1',
      port: 26380,
    });
    expect(dockerPortConflict('Error response from daemon: Container abc is unhealthy')).toBeNull();
  });
});

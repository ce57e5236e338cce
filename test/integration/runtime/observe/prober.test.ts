/**
 * The prober (every command's: up, status, drill) behind a port that accepts a connection and then stays silent: what
 * Docker's docker-proxy does with a connection made while a container restarts (it accepts, and
 * its own connection to the container waits on SYN retransmits). The prober must not wait on
 * that connection for ever: it connects again and gets its answer from the restarted node.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../../src/common/retry.js';
import { NoReply, Prober } from '../../../../src/runtime/observe/prober.js';
import { freePort } from '../../../helpers/ports.js';
import { startRedis, stopAll } from '../../../helpers/procs.js';

const closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await stopAll();
});

/** A port whose first connection is accepted and never answered; later ones reach `target`. */
async function silentThenForward(target: number): Promise<{ port: number; connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    if (count++ === 0) return;
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port, connections: () => count };
}

describe('prober', () => {
  it('drops a connection that never answers and asks again on a new one', async () => {
    const redis = await startRedis('probe');
    const proxy = await silentThenForward(redis.port);
    const prober = new Prober('redis-master', { host: '127.0.0.1', port: proxy.port }, 200);
    closers.push(() => prober.close());

    await expect(prober.ask((c) => c.ping())).rejects.toThrow(NoReply);
    // A node that has not answered is not asked again at once (a paused node would pile them up).
    await expect(prober.ask((c) => c.ping())).rejects.toThrow(/has not answered the previous question/);
    await waitUntil(
      'the prober gets an answer through a new connection',
      async () => {
        try {
          return (await prober.ask((c) => c.ping())) === 'PONG' ? [] : ['no PONG'];
        } catch (err) {
          return [String(err)];
        }
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(proxy.connections()).toBe(2);
  });
});

/**
 * Resource bounds of the bundled sentinel process under hostile clients: many connections that
 * declare huge bulks or multibulk counts and never send them, or stop mid-frame, must not grow
 * its memory beyond a bound; thousands of connections opened and dropped in every way (clean
 * close, reset, half-close, mid-frame, after a protocol error, subscribed, with unread replies)
 * must leave no client entry (CLIENT LIST, INFO clients) and no file descriptor behind.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { startSentinel, stopAll, type Proc } from '../../helpers/procs.js';
import { RespConn, plain } from '../../helpers/resp-conn.js';
import { eventually, fdCount, rssOf, sleep } from './wire.js';

const CONNECTIONS = Number(process.env.HARDENING_CONNECTIONS ?? 3000);

let s: Proc;
let pid: number;

beforeAll(async () => {
  const dead = await freePort();
  s = await startSentinel('res', { implementation: 'bundled', conf: [`sentinel monitor m 127.0.0.1 ${dead} 2`] });
  pid = s.child.pid!;
});

afterAll(async () => {
  await stopAll();
});

/** connected_clients from INFO clients and the CLIENT LIST line count, seen from one connection. */
async function clientCounts(): Promise<{ info: number; list: number }> {
  const c = await RespConn.connect(s.port);
  try {
    const info = plain(await c.call('INFO', 'clients')) as string;
    const list = plain(await c.call('CLIENT', 'LIST')) as string;
    return { info: Number(/connected_clients:(\d+)/.exec(info)![1]), list: list.trim().split('\n').length };
  } finally {
    c.close();
  }
}

function open(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
    sock.on('error', () => {});
    // Flowing, so that 'end' is seen when the server closes its side.
    sock.resume();
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

const HALF_FRAMES = [
  '*1\r\n$536870912\r\n',
  '*3\r\n$8\r\nSENTINEL\r\n$536870000\r\nabc',
  '*2147483647\r\n',
  '*2147483647\r\n$4\r\nPING\r\n$4\r\nPI',
  '*2\r\n$4\r\nPING\r\n$',
  'PING "never ends',
  'SENTINEL MASTERS',
  '*1\r',
];

describe('resources under hostile clients', () => {
  it('declared-but-never-sent sizes and half frames from many connections keep memory bounded', async () => {
    await sleep(500);
    const rss0 = rssOf(pid);
    const socks: net.Socket[] = [];
    for (let i = 0; i < 1000; i++) {
      const sock = await open();
      sock.write(HALF_FRAMES[i % HALF_FRAMES.length]!);
      socks.push(sock);
    }
    // Some of each kind also trickle a little more of their never-ending frame.
    for (let round = 0; round < 5; round++) {
      for (const sock of socks) sock.write('x'.repeat(200));
      await sleep(50);
    }
    expect(await eventually(async () => (await clientCounts()).info >= 1001)).toBe(true);
    const rss1 = rssOf(pid);
    console.log(`rss before ${(rss0 / 1e6).toFixed(1)} MB, with 1000 half-frame clients ${(rss1 / 1e6).toFixed(1)} MB`);
    expect(s.child.exitCode).toBeNull();
    expect(rss1 - rss0).toBeLessThan(64 * 1024 * 1024);
    for (const sock of socks) sock.destroy();
    expect(await eventually(async () => (await clientCounts()).info === 1)).toBe(true);
  });

  it(`${CONNECTIONS} connections opened and dropped in every way leave no client entry and no fd`, async () => {
    const base = await clientCounts();
    // clientCounts' own connection may still hold its fd until the server sees the close.
    await sleep(200);
    const fd0 = fdCount(pid);
    const rss0 = rssOf(pid);
    // Each way a peer can go away: before sending, mid-frame, after a protocol error, while
    // subscribed, with replies it never read, with a reset instead of a FIN, half-closed.
    const ways: Array<(sock: net.Socket) => Promise<void> | void> = [
      (sock) => void sock.destroy(),
      (sock) => {
        sock.write(HALF_FRAMES[Math.floor(Math.random() * HALF_FRAMES.length)]!);
        sock.destroy();
      },
      (sock) => {
        sock.write('*1\r\n$4\r\nPI');
        sock.resetAndDestroy();
      },
      (sock) => {
        // Half-close mid-frame: we send FIN but keep our side open; the server must let go.
        sock.end('*2\r\n$4\r\nPING\r\n$3\r\nab');
      },
      async (sock) => {
        sock.write('*1\r\n$-5\r\n');
        // The server answers and closes its side; we opened half-open, so we close ours.
        await new Promise((r) => sock.once('end', r));
        sock.destroy();
      },
      async (sock) => {
        sock.write('SUBSCRIBE +switch-master +sdown\r\nPSUBSCRIBE *\r\n');
        await new Promise((r) => sock.once('data', r));
        sock.destroy();
      },
      (sock) => {
        sock.pause();
        sock.write('SENTINEL MASTERS\r\nINFO\r\nCLIENT LIST\r\n'.repeat(20));
        sock.destroy();
      },
      async (sock) => {
        sock.write('PING\r\n');
        await new Promise((r) => sock.once('data', r));
        sock.resetAndDestroy();
      },
    ];
    let done = 0;
    const batch = 100;
    const halfClosed: net.Socket[] = [];
    for (let i = 0; i < CONNECTIONS; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, CONNECTIONS - i) }, async (_, j) => {
          const sock = await open();
          const way = (i + j) % ways.length;
          await ways[way]!(sock);
          if (way === 3) halfClosed.push(sock);
          done++;
        }),
      );
    }
    expect(done).toBe(CONNECTIONS);
    // Half-closed sockets: the server ends its side when it sees our FIN.
    expect(await eventually(() => halfClosed.every((sk) => sk.readableEnded || sk.destroyed), 10_000)).toBe(true);
    for (const sk of halfClosed) sk.destroy();
    // The verdict is the last look inside the poll: a fresh look afterwards would count the fd of
    // its own just-closed connection, which the server may not have let go of yet (CI saw 20 > 19).
    let after = base;
    let fds = Infinity;
    await eventually(async () => {
      after = await clientCounts();
      await sleep(50);
      fds = fdCount(pid);
      return after.info === base.info && after.list === base.list && fds <= fd0;
    }, 15_000);
    console.log(
      `after ${CONNECTIONS} connections: clients ${JSON.stringify(after)} (was ${JSON.stringify(base)}), fds ${fds} (was ${fd0}), rss ${(rssOf(pid) / 1e6).toFixed(1)} MB (was ${(rss0 / 1e6).toFixed(1)} MB)`,
    );
    expect(after).toEqual(base);
    expect(fds).toBeLessThanOrEqual(fd0);
    // Garbage the collector has not returned yet, not a leak: 12000 connections end at about the
    // same RSS as 3000 (HARDENING_CONNECTIONS=12000 to see it).
    expect(rssOf(pid) - rss0).toBeLessThan(128 * 1024 * 1024);
    expect(s.child.exitCode).toBeNull();
    // Still serving.
    const c = await RespConn.connect(s.port);
    expect(plain(await c.call('PING'))).toEqual({ simple: 'PONG' });
    c.close();
  });
});

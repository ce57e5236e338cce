/**
 * A command that ends its own connection replies first, then closes, as in redis-sentinel 7.0
 * (Redis marks the client CLOSE_AFTER_COMMAND): ACL DELUSER of the calling user, CLIENT KILL
 * that matches the caller, ACL SETUSER taking channels away from a subscribed user. Commands
 * that only look as if they could (AUTH failures, ACL SETUSER off on oneself, RESET, QUIT) leave
 * the connection open. Each sequence runs against redis-sentinel and the bundled sentinel on
 * several named connections; the transcripts (replies, and which connections closed) must be the
 * same. Then both are restarted from the file they rewrote, from another directory, and must
 * come back with the users they had.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { startSentinel, startSentinelFrom, stopAll, tempDir, type Proc } from '../../helpers/procs.js';
import { RespConn } from '../../helpers/resp-conn.js';
import { transcript, type Step } from './transcript.js';

const IMPLS = ['redis', 'bundled'] as const;
type Impl = (typeof IMPLS)[number];
const sentinels = {} as Record<Impl, Proc & { confFile: string }>;

beforeAll(async () => {
  const dead = await freePort();
  for (const impl of IMPLS) {
    sentinels[impl] = await startSentinel(`rtc-${impl}`, { implementation: impl, conf: [`sentinel monitor mymaster 127.0.0.1 ${dead} 1`] });
  }
});

afterAll(stopAll);

async function same(steps: Step[]): Promise<unknown[]> {
  const redis = await transcript(sentinels.redis.port, steps);
  const bundled = await transcript(sentinels.bundled.port, steps);
  expect(bundled).toEqual(redis);
  return redis;
}

describe('a command that ends its own connection replies first (redis-sentinel vs bundled)', () => {
  it('the issue: ACL DELUSER of the calling user replies :1, then closes; what was pipelined behind it is not run', async () => {
    const t = await same([
      ['admin', 'ACL', 'SETUSER', 'testuser', '>secret', '+@all', 'on'],
      ['admin', 'ACL', 'SETUSER', 'default', 'off'],
      ['a', 'AUTH', 'testuser', 'secret'],
      ['a', 'ACL', 'SETUSER', 'default', 'on'],
      ['a', 'ACL', 'DELUSER', 'testuser'],
      ['a', 'ACL', 'SETUSER', 'never-created', 'on'],
      ['admin', 'ACL', 'GETUSER', 'never-created'],
    ]);
    expect(t.slice(4, 7).map((x) => (x as unknown[])[2])).toEqual([{ integer: 1 }, 'closed, no reply', { null: 'bulk' }]);
    expect(t).toContainEqual(['a', 'closed']);
    expect(t).toContainEqual(['admin', 'open']);
  });

  it('ACL DELUSER of several users: the others logged in as them are closed at once, the caller after its reply', async () => {
    await same([
      ['admin', 'ACL', 'SETUSER', 'u1', '>p1', '+@all', 'on'],
      ['admin', 'ACL', 'SETUSER', 'u2', '>p2', '+@all', 'on'],
      ['a', 'AUTH', 'u1', 'p1'],
      ['b', 'AUTH', 'u2', 'p2'],
      ['c', 'AUTH', 'u2', 'p2'],
      ['a', 'ACL', 'DELUSER', 'u2', 'u1', 'nobody'],
      ['b', 'PING'],
      ['admin', 'ACL', 'USERS'],
    ]);
  });

  it('CLIENT KILL that matches the caller: new form (ID, USER, ADDR with SKIPME no) replies the count, old form +OK; SKIPME yes spares it', async () => {
    await same([
      ['a', 'CLIENT', 'KILL', 'ID', '$ID'],
      ['a', 'CLIENT', 'KILL', 'ID', '$ID', 'SKIPME', 'no'],
      ['a', 'PING'],
      ['b', 'CLIENT', 'KILL', '$ADDR'],
      ['c', 'CLIENT', 'KILL', 'ADDR', '$ADDR', 'SKIPME', 'no'],
      ['admin', 'ACL', 'SETUSER', 'k', '>k', '+@all', 'on'],
      ['d', 'AUTH', 'k', 'k'],
      ['e', 'AUTH', 'k', 'k'],
      ['d', 'CLIENT', 'KILL', 'USER', 'k', 'SKIPME', 'no'],
      ['admin', 'ACL', 'DELUSER', 'k'],
    ]);
  });

  it('ACL SETUSER taking channels away closes the subscribers that lost theirs (patterns are compared as written)', async () => {
    await same([
      ['admin', 'ACL', 'SETUSER', 's', '>s', '+@all', 'allchannels', 'on'],
      ['ch', 'AUTH', 's', 's'],
      ['ch', 'SUBSCRIBE', 'news.1'],
      ['pat', 'AUTH', 's', 's'],
      ['pat', 'PSUBSCRIBE', 'news.*'],
      ['plain', 'AUTH', 's', 's'],
      // news.* still allows the channel and, literally, the pattern.
      ['admin', 'ACL', 'SETUSER', 's', 'resetchannels', '&news.*'],
      ['ch', 'PING'],
      ['pat', 'PING'],
      // news.1 allows the channel, not the pattern news.*.
      ['admin', 'ACL', 'SETUSER', 's', 'resetchannels', '&news.1'],
      ['ch', 'PING'],
      ['pat', 'PING'],
      ['admin', 'ACL', 'SETUSER', 's', 'resetchannels'],
      ['ch', 'PING'],
      ['plain', 'PING'],
      ['admin', 'ACL', 'DELUSER', 's'],
    ]);
  });

  it('what does not end the connection: AUTH and HELLO failures, ACL SETUSER off or reset on oneself, RESET and QUIT (unknown to a 7.0 sentinel)', async () => {
    await same([
      ['a', 'AUTH', 'nobody', 'x'],
      ['a', 'AUTH', 'x'],
      ['a', 'HELLO', '3', 'AUTH', 'nobody', 'x'],
      ['a', 'PING'],
      ['admin', 'ACL', 'SETUSER', 'o', '>o', '+@all', 'on'],
      ['b', 'AUTH', 'o', 'o'],
      ['b', 'ACL', 'SETUSER', 'o', 'off'],
      ['b', 'PING'],
      ['b', 'AUTH', 'o', 'o'],
      ['b', 'ACL', 'SETUSER', 'o', 'reset'],
      ['b', 'PING'],
      ['c', 'RESET'],
      ['c', 'QUIT'],
      ['c', 'PING'],
      ['admin', 'ACL', 'DELUSER', 'o'],
    ]);
  });

  it('a RESP3 subscriber taking its own channels away gets the reply, then is closed (redis-sentinel 7.0.15 crashes here; later Redis replies, then closes)', async () => {
    const t = await transcript(sentinels.bundled.port, [
      ['admin', 'ACL', 'SETUSER', 'self', '>s', '+@all', 'allchannels', 'on'],
      ['a', 'HELLO', '3', 'AUTH', 'self', 's'],
      ['a', 'SUBSCRIBE', 'c1'],
      ['a', 'ACL', 'SETUSER', 'self', 'resetchannels'],
      ['a', 'PING'],
      ['admin', 'ACL', 'DELUSER', 'self'],
    ]);
    expect(t.slice(3, 5).map((x) => (x as unknown[])[2])).toEqual([{ simple: 'OK' }, 'closed, no reply']);
  });
});

describe('idle clients (timeout)', () => {
  it('`timeout 1` closes an idle client but not a subscriber, as redis-sentinel does', async () => {
    const dead = await freePort();
    const seen = {} as Record<Impl, unknown>;
    for (const impl of IMPLS) {
      const s = await startSentinel(`idle-${impl}`, { implementation: impl, conf: ['timeout 1', `sentinel monitor mymaster 127.0.0.1 ${dead} 1`] });
      const idle = await RespConn.connect(s.port);
      const busy = await RespConn.connect(s.port);
      const sub = await RespConn.connect(s.port);
      await idle.call('PING');
      await sub.call('SUBSCRIBE', 'x');
      for (let i = 0; i < 7; i++) {
        await busy.call('PING');
        await new Promise((r) => setTimeout(r, 500));
      }
      seen[impl] = { idle: idle.closed, busy: busy.closed, subscriber: sub.closed };
      for (const c of [idle, busy, sub]) c.close();
      await s.stop('SIGTERM');
    }
    expect(seen.redis).toEqual({ idle: true, busy: false, subscriber: false });
    expect(seen.bundled).toEqual(seen.redis);
  });
});

describe('restarted from its own rewritten file, from another directory', () => {
  it('comes back with the users it had, for both implementations', async () => {
    const steps: Step[] = [
      ['admin', 'ACL', 'SETUSER', 'alice', '>pw', '+@all', 'on'],
      ['admin', 'ACL', 'SETUSER', 'bob', '>pw2', '~*', '&chan', '+@all', '-acl', 'on'],
      ['admin', 'ACL', 'SETUSER', 'carol', '>pw3', '+@all', 'on'],
      ['c', 'AUTH', 'carol', 'pw3'],
      ['c', 'ACL', 'DELUSER', 'carol'],
      ['admin', 'SENTINEL', 'FLUSHCONFIG'],
    ];
    const users = {} as Record<Impl, unknown>;
    for (const impl of IMPLS) {
      const s = sentinels[impl];
      await transcript(s.port, steps);
      const before = await transcript(s.port, [['x', 'ACL', 'LIST']]);
      await s.stop('SIGTERM');
      const elsewhere = tempDir(`sc-rtc-elsewhere-${impl}-`);
      const again = await startSentinelFrom(`rtc-${impl}-again`, impl, { cwd: elsewhere, conf: path.relative(elsewhere, s.confFile), port: s.port });
      sentinels[impl] = Object.assign(again, { confFile: s.confFile });
      users[impl] = await transcript(s.port, [['x', 'ACL', 'LIST']]);
      // Redis resets the default user before applying its line from the file, which adds the
      // sanitize-payload flag: the same user otherwise.
      const unflagged = (t: unknown) => JSON.parse(JSON.stringify(t).replace('user default on nopass sanitize-payload ', 'user default on nopass '));
      expect(unflagged(users[impl]), `${impl}: the users after the restart`).toEqual(before);
    }
    // Flag included.
    expect(users.bundled).toEqual(users.redis);
  });
});

/**
 * A link the data node refuses is a disconnected link, as in redis-sentinel 7.0. The issue's
 * sequence on a monitored master (then on a replica): `ACL SETUSER testuser on >secret
 * allchannels +@all`, `ACL SETUSER default off`, `CLIENT KILL USER default SKIPME no`. The
 * sentinel's connections are killed and its reconnections refused (NOAUTH): its pub/sub link's
 * SUBSCRIBE gets an error reply, on which Redis (hiredis) drops the link and retries once per
 * second, so SENTINEL MASTER / REPLICAS show `disconnected` — and the instance comes back once
 * SENTINEL SET auth-user / auth-pass are right, and again after a restart from another
 * directory. Both implementations run the same sequence; what a client sees must be the same.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSentinelFrom, tempDir } from '../../helpers/procs.js';
import { RespConn, record, records, text } from '../../helpers/resp-conn.js';
import { sentinelCall, startTopology, stopTopology, waitFor, type Impl, type Topology } from './topology.js';

let t: Topology | undefined;
afterEach(async (ctx) => {
  await stopTopology(t, ctx.task.result?.state === 'fail');
  t = undefined;
});

/** Runs commands on a data node, logged in as `user` when given. */
async function onNode(port: number, auth: string[], ...cmds: string[][]): Promise<string[]> {
  const c = await RespConn.connect(port);
  try {
    if (auth.length) await c.call('AUTH', ...auth);
    const out: string[] = [];
    for (const cmd of cmds) out.push(text(await c.call(...cmd)));
    return out;
  } finally {
    c.close();
  }
}

/** The sequence, on one connection; the count of killed clients includes the sentinel's two. */
async function refuse(port: number): Promise<string[]> {
  const [setuser, off, killed] = await onNode(
    port,
    [],
    ['ACL', 'SETUSER', 'testuser', 'on', '>secret', 'allchannels', '+@all'],
    ['ACL', 'SETUSER', 'default', 'off'],
    ['CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'no'],
  );
  return [setuser!, off!, Number(killed) >= 2 ? 'killed' : killed!];
}

async function masterFlags(port: number): Promise<string> {
  return record(await sentinelCall(port, 'SENTINEL', 'MASTER', 'mymaster')).flags ?? '';
}

async function replicaFlags(port: number): Promise<string> {
  return records(await sentinelCall(port, 'SENTINEL', 'REPLICAS', 'mymaster'))[0]?.flags ?? '';
}

/** Waits for `want`; returns it, or the last value seen when it never came. */
async function reach(read: () => Promise<string>, want: string, timeoutMs: number): Promise<string> {
  let last = '';
  await waitFor(want, async () => ((last = await read()) === want ? [] : [last]), timeoutMs).catch(() => {});
  return last;
}

/**
 * Whether `want` holds past the first reconnection (the retry period is 1 s) for nearly all of
 * `n` reads 100 ms apart: Redis clears the flag for a moment on each retry.
 */
async function mostly(read: () => Promise<string>, want: string, n = 15): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 1500));
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if ((await read()) === want) hits++;
    await new Promise((r) => setTimeout(r, 100));
  }
  return hits >= n - 3;
}

async function sequence(impl: Impl): Promise<unknown> {
  // down-after long enough that SDOWN does not come into the picture.
  t = await startTopology({ replicas: 1, sentinels: [impl], quorum: 1, downAfter: 60_000 });
  const s = t.sentinels[0]!;
  const master = t.master.port;
  const replica = t.replicas[0]!.port;
  const out: Record<string, unknown> = {};
  out.start = [await reach(() => masterFlags(s.port), 'master', 20_000), await reach(() => replicaFlags(s.port), 'slave', 20_000)];

  // The replica keeps replicating as testuser; the sentinel, still `default`, is refused.
  await onNode(replica, [], ['CONFIG', 'SET', 'masteruser', 'testuser'], ['CONFIG', 'SET', 'masterauth', 'secret']);
  out.masterRefuses = await refuse(master);
  out.masterFlags = await reach(() => masterFlags(s.port), 'master,disconnected', 10_000);
  out.masterStaysDisconnected = await mostly(() => masterFlags(s.port), 'master,disconnected');
  out.replicaRefuses = await refuse(replica);
  out.replicaFlags = await reach(() => replicaFlags(s.port), 'slave,disconnected', 10_000);
  out.replicaStaysDisconnected = await mostly(() => replicaFlags(s.port), 'slave,disconnected');

  // Right credentials: both links come back (replicas use the master's auth-user / auth-pass).
  out.set = text(await sentinelCall(s.port, 'SENTINEL', 'SET', 'mymaster', 'auth-user', 'testuser', 'auth-pass', 'secret'));
  out.fixed = [await reach(() => masterFlags(s.port), 'master', 10_000), await reach(() => replicaFlags(s.port), 'slave', 10_000)];
  out.seenBy = await onNode(master, ['testuser', 'secret'], ['CLIENT', 'LIST']).then(([l]) =>
    [...new Set([...l!.matchAll(/name=sentinel-\w+-(cmd|pubsub) .* user=(\w+)/g)].map((m) => `${m[1]} as ${m[2]}`))].sort(),
  );

  // Restarted from the file it rewrote, from another directory: the credentials came with it.
  await s.stop('SIGTERM');
  const elsewhere = tempDir(`sc-refused-elsewhere-${impl}-`);
  const again = await startSentinelFrom(`refused-${impl}-again`, impl, { cwd: elsewhere, conf: path.relative(elsewhere, s.confFile), port: s.port });
  t.sentinels[0] = Object.assign(again, { impl, confFile: s.confFile });
  out.afterRestart = [await reach(() => masterFlags(s.port), 'master', 20_000), await reach(() => replicaFlags(s.port), 'slave', 20_000)];
  await stopTopology(t);
  t = undefined;
  return out;
}

describe('a refused link is a disconnected link (redis-sentinel vs bundled)', () => {
  it('master, then replica, refuse the sentinel: disconnected until SENTINEL SET auth-user / auth-pass; back after a restart from another directory', async () => {
    const redis = await sequence('redis');
    expect(redis).toEqual({
      start: ['master', 'slave'],
      masterRefuses: ['OK', 'OK', 'killed'],
      masterFlags: 'master,disconnected',
      masterStaysDisconnected: true,
      replicaRefuses: ['OK', 'OK', 'killed'],
      replicaFlags: 'slave,disconnected',
      replicaStaysDisconnected: true,
      set: 'OK',
      fixed: ['master', 'slave'],
      seenBy: ['cmd as testuser', 'pubsub as testuser'],
      afterRestart: ['master', 'slave'],
    });
    expect(await sequence('bundled')).toEqual(redis);
  }, 180_000);
});

/**
 * Password-protected topology: data nodes with requirepass/masterauth (sentinels use auth-pass),
 * sentinels with requirepass and sentinel-pass between them, TypeScript and redis-sentinel mixed.
 * They discover each other, refuse unauthenticated clients, and fail over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RespConn } from '../../helpers/resp-conn.js';
import { masterAddr, redisRole, startTopology, stopTopology, waitDiscovered, waitFor, type Topology } from './topology.js';

let t: Topology | undefined;
afterEach(async (ctx) => {
  await stopTopology(t, ctx.task.result?.state === 'fail');
  t = undefined;
});

describe('authentication', () => {
  it('auth-pass, requirepass and sentinel-pass: discovery, refusal without AUTH, failover', async () => {
    t = await startTopology({ sentinels: ['bundled', 'redis', 'bundled'], redisPassword: 'data-secret', sentinelPassword: 'sentinel-secret' });
    await waitDiscovered(t);
    const anon = await RespConn.connect(t.sentinels[0]!.port);
    try {
      const r = await anon.call('SENTINEL', 'MASTERS');
      expect(r.type).toBe('error');
      expect(r.type === 'error' && r.value).toMatch(/^NOAUTH/);
    } finally {
      anon.close();
    }
    t.master.pause();
    await waitFor('all switched', async () => {
      const a = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      return a.every((x) => x !== `127.0.0.1:${t!.master.port}` && x === a[0]) ? [] : a;
    });
    const addr = await masterAddr(t.sentinels[0]!.port);
    expect(await redisRole(Number(addr.split(':')[1]))).toBe('master');
  });
});

/**
 * TypeScript sentinels and redis-sentinel 7.0 in one quorum: they discover each other, and a
 * master paused with SIGSTOP is failed over correctly whichever kind wins the election — the
 * other kind votes for it, adopts the new configuration through hello, and all end with the same
 * master, config epoch and current epoch; the old master rejoins as a replica.
 *
 * Who wins is steered the way operators can: the intended winner has quorum 1 and down-after
 * 1000 (it reaches ODOWN alone and first), the others down-after 5000 (they have not even seen
 * the master down when they are asked for their vote, and vote anyway, as Redis does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  fileEpoch,
  masterAddr,
  masterRecord,
  redisRole,
  sentinelCall,
  startTopology,
  stopTopology,
  waitDiscovered,
  waitFor,
  type Impl,
  type Topology,
} from './topology.js';
import { records, text } from '../../helpers/resp-conn.js';

let t: Topology | undefined;
afterEach(async (ctx) => {
  await stopTopology(t, ctx.task.result?.state === 'fail');
  t = undefined;
});

const cases: Array<{ mix: Impl[]; winner: number }> = [
  { mix: ['bundled', 'redis', 'redis'], winner: 0 },
  { mix: ['bundled', 'redis', 'redis'], winner: 1 },
  { mix: ['bundled', 'bundled', 'redis'], winner: 0 },
  { mix: ['bundled', 'bundled', 'redis'], winner: 2 },
];

describe('mixed quorums', () => {
  it.each(cases)('$mix: sentinel $winner wins, everybody follows', async ({ mix, winner }) => {
    t = await startTopology({
      sentinels: mix,
      failoverTimeout: 60000,
      perSentinel: mix.map((_, i) => (i === winner ? { quorum: 1, downAfter: 1000 } : { quorum: 2, downAfter: 5000 })),
    });
    await waitDiscovered(t);
    const ids = await Promise.all(t.sentinels.map(async (s) => text(await sentinelCall(s.port, 'SENTINEL', 'MYID'))));

    // Each kind lists the other in SENTINEL SENTINELS, with its id and address.
    for (const [i, s] of t.sentinels.entries()) {
      const peers = records(await sentinelCall(s.port, 'SENTINEL', 'SENTINELS', 'mymaster'));
      expect(peers.map((p) => p.runid).sort()).toEqual(ids.filter((_, j) => j !== i).sort());
      for (const p of peers) {
        const j = ids.indexOf(p.runid!);
        expect(Number(p.port)).toBe(t.sentinels[j]!.port);
        expect(p.flags).toBe('sentinel');
      }
    }

    t.master.pause();
    await waitFor('all switched', async () => {
      const addrs = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      return addrs.every((a) => a !== `127.0.0.1:${t!.master.port}` && a === addrs[0]) ? [] : addrs;
    });

    const elected = t.events.all.filter((e) => e.channel === '+elected-leader');
    expect(elected.map((e) => e.sentinel)).toEqual([winner]);
    expect(t.events.all.filter((e) => e.channel === '+promoted-slave')).toHaveLength(1);
    // Every vote cast in epoch 1 went to the winner.
    const votes = t.events.all.filter((e) => e.channel === '+vote-for-leader');
    expect(votes.length).toBeGreaterThanOrEqual(2);
    for (const v of votes) expect(v.message).toBe(`${ids[winner]} 1`);

    // Same view everywhere: address, config epoch, persisted current epoch.
    const newAddr = await masterAddr(t.sentinels[0]!.port);
    const newPort = Number(newAddr.split(':')[1]);
    expect(await redisRole(newPort)).toBe('master');
    for (const s of t.sentinels) {
      expect(await masterAddr(s.port)).toBe(newAddr);
      expect((await masterRecord(s.port))['config-epoch']).toBe('1');
    }
    await waitFor('epoch 1 persisted everywhere', async () =>
      t!.sentinels.map(fileEpoch).every((e) => e === 1) ? [] : [t!.sentinels.map(fileEpoch).join(',')],
    );
    const other = t.replicas.find((r) => r.port !== newPort)!;
    await waitFor('other replica follows the new master', async () => {
      const r = await redisRole(other.port);
      return r === `slave of ${newAddr}` ? [] : [r];
    });

    // The old master comes back as a replica of the new one.
    t.master.resume();
    await waitFor(
      'old master converted',
      async () => {
        const r = await redisRole(t!.master.port);
        return r === `slave of ${newAddr}` ? [] : [r];
      },
      30_000,
    );
    await waitFor('every sentinel sees the old master as a healthy replica', async () => {
      const missing: string[] = [];
      for (const [i, s] of t!.sentinels.entries()) {
        const reps = records(await sentinelCall(s.port, 'SENTINEL', 'REPLICAS', 'mymaster'));
        const old = reps.find((r) => Number(r.port) === t!.master.port);
        if (!old || old['master-link-status'] !== 'ok' || old.flags !== 'slave') missing.push(`sentinel ${i}: ${JSON.stringify(old?.flags)}`);
      }
      return missing;
    });
  });
});

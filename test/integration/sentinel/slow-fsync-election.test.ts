/**
 * Three bundled sentinels whose config saves block their process (every fsync made slow by
 * test/helpers/slow-fsync.cjs, as on a loaded CI runner) and who see the master go down within
 * milliseconds of each other: the conditions of the scripts test run where votes split in a cycle
 * (s0 -> s2, s2 -> s0, s1 -> s1) and nobody was elected until 2 x failover-timeout later.
 *
 * Each round pauses the current master and requires that the epoch the round started elects a
 * leader: some sentinel holds a majority of the votes cast in it. A round with a split vote leaves
 * the old master in place for 2 x failover-timeout (120 s here), so the round fails by its own
 * timeout and prints every vote.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/procs.js';
import { masterAddr, redisRole, startTopology, stopTopology, waitDiscovered, waitFor, type Topology } from './topology.js';

let t: Topology | undefined;
afterEach(async (ctx) => {
  await stopTopology(t, ctx.task.result?.state === 'fail');
  t = undefined;
});

// Fixed ids, so that the smallest id (the one candidates wait for) is sentinel 0.
const IDS = ['a', 'b', 'c'].map((c) => c.repeat(40));
const ROUNDS = 4;

/** The votes of `epoch` as "voter->leader", by first letter of the ids. */
function votesOf(t: Topology, epoch: number): Map<string, string> {
  const votes = new Map<string, string>();
  for (const e of t.events.all) {
    if (e.channel !== '+vote-for-leader') continue;
    const [leader, ep] = e.message.split(' ').slice(-2);
    if (Number(ep) === epoch) votes.set(IDS[e.sentinel]!, leader!);
  }
  return votes;
}
const votesText = (v: Map<string, string>) => [...v].map(([voter, leader]) => `${voter[0]}->${leader[0]}`).join(' ');

describe('election with slow config saves', () => {
  it(`elects one leader in the first epoch, ${ROUNDS} failovers in a row`, async () => {
    const saved = process.env.SLOW_FSYNC_MS;
    process.env.SLOW_FSYNC_MS = '75-150';
    try {
      t = await startTopology({
        sentinels: ['bundled', 'bundled', 'bundled'],
        failoverTimeout: 60_000,
        bundledNodeArgs: ['--require', path.join(repoRoot, 'test', 'helpers', 'slow-fsync.cjs')],
        perSentinel: IDS.map((id) => ({ conf: [`sentinel myid ${id}`] })),
      });
    } finally {
      if (saved === undefined) delete process.env.SLOW_FSYNC_MS;
      else process.env.SLOW_FSYNC_MS = saved;
    }
    const topo = t;
    await waitDiscovered(topo);
    // Discovery saved the config everywhere: the saves are slow from here on.
    for (const s of topo.sentinels) expect(s.log()).toContain('slow-fsync: fsync delayed by 75-150 ms');
    const nodes = [topo.master, ...topo.replicas];
    let current = topo.master;
    for (let round = 1; round <= ROUNDS; round++) {
      const epoch = round;
      current.pause();
      const old = `127.0.0.1:${current.port}`;
      await waitFor(
        `round ${round}: all switched away from ${old}`,
        async () => {
          const addrs = await Promise.all(topo.sentinels.map((s) => masterAddr(s.port)));
          if (addrs.every((a) => a !== old && a === addrs[0])) return [];
          return [...addrs, `votes of epoch ${epoch}: ${votesText(votesOf(topo, epoch))}`];
        },
        30_000,
      );
      const votes = votesOf(topo, epoch);
      const counts = new Map<string, number>();
      for (const leader of votes.values()) counts.set(leader, (counts.get(leader) ?? 0) + 1);
      expect(Math.max(...counts.values()), `votes of epoch ${epoch}: ${votesText(votes)}`).toBeGreaterThanOrEqual(2);
      // The old master back as a replica before the next round pauses the new one.
      current.resume();
      const now = await masterAddr(topo.sentinels[0]!.port);
      await waitFor(`round ${round}: old master converted`, async () => {
        const r = await redisRole(current.port);
        return r === `slave of ${now}` ? [] : [r];
      });
      current = nodes.find((n) => `127.0.0.1:${n.port}` === now)!;
    }
  }, 240_000);
});

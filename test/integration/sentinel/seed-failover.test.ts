/**
 * The seed's setup (1 master, 2 replicas, 3 sentinels, quorum 2) with TypeScript sentinels on real
 * redis-server processes: the master is paused with SIGSTOP (what `docker-compose pause` does),
 * and the leader's log must be the seed's failover log, event for event, with the seed's levels.
 * Then the old master resumes and must come back as a replica of the new one, and every sentinel
 * must end with the same view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/procs.js';
import { normalise, parseLog } from './log.js';
import { masterAddr, redisRole, startTopology, waitDiscovered, waitFor, type Topology } from './topology.js';

// The seed's log (../shared/seed/), with its addresses replaced by names: M the old master,
// R1 the promoted replica, R2 the other replica; LEADER / PEER sentinel ids.
const SEED = `
# +sdown master mymaster M
# +odown master mymaster M #quorum N/2
# +new-epoch 1
# +try-failover master mymaster M
# +vote-for-leader LEADER 1
# +elected-leader master mymaster M
# +failover-state-select-slave master mymaster M
# +selected-slave slave R1:P R1 P @ mymaster M
* +failover-state-send-slaveof-noone slave R1:P R1 P @ mymaster M
* +failover-state-wait-promotion slave R1:P R1 P @ mymaster M
# +promoted-slave slave R1:P R1 P @ mymaster M
# +failover-state-reconf-slaves master mymaster M
* +slave-reconf-sent slave R2:P R2 P @ mymaster M
* +slave-reconf-inprog slave R2:P R2 P @ mymaster M
* +slave-reconf-done slave R2:P R2 P @ mymaster M
# -odown master mymaster M
# +failover-end master mymaster M
# +switch-master mymaster M R1 P
* +slave slave R2:P R2 P @ mymaster R1 P
* +slave slave M:P M P @ mymaster R1 P
# +sdown slave M:P M P @ mymaster R1 P
`
  .trim()
  .split('\n');

let t: Topology;

beforeAll(async () => {
  t = await startTopology({ sentinels: ['bundled', 'bundled', 'bundled'], downAfter: 1000, failoverTimeout: 60000 });
  await waitDiscovered(t);
}, 60_000);

afterAll(async () => {
  t?.events.close();
  await stopAll();
});

describe("the seed's failover, by TypeScript sentinels", () => {
  it("reproduces the seed's log event for event, then converts the old master and converges", async () => {
    t.master.pause();
    await waitFor('every sentinel switched', async () => {
      const n = t.events.all.filter((e) => e.channel === '+switch-master').length;
      return n >= 3 ? [] : [`${n}/3 +switch-master`];
    });
    const leaderIdx = t.events.find('+elected-leader')!.sentinel;
    await waitFor('old master SDOWN as a replica', async () =>
      t.events.of(leaderIdx).some((e) => e.channel === '+sdown' && e.message.startsWith('slave')) ? [] : ['no +sdown slave'],
    );

    const leader = t.sentinels[leaderIdx]!;
    const lines = parseLog(leader.log());
    const promoted = /slave \S+ (\S+) (\d+) @/.exec(lines.find((l) => l.event === '+selected-slave')!.message)!;
    const promotedPort = Number(promoted[2]);
    const other = t.replicas.find((r) => r.port !== promotedPort)!;
    const leaderId = /\+vote-for-leader (\w+) 1/.exec(lines.find((l) => l.event === '+vote-for-leader')!.message)![1]!;
    const names: Array<[string, string]> = [
      [`127.0.0.1:${t.master.port} 127.0.0.1 ${t.master.port}`, 'M:P M P'],
      [`127.0.0.1 ${t.master.port}`, 'M'],
      [`127.0.0.1:${promotedPort} 127.0.0.1 ${promotedPort}`, 'R1:P R1 P'],
      [`127.0.0.1 ${promotedPort}`, 'R1 P'],
      [`127.0.0.1:${other.port} 127.0.0.1 ${other.port}`, 'R2:P R2 P'],
      [leaderId, 'LEADER'],
    ];

    const start = lines.findIndex((l) => l.event === '+sdown' && l.message.includes(' master '));
    const tail = lines.slice(start);
    // "<peer> voted for <leader> <epoch>" log lines: at least one for us before the election.
    // (When two sentinels reach ODOWN together, the other candidate's vote for itself shows too;
    // the election still has a single winner.)
    const votes = tail.filter((l) => l.message.includes(' voted for '));
    for (const v of votes) expect(v.message).toMatch(/^[0-9a-f]{40} voted for [0-9a-f]{40} 1$/);
    const forUs = votes.filter((v) => v.message.includes(`voted for ${leaderId} 1`));
    expect(forUs.length).toBeGreaterThanOrEqual(1);
    expect(tail.indexOf(forUs[0]!)).toBeLessThan(tail.findIndex((l) => l.event === '+elected-leader'));

    const events = tail.filter((l) => /^[+-]/.test(l.event)).map((l) => `${l.level} ${normalise(l.message, names)}`.replace(/#quorum [23]\/2/, '#quorum N/2'));
    expect(events.slice(0, SEED.length)).toEqual(SEED);

    // Every sentinel agrees; exactly one of them promoted, in epoch 1.
    const newMaster = `127.0.0.1:${promotedPort}`;
    for (const s of t.sentinels) expect(await masterAddr(s.port)).toBe(newMaster);
    expect(t.events.all.filter((e) => e.channel === '+elected-leader')).toHaveLength(1);
    expect(t.events.all.filter((e) => e.channel === '+promoted-slave')).toHaveLength(1);
    expect(await redisRole(promotedPort)).toBe('master');
    expect(await redisRole(other.port)).toBe(`slave of 127.0.0.1:${promotedPort}`);

    // The old master comes back and is turned into a replica of the new one within seconds.
    const resumedAt = Date.now();
    t.master.resume();
    await waitFor('+convert-to-slave', async () => (t.events.find('+convert-to-slave') ? [] : ['not yet']), 20_000);
    const conv = t.events.find('+convert-to-slave')!;
    expect(conv.message).toBe(`slave 127.0.0.1:${t.master.port} 127.0.0.1 ${t.master.port} @ mymaster 127.0.0.1 ${promotedPort}`);
    expect(conv.at - resumedAt).toBeLessThan(8000); // Redis needs 10-16 s here
    await waitFor('old master replicates the new one', async () => {
      const r = await redisRole(t.master.port);
      return r === `slave of 127.0.0.1:${promotedPort}` ? [] : [r];
    });
    for (const s of t.sentinels) expect(await masterAddr(s.port)).toBe(newMaster);
  });
});

import { describe, expect, it } from 'vitest';
import { SRI } from '../../../../src/sentinel/state/flags.js';
import { FailoverState, type Instance } from '../../../../src/sentinel/state/instance.js';
import { createInstance, isCreateError, resetMasterAndChangeAddress } from '../../../../src/sentinel/state/registry.js';
import { ASK_FORCED, askMasterStateToOtherSentinels } from '../../../../src/sentinel/monitor/down.js';
import { harness, MYID, type Harness } from './fake-world.js';

const PEER_A = 'a'.repeat(40);
const PEER_B = 'b'.repeat(40);

/** 1 master (6379) + 2 replicas (6380, 6381) + 2 peers (26380, 26381), quorum 2, down-after 1000. */
function topology(h: Harness) {
  const w = h.world;
  const master = w.redis(6379, '1'.repeat(40));
  const r1 = w.redis(6380, '2'.repeat(40)).replicaOf(master);
  const r2 = w.redis(6381, '3'.repeat(40)).replicaOf(master);
  r1.offset = 100;
  r2.offset = 200;
  const pa = w.peer(26380, PEER_A);
  const pb = w.peer(26381, PEER_B);
  const m = createInstance(h.core, 'mymaster', SRI.MASTER, '127.0.0.1', 6379, 2, null) as Instance;
  m.downAfterPeriod = 1000;
  m.failoverTimeout = 10_000;
  for (const [port, id] of [
    [26380, PEER_A],
    [26381, PEER_B],
  ] as const) {
    const s = createInstance(h.core, id, SRI.SENTINEL, '127.0.0.1', port, 2, m);
    if (isCreateError(s)) throw new Error(s);
    s.runid = id;
    s.downAfterPeriod = 1000;
  }
  return { master, r1, r2, pa, pb, m };
}

describe('monitoring', () => {
  it('discovers replicas from the master INFO and reads their state', async () => {
    const h = harness();
    const { m } = topology(h);
    await h.run(500);
    expect([...m.slaves.keys()].sort()).toEqual(['127.0.0.1:6380', '127.0.0.1:6381']);
    expect(h.types().filter((t) => t === '+slave')).toHaveLength(2);
    await h.run(200);
    const s = m.slaves.get('127.0.0.1:6381')!;
    expect(s.slaveReplOffset).toBe(200);
    expect(s.slaveMasterHost).toBe('127.0.0.1');
    expect(s.slaveMasterLinkStatus).toBe('up');
    expect(s.runid).toBe('3'.repeat(40));
    expect(h.persisted.length).toBeGreaterThan(0);
  });

  it('publishes hello with our address, epoch and master view', async () => {
    const h = harness();
    const { pa } = topology(h);
    await h.run(2500);
    expect(pa.hellos.at(-1)).toBe(`127.0.0.1,26379,${MYID},0,mymaster,127.0.0.1,6379,0`);
  });

  it('learns peers and a newer configuration from hello messages', async () => {
    const h = harness();
    const { master, r1, m } = topology(h);
    await h.run(300);
    const newId = 'c'.repeat(40);
    void master.handle(['PUBLISH', '__sentinel__:hello', `127.0.0.1,26390,${newId},5,mymaster,127.0.0.1,6380,4`]);
    r1.replicaOf(null);
    await h.settle();
    expect(h.types()).toEqual(expect.arrayContaining(['+sentinel', '+new-epoch', '+config-update-from', '+switch-master']));
    expect(h.core.state.currentEpoch).toBe(5);
    expect(m.addr.port).toBe(6380);
    expect(m.configEpoch).toBe(4);
    // The old master is kept as a replica to be converted when it comes back.
    expect([...m.slaves.keys()].sort()).toEqual(['127.0.0.1:6379', '127.0.0.1:6381']);
    const sw = h.events.find((e) => e.type === '+switch-master')!;
    expect(sw.message).toBe('mymaster 127.0.0.1 6379 127.0.0.1 6380');
  });
});

describe('failure detection', () => {
  it('marks the master SDOWN only after down-after without a valid reply', async () => {
    const h = harness();
    const { master, m, pa, pb } = topology(h);
    pa.thinksDown = false;
    pb.thinksDown = false;
    await h.run(500);
    master.paused = true;
    await h.run(900);
    expect(m.flags & SRI.S_DOWN).toBe(0);
    await h.run(400);
    expect(m.flags & SRI.S_DOWN).not.toBe(0);
    expect(m.flags & SRI.O_DOWN).toBe(0);
    const sdown = h.events.find((e) => e.type === '+sdown')!;
    expect(sdown.message).toBe('master mymaster 127.0.0.1 6379');
    master.paused = false;
    await h.run(300);
    expect(h.types()).toContain('-sdown');
  });

  it('reaches ODOWN with the quorum of peers saying down', async () => {
    const h = harness();
    const { master, m, pa, pb } = topology(h);
    pa.thinksDown = false;
    pb.thinksDown = true;
    await h.run(500);
    master.paused = true;
    await h.run(1600);
    const odown = h.events.find((e) => e.type === '+odown')!;
    expect(odown.message).toBe('master mymaster 127.0.0.1 6379 #quorum 2/2');
    expect(m.flags & SRI.O_DOWN).not.toBe(0);
  });
});

describe('failover', () => {
  it('runs every state in order and ends with the new master, as in the seed log', async () => {
    const h = harness();
    const { master, r1, r2, m } = topology(h);
    await h.run(1000);
    master.paused = true;
    await h.run(3000);
    const seq = h.types().filter((t) => !['+slave', '+sentinel', '-role-change', '+role-change'].includes(t) || t === '+slave');
    const expected = [
      '+sdown',
      '+odown',
      '+new-epoch',
      '+try-failover',
      '+vote-for-leader',
      '+elected-leader',
      '+failover-state-select-slave',
      '+selected-slave',
      '+failover-state-send-slaveof-noone',
      '+failover-state-wait-promotion',
      '+promoted-slave',
      '+failover-state-reconf-slaves',
      '+slave-reconf-sent',
      '+slave-reconf-inprog',
      '+slave-reconf-done',
      '-odown',
      '+failover-end',
      '+switch-master',
    ];
    const idx = expected.map((t) => seq.indexOf(t));
    expect(idx.every((i) => i >= 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    // The replica with the larger offset won.
    expect(h.events.find((e) => e.type === '+selected-slave')!.message).toBe('slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379');
    expect(r2.role).toBe('master');
    expect(r1.masterPort).toBe(6381);
    expect(m.addr.port).toBe(6381);
    expect(m.configEpoch).toBe(1);
    expect(h.core.state.currentEpoch).toBe(1);
    expect(h.events.find((e) => e.type === '+switch-master')!.message).toBe('mymaster 127.0.0.1 6379 127.0.0.1 6381');
    // Promotion went as a transaction.
    const promo = r2.commands.map((c) => c.join(' '));
    const multi = promo.indexOf('MULTI');
    expect(promo.slice(multi, multi + 6)).toEqual(['MULTI', 'SLAVEOF NO ONE', 'CONFIG REWRITE', 'CLIENT KILL TYPE normal', 'CLIENT KILL TYPE pubsub', 'EXEC']);
    // The vote and the new epoch were persisted before acting.
    expect(h.persisted.some((p) => p.masters[0]!.leaderEpoch === 1)).toBe(true);
    expect(h.persisted.at(-1)!.masters[0]!.port).toBe(6381);
    expect(h.persisted.at(-1)!.masters[0]!.configEpoch).toBe(1);
  });

  it('waits its turn after ODOWN: 100 ms per reachable sentinel with a smaller id', async () => {
    const h = harness();
    const { master } = topology(h);
    await h.run(1000);
    master.paused = true;
    await h.run(3000, 10);
    const odown = h.events.find((e) => e.type === '+odown')!;
    const tryF = h.events.find((e) => e.type === '+try-failover')!;
    // MYID (ffff...) ranks after both peers (aaaa..., bbbb...): 200 ms.
    expect(tryF.time - odown.time).toBeGreaterThanOrEqual(200);
    expect(tryF.time - odown.time).toBeLessThan(300);
  });

  it('with smaller-id candidates started at the same time, votes for the smallest of them, not for itself', async () => {
    const h = harness();
    const { master, pa, pb } = topology(h);
    // Both peers (aaaa..., bbbb...) started their own candidacies in epoch 1 and voted for themselves.
    pa.votes.set(1, PEER_A);
    pb.votes.set(1, PEER_B);
    await h.run(1000);
    master.paused = true;
    await h.run(3000, 10);
    const votes = h.events.filter((e) => e.type === '+vote-for-leader').map((e) => e.message);
    expect(votes).toEqual([`${PEER_A} 1`]);
    expect(h.types()).not.toContain('+elected-leader');
  });

  /** This sentinel in WAIT_START, its own vote held back while aaaa... (slow) has not answered. */
  async function waitingForA(h: Harness, myid: string) {
    const { master, pa, pb, m } = topology(h);
    h.core.state.myid = myid;
    // Both peers are candidates of epoch 1 that voted for themselves; aaaa... is slow to answer
    // but looks reachable for the whole test.
    pa.votes.set(1, PEER_A);
    pb.votes.set(1, PEER_B);
    m.sentinels.get(PEER_A)!.downAfterPeriod = 60_000;
    await h.run(1000);
    pa.hold();
    master.paused = true;
    while (m.failoverState !== FailoverState.WAIT_START) await h.run(10, 10);
    await h.run(50, 10);
    expect(h.types()).not.toContain('+vote-for-leader');
    return { pa };
  }
  const askVote = (h: Harness, runid: string) => h.command('SENTINEL', 'is-master-down-by-addr', '127.0.0.1', '6379', '1', runid);
  const answer = (leader: string, epoch: number) => ({
    type: 'array',
    value: [
      { type: 'integer', value: 1 },
      { type: 'bulk', value: leader },
      { type: 'integer', value: epoch },
    ],
  });
  const votesCast = (h: Harness) => h.events.filter((e) => e.type === '+vote-for-leader').map((e) => e.message);

  // The CI split (a voted a, b voted c, c voted b): b and c both waited for a's slow answer and
  // meanwhile gave their votes to each other's requests.
  it.each([
    ['a larger id', 'ab'.repeat(20)],
    ['a smaller id that is not the smallest', MYID],
  ])('while waiting for the smallest id, keeps its vote from a candidate with %s', async (_what, myid) => {
    const h = harness();
    const { pa } = await waitingForA(h, myid);
    expect(askVote(h, PEER_B)).toEqual(answer('*', 0));
    expect(votesCast(h)).toEqual([]);
    // aaaa... answers: it and bbbb... have a vote each, the smaller id gets this one.
    pa.release();
    await h.run(100, 10);
    expect(votesCast(h)).toEqual([`${PEER_A} 1`]);
    // Asked again, bbbb... learns where the vote went.
    expect(askVote(h, PEER_B)).toEqual(answer(PEER_A, 1));
  });

  it('while waiting for the smallest id, gives it the vote as soon as it asks', async () => {
    const h = harness();
    await waitingForA(h, MYID);
    expect(askVote(h, PEER_A)).toEqual(answer(PEER_A, 1));
    expect(votesCast(h)).toEqual([`${PEER_A} 1`]);
  });

  // After a blocking save the awaited answer and a competing request are often read in the same
  // event loop turn, before the tick that would cast the vote: the vote is still the candidate's
  // own choice, not the asker's.
  it('with the awaited answer in but its vote not cast yet, decides its vote before answering a competing candidate', async () => {
    const h = harness();
    const { pa } = await waitingForA(h, 'ab'.repeat(20));
    pa.release();
    await h.settle();
    expect(votesCast(h)).toEqual([]);
    // aaaa... and bbbb... voted for themselves: one vote each, the smaller id gets this one.
    expect(askVote(h, PEER_B)).toEqual(answer(PEER_A, 1));
    expect(votesCast(h)).toEqual([`${PEER_A} 1`]);
  });

  it('votes for itself after one ask period when a smaller-id peer does not answer', async () => {
    const h = harness();
    const { master, pa, m } = topology(h);
    // aaaa... stops answering but does not turn SDOWN in the time of this test.
    m.sentinels.get(PEER_A)!.downAfterPeriod = 60_000;
    await h.run(1000);
    master.paused = true;
    pa.paused = true;
    await h.run(4000, 10);
    const tryF = h.events.find((e) => e.type === '+try-failover')!;
    const vote = h.events.find((e) => e.type === '+vote-for-leader')!;
    expect(vote.message).toBe(`${MYID} 1`);
    // Waited one ask period for aaaa... (still looking reachable); bbbb... voted for us.
    expect(vote.time - tryF.time).toBeGreaterThanOrEqual(1000);
    expect(vote.time - tryF.time).toBeLessThan(1200);
    expect(h.types()).toContain('+elected-leader');
  });

  it('converts the old master back into a replica a few seconds after it returns', async () => {
    const h = harness();
    const { master, m } = topology(h);
    await h.run(1000);
    master.paused = true;
    await h.run(3000);
    expect(m.addr.port).toBe(6381);
    await h.run(5000);
    master.paused = false;
    const back = h.world.clock.t;
    await h.run(6000);
    const conv = h.events.find((e) => e.type === '+convert-to-slave')!;
    expect(conv.message).toBe('slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6381');
    const waited = conv.time - back;
    expect(waited).toBeGreaterThanOrEqual(4000);
    expect(waited).toBeLessThan(5000);
    expect(master.role).toBe('slave');
    expect(master.masterPort).toBe(6381);
  });

  it('aborts when not elected: the peers voted for someone else', async () => {
    const h = harness();
    const { master, pa, pb, m } = topology(h);
    pa.voteFor = PEER_A;
    pb.voteFor = PEER_A;
    await h.run(1000);
    master.paused = true;
    await h.run(13_000);
    expect(h.types()).toContain('-failover-abort-not-elected');
    expect(h.types()).not.toContain('+elected-leader');
    expect(m.flags & SRI.FAILOVER_IN_PROGRESS).toBe(0);
    // Our own vote, cast once the smallest id had answered, went to the peers' choice (as Redis's
    // sentinelGetLeader votes for the most voted), in the epoch we started.
    expect(h.events.find((e) => e.type === '+vote-for-leader')!.message).toBe(`${PEER_A} 1`);
  });

  it('aborts with no good replica when every replica has priority 0', async () => {
    const h = harness();
    const { master, r1, r2 } = topology(h);
    r1.priority = 0;
    r2.priority = 0;
    await h.run(1000);
    master.paused = true;
    await h.run(3000);
    expect(h.types()).toContain('-failover-abort-no-good-slave');
    expect(h.types()).not.toContain('+selected-slave');
  });

  it('aborts when the chosen replica never confirms its promotion', async () => {
    const h = harness();
    const { master, r2, m } = topology(h);
    m.failoverTimeout = 3000;
    await h.run(1000);
    master.paused = true;
    // r2 stops answering right after it has been chosen.
    let dead = false;
    const origHandle = r2.handle.bind(r2);
    r2.handle = (args) => {
      if (args[0] === 'MULTI') dead = true;
      return dead ? null : origHandle(args);
    };
    await h.run(5000);
    const t = h.types();
    expect(t).toContain('+failover-state-wait-promotion');
    expect(t).toContain('-failover-abort-slave-timeout');
    expect(t).not.toContain('+promoted-slave');
    expect(m.promotedSlave).toBeNull();
    expect(m.flags & SRI.FAILOVER_IN_PROGRESS).toBe(0);
  });

  it('reconfigures replicas parallel-syncs at a time', async () => {
    const h = harness();
    const { master, m } = topology(h);
    const r3 = h.world.redis(6382, '4'.repeat(40)).replicaOf(master);
    r3.offset = 50;
    h.world.instantSync = false;
    await h.run(1000);
    master.paused = true;
    await h.run(2500);
    expect(m.failoverState).toBe(FailoverState.RECONF_SLAVES);
    const sent = () => h.types().filter((t) => t === '+slave-reconf-sent').length;
    expect(sent()).toBe(1);
    // Finish the first sync: the next replica gets its SLAVEOF.
    for (const r of h.world.redises) if (r.role === 'slave' && r.masterPort === 6381) r.linkUp = true;
    await h.run(500);
    expect(sent()).toBe(2);
  });
});

describe('a replica that never acts on SLAVEOF', () => {
  it('is counted done after the reconfig timeout even while it holds the only parallel-syncs slot', async () => {
    const h = harness();
    const { master, r1, m } = topology(h);
    const r3 = h.world.redis(6382, '4'.repeat(40)).replicaOf(master);
    r3.offset = 50;
    // 6380 comes first among the replicas to reconfigure, and refuses: with parallel-syncs 1 it
    // holds the slot that 6382 waits for.
    r1.refusesSlaveOf = true;
    m.failoverTimeout = 60_000;
    await h.run(1000);
    master.paused = true;
    await h.run(3000);
    expect(m.failoverState).toBe(FailoverState.RECONF_SLAVES);
    const story = () =>
      h.events
        .filter((e) => e.type.includes('reconf') || e.type.startsWith('+failover-end'))
        .map((e) => `${e.type} ${/ (\d+) @/.exec(e.message)?.[1] ?? ''}`.trim());
    expect(story()).toEqual(['+failover-state-reconf-slaves', '+slave-reconf-sent 6380']);
    const sentAt = m.slaves.get('127.0.0.1:6380')!.slaveReconfSentTime;
    await h.run(sentAt + 9_900 - h.world.clock.t);
    expect(story()).not.toContain('-slave-reconf-sent-timeout 6380');
    await h.run(500);
    expect(story()).toEqual([
      '+failover-state-reconf-slaves',
      '+slave-reconf-sent 6380',
      '-slave-reconf-sent-timeout 6380',
      '+slave-reconf-sent 6380',
      '+slave-reconf-sent 6382',
      '+slave-reconf-inprog 6382',
      '+slave-reconf-done 6382',
      '+failover-end',
    ]);
    expect(r3.masterPort).toBe(6381);
    expect(m.flags & SRI.FAILOVER_IN_PROGRESS).toBe(0);
  });
});

describe('votes', () => {
  it('answers IS-MASTER-DOWN-BY-ADDR with one vote per epoch', async () => {
    const h = harness();
    const { m } = topology(h);
    const { voteLeader } = await import('../../../../src/sentinel/failover/election.js');
    expect(voteLeader(h.core, m, 7, PEER_A)).toEqual({ leader: PEER_A, leaderEpoch: 7 });
    expect(voteLeader(h.core, m, 7, PEER_B)).toEqual({ leader: PEER_A, leaderEpoch: 7 });
    expect(h.core.state.currentEpoch).toBe(7);
    expect(voteLeader(h.core, m, 8, PEER_B)).toEqual({ leader: PEER_B, leaderEpoch: 8 });
    // Old epochs get the current vote back.
    expect(voteLeader(h.core, m, 6, PEER_A)).toEqual({ leader: PEER_B, leaderEpoch: 8 });
    expect(h.persisted.at(-1)!.masters[0]!.leaderEpoch).toBe(8);
    expect(h.persisted.at(-1)!.currentEpoch).toBe(8);
  });
});

describe('TILT', () => {
  it('enters TILT on a clock jump and does not act until it ends', async () => {
    const h = harness();
    const { master, m } = topology(h);
    await h.run(500);
    master.paused = true;
    h.world.clock.t += 5000;
    h.core.tick();
    await h.settle();
    expect(h.core.state.tilt).toBe(true);
    expect(h.types()).toContain('+tilt');
    await h.run(5000);
    expect(m.flags & SRI.S_DOWN).toBe(0);
    await h.run(26_000);
    expect(h.types()).toContain('-tilt');
    expect(h.events.find((e) => e.type === '+tilt')!.message).toBe('#tilt mode entered');
    expect(h.events.find((e) => e.type === '-tilt')!.message).toBe('#tilt mode exited');
    const t = h.types();
    expect(t.indexOf('+sdown')).toBeGreaterThan(t.indexOf('-tilt'));
  });
});

describe("after +switch-master, the peers' answers about the old master", () => {
  /** A failover to 6381 run to its end, as in the seed log. */
  async function failedOver() {
    const h = harness();
    const t = topology(h);
    await h.run(1000);
    t.master.paused = true;
    await h.run(3000);
    expect(h.types()).toContain('+switch-master');
    expect(t.m.addr.port).toBe(6381);
    return { h, ...t };
  }
  const peersOf = (m: Instance) => [...m.sentinels.values()];

  it('no longer count: a stall of this sentinel longer than down-after right after the switch is no ODOWN of the new master', async () => {
    const h = harness();
    const { master, r2, pa, pb, m } = topology(h);
    await h.run(1000);
    master.paused = true;
    for (let i = 0; i < 40 && !h.types().includes('+elected-leader'); i++) await h.run(100);
    // From the election on, the peers answer nothing in time (a loaded machine): their last
    // answers, "the old master is down", are what this sentinel holds at the switch.
    pa.hold();
    pb.hold();
    await h.run(3000);
    expect(h.types()).toContain('+switch-master');
    expect(m.addr.port).toBe(6381);
    // Then, right away, the new master does not answer this sentinel for 1.2 s (down-after is
    // 1 s): what a sentinel frozen for that long finds on waking. Nobody else says it is down.
    r2.paused = true;
    await h.run(1200);
    r2.paused = false;
    await h.run(1000);
    expect(h.types()).toContain('+sdown');
    expect(h.events.filter((e) => e.type === '+sdown' && e.message.startsWith('master mymaster 127.0.0.1 6381'))).toHaveLength(1);
    expect(h.types().filter((t) => t === '+odown')).toHaveLength(1);
    expect(h.types().filter((t) => t === '+try-failover')).toHaveLength(1);
    pa.release();
    pb.release();
  });

  it('are forgotten at the switch, and an answer asked for before it does not count for the new master', async () => {
    const { h, m, pa, pb } = await failedOver();
    // Peers that call down whatever they are asked about.
    pa.thinksDown = true;
    pb.thinksDown = true;
    for (const p of peersOf(m)) p.flags |= SRI.MASTER_DOWN;
    // A switch resets what they said (the address it was about is gone).
    resetMasterAndChangeAddress(h.core, m, '127.0.0.1', 6380);
    for (const p of peersOf(m)) expect(p.flags & SRI.MASTER_DOWN).toBe(0);
    // Asked about 6380 while SDOWN, the answers held back until the master record moved on.
    m.flags |= SRI.S_DOWN;
    pa.hold();
    pb.hold();
    askMasterStateToOtherSentinels(h.core, m, ASK_FORCED);
    resetMasterAndChangeAddress(h.core, m, '127.0.0.1', 6381);
    m.flags |= SRI.S_DOWN;
    pa.release();
    pb.release();
    await h.settle();
    for (const p of peersOf(m)) expect(p.flags & SRI.MASTER_DOWN).toBe(0);
  });
});

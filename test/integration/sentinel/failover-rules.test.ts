/**
 * Failover rules on real processes, TypeScript sentinels only: each abort, each replica-selection
 * rule that can be set up with real servers (the time-based ones are in the unit tests), manual
 * SENTINEL FAILOVER, parallel-syncs, safety without a majority, and TILT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RespConn, records, text } from '../../helpers/resp-conn.js';
import { freePort } from '../../helpers/ports.js';
import { startRedis, type Proc } from '../../helpers/procs.js';
import { REDIS_TEST_CONF, masterAddr, redisRole, sentinelCall, startTopology, stopTopology, waitDiscovered, waitFor, type Topology } from './topology.js';

let t: Topology | undefined;
afterEach(async (ctx) => {
  await stopTopology(t, ctx.task.result?.state === 'fail');
  t = undefined;
});

const TS3 = ['bundled', 'bundled', 'bundled'] as const;

async function runId(port: number): Promise<string> {
  const c = await RespConn.connect(port);
  try {
    return /run_id:(\w+)/.exec(text(await c.call('INFO', 'server')))![1]!;
  } finally {
    c.close();
  }
}

async function redisCmd(port: number, ...args: string[]): Promise<string> {
  const c = await RespConn.connect(port);
  try {
    return text(await c.call(...args));
  } finally {
    c.close();
  }
}

async function replOffset(port: number): Promise<number> {
  return Number(/slave_repl_offset:(-?\d+)/.exec(await redisCmd(port, 'INFO', 'replication'))![1]);
}

async function waitEvent(channel: string, timeoutMs = 20_000) {
  await waitFor(channel, async () => (t!.events.find(channel) ? [] : ['not seen']), timeoutMs);
  return t!.events.find(channel)!;
}

function selectedPort(): number {
  return Number(/slave \S+ \S+ (\d+) @/.exec(t!.events.find('+selected-slave')!.message)![1]);
}

/** Never two promotions, never two leaders, in one epoch, across all sentinels. */
function expectOnePromotionPerEpoch(): void {
  const byEpoch = new Map<string, number>();
  for (const s of t!.sentinels.keys()) {
    let epoch = '0';
    for (const e of t!.events.of(s)) {
      if (e.channel === '+new-epoch') epoch = e.message;
      if (e.channel === '+elected-leader' || e.channel === '+promoted-slave') {
        const k = `${e.channel} ${epoch}`;
        byEpoch.set(k, (byEpoch.get(k) ?? 0) + 1);
      }
    }
  }
  for (const [k, n] of byEpoch) expect(n, k).toBe(1);
}

describe('aborts', () => {
  it('no failover without a majority: -failover-abort-not-elected, master unchanged', async () => {
    t = await startTopology({ sentinels: [...TS3], failoverTimeout: 3000, perSentinel: [{ quorum: 1 }] });
    await waitDiscovered(t);
    // Two of three sentinels gone: the survivor reaches ODOWN alone (quorum 1) but cannot get
    // the 2 votes a majority of the 3 known voters needs.
    await t.sentinels[1]!.stop('SIGKILL');
    await t.sentinels[2]!.stop('SIGKILL');
    t.master.pause();
    await waitEvent('+try-failover');
    await waitEvent('-failover-abort-not-elected', 15_000);
    expect(t.events.find('+elected-leader')).toBeUndefined();
    expect(t.events.find('+promoted-slave')).toBeUndefined();
    expect(await masterAddr(t.sentinels[0]!.port)).toBe(`127.0.0.1:${t.master.port}`);
    for (const r of t.replicas) expect(await redisRole(r.port)).toBe(`slave of 127.0.0.1:${t.master.port}`);
  });

  it('-failover-abort-no-good-slave when every replica has priority 0, and SENTINEL FAILOVER says -NOGOODSLAVE', async () => {
    t = await startTopology({ sentinels: [...TS3], replicaConf: () => ['replica-priority 0'] });
    await waitDiscovered(t);
    const r = await sentinelCall(t.sentinels[0]!.port, 'SENTINEL', 'FAILOVER', 'mymaster');
    expect(r).toEqual({ type: 'error', value: 'NOGOODSLAVE No suitable replica to promote' });
    t.master.pause();
    await waitEvent('-failover-abort-no-good-slave');
    expect(t.events.find('+selected-slave')).toBeUndefined();
  });

  it('-failover-abort-slave-timeout when the chosen replica never becomes master', async () => {
    // SLAVEOF is renamed away on the only replica: the promotion transaction fails.
    t = await startTopology({ sentinels: [...TS3], replicas: 1, failoverTimeout: 3000, replicaConf: () => ['rename-command SLAVEOF ""'] });
    await waitDiscovered(t);
    t.master.pause();
    await waitEvent('+failover-state-wait-promotion');
    const abort = await waitEvent('-failover-abort-slave-timeout', 15_000);
    expect(abort.message).toBe(`master mymaster 127.0.0.1 ${t.master.port}`);
    expect(t.events.find('+promoted-slave')).toBeUndefined();
    expect(await redisRole(t.replicas[0]!.port)).toBe(`slave of 127.0.0.1:${t.master.port}`);
  });
});

describe('manual failover', () => {
  it('SENTINEL FAILOVER promotes without agreement, -INPROG while running, old master follows', async () => {
    t = await startTopology({ sentinels: [...TS3] });
    await waitDiscovered(t);
    const port = t.sentinels[1]!.port;
    const c = await RespConn.connect(port);
    try {
      expect(text(await c.call('SENTINEL', 'FAILOVER', 'mymaster'))).toBe('OK');
      const again = await c.call('SENTINEL', 'FAILOVER', 'mymaster');
      expect(again).toEqual({ type: 'error', value: 'INPROG Failover already in progress' });
    } finally {
      c.close();
    }
    await waitFor('all switched', async () => {
      const a = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      return a.every((x) => x !== `127.0.0.1:${t!.master.port}` && x === a[0]) ? [] : a;
    });
    expect(t.events.find('+elected-leader')!.sentinel).toBe(1);
    const newAddr = await masterAddr(port);
    await waitFor('old master now a replica', async () => {
      const r = await redisRole(t!.master.port);
      return r === `slave of ${newAddr}` ? [] : [r];
    });
    expectOnePromotionPerEpoch();
  });
});

describe('replica selection on real servers', () => {
  it('lower replica-priority wins; priority 0 is never chosen', async () => {
    t = await startTopology({ sentinels: [...TS3], replicas: 3 });
    const ids = await Promise.all(t.replicas.map((r) => runId(r.port)));
    // Make the decision depend on priority alone: the replica with the largest run id gets the
    // best priority, the one with the smallest (the run-id rule's choice) priority 0.
    const order = [...t.replicas.keys()].sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
    const best = t.replicas[order[2]!]!;
    await redisCmd(best.port, 'CONFIG', 'SET', 'replica-priority', '10');
    await redisCmd(t.replicas[order[0]!]!.port, 'CONFIG', 'SET', 'replica-priority', '0');
    await waitDiscovered(t);
    await waitFor('priorities seen', async () => {
      const reps = records(await sentinelCall(t!.sentinels[0]!.port, 'SENTINEL', 'REPLICAS', 'mymaster'));
      return reps.some((r) => r['slave-priority'] === '10') && reps.some((r) => r['slave-priority'] === '0') ? [] : ['stale'];
    });
    t.master.pause();
    await waitEvent('+switch-master');
    expect(selectedPort()).toBe(best.port);
  });

  it('larger replication offset wins over a smaller run id', async () => {
    t = await startTopology({ sentinels: [...TS3], downAfter: 3000 });
    await waitDiscovered(t);
    // Run ids are random; instead of restarting a replica until the ids happen to sort the right
    // way, take the replica with the larger id as the one ahead, and keep the other one behind
    // by pointing it away (at a port where nothing listens) while the master takes writes. It
    // stays a replica with its run id, and keeps the offset it had.
    const ids = await Promise.all(t.replicas.map((r) => runId(r.port)));
    const [behind, ahead] = ids[0]! < ids[1]! ? [t.replicas[0]!, t.replicas[1]!] : [t.replicas[1]!, t.replicas[0]!];
    await redisCmd(behind.port, 'REPLICAOF', '127.0.0.1', String(await freePort()));
    for (let i = 0; i < 50; i++) await redisCmd(t.master.port, 'SET', `k${i}`, 'x'.repeat(100));
    const masterOffset = Number(/master_repl_offset:(\d+)/.exec(await redisCmd(t.master.port, 'INFO', 'replication'))![1]);
    await waitFor('the ahead replica has every write', async () => {
      const o = await replOffset(ahead.port);
      return o >= masterOffset ? [] : [`offset ${o} < ${masterOffset}`];
    });
    t.master.pause();
    // Back on the (now paused) master: it cannot catch up, and the sentinels see it as a normal
    // replica of the master whose link is down since a moment.
    await redisCmd(behind.port, 'REPLICAOF', '127.0.0.1', String(t.master.port));
    expect(await runId(behind.port)).toBe(ids[t.replicas.indexOf(behind)]);
    expect((await runId(behind.port)) < (await runId(ahead.port))).toBe(true);
    expect(await replOffset(behind.port)).toBeLessThan(await replOffset(ahead.port));
    await waitEvent('+switch-master');
    expect(selectedPort()).toBe(ahead.port);
  });

  it('with equal priority and offset, the smaller run id wins', async () => {
    t = await startTopology({ sentinels: [...TS3], masterConf: ['repl-ping-replica-period 60'] });
    await waitDiscovered(t);
    const ids = await Promise.all(t.replicas.map((r) => runId(r.port)));
    const offsets = await Promise.all(t.replicas.map(async (r) => /slave_repl_offset:(\d+)/.exec(await redisCmd(r.port, 'INFO', 'replication'))![1]));
    expect(offsets[0]).toBe(offsets[1]);
    t.master.pause();
    await waitEvent('+switch-master');
    const expected = ids[0]!.toLowerCase() < ids[1]!.toLowerCase() ? 0 : 1;
    expect(selectedPort()).toBe(t.replicas[expected]!.port);
  });

  it('an SDOWN replica is not chosen, even with the best priority', async () => {
    t = await startTopology({ sentinels: [...TS3] });
    const down = t.replicas[0]!;
    await redisCmd(down.port, 'CONFIG', 'SET', 'replica-priority', '1');
    await waitDiscovered(t);
    down.pause();
    await waitFor('replica SDOWN everywhere', async () => {
      const missing: string[] = [];
      for (const s of t!.sentinels) {
        const reps = records(await sentinelCall(s.port, 'SENTINEL', 'REPLICAS', 'mymaster'));
        if (!reps.find((r) => Number(r.port) === down.port)?.flags?.includes('s_down')) missing.push(String(s.port));
      }
      return missing;
    });
    t.master.pause();
    await waitEvent('+switch-master');
    expect(selectedPort()).toBe(t.replicas[1]!.port);
  });
});

describe('wrong master', () => {
  it('a replica pointed at another master is repointed after failover-timeout (+fix-slave-config)', async () => {
    t = await startTopology({ sentinels: [...TS3], failoverTimeout: 3000 });
    await waitDiscovered(t);
    const stray = t.replicas[1]!;
    const moved = Date.now();
    await redisCmd(stray.port, 'REPLICAOF', '127.0.0.1', String(t.replicas[0]!.port));
    const fix = await waitEvent('+fix-slave-config', 20_000);
    expect(fix.message).toBe(`slave 127.0.0.1:${stray.port} 127.0.0.1 ${stray.port} @ mymaster 127.0.0.1 ${t.master.port}`);
    expect(fix.at - moved).toBeGreaterThan(3000);
    await waitFor('back on the master', async () => {
      const r = await redisRole(stray.port);
      return r === `slave of 127.0.0.1:${t!.master.port}` ? [] : [r];
    });
  });
});

describe('parallel-syncs', () => {
  it.each([1, 2])('parallel-syncs %i reconfigures that many replicas at a time', async (n) => {
    t = await startTopology({ sentinels: [...TS3], replicas: 3, sentinelConf: [`sentinel parallel-syncs mymaster ${n}`] });
    await waitDiscovered(t);
    t.master.pause();
    try {
      await waitEvent('+failover-end');
    } catch (err) {
      for (const x of t.sentinels) console.log(x.log());
      throw err;
    }
    const leader = t.events.find('+elected-leader')!.sentinel;
    const seq = t.events
      .of(leader)
      .filter((e) => e.channel === '+slave-reconf-sent' || e.channel === '+slave-reconf-done')
      .map((e) => e.channel);
    expect(seq.filter((c) => c === '+slave-reconf-sent')).toHaveLength(2);
    expect(seq.filter((c) => c === '+slave-reconf-done')).toHaveLength(2);
    if (n === 1) expect(seq).toEqual(['+slave-reconf-sent', '+slave-reconf-done', '+slave-reconf-sent', '+slave-reconf-done']);
    else expect(seq.slice(0, 2)).toEqual(['+slave-reconf-sent', '+slave-reconf-sent']);
    expectOnePromotionPerEpoch();
  });
});

describe('reconfiguring the replicas', () => {
  /** The leader's events in order, as `channel port-of-the-instance`. */
  function leaderStory(leader: number): string[] {
    return t!.events.of(leader).map((e) => `${e.channel} ${/(?:slave|master) \S+ \S+ (\d+)/.exec(e.message)?.[1] ?? ''}`.trim());
  }

  /** Every other sentinel adopted the new master (hello, config epoch) before the leader finished. */
  function expectFollowersSwitchedBeforeEnd(leader: number): void {
    const end = t!.events.find('+failover-end', leader)!;
    for (const i of t!.sentinels.keys()) {
      if (i === leader) continue;
      expect(t!.events.find('+config-update-from', i), `sentinel ${i} +config-update-from`).toBeDefined();
      const sw = t!.events.find('+switch-master', i);
      expect(sw, `sentinel ${i} +switch-master`).toBeDefined();
      expect(sw!.at, `sentinel ${i} switched while the leader was still reconfiguring`).toBeLessThan(end.at);
    }
  }

  it('a replica that refuses SLAVEOF: -slave-reconf-sent-timeout, the others are reconfigured, the failover ends; the other sentinels switched long before', async () => {
    // Replica 1 is the one promoted (better priority). Replica 2 cannot run SLAVEOF: its
    // reconfiguration is sent and goes no further, holding the only parallel-syncs slot until it
    // times out. Replica 3 follows the new master normally.
    t = await startTopology({
      sentinels: [...TS3],
      replicas: 3,
      replicaConf: (i) => (i === 0 ? ['replica-priority 10'] : i === 1 ? ['rename-command SLAVEOF ""'] : []),
    });
    const [promoted, stuck, normal] = t.replicas as [Proc, Proc, Proc];
    await waitDiscovered(t);
    for (const s of t.sentinels) await sentinelCall(s.port, 'SENTINEL', 'DEBUG', 'slave-reconf-timeout', '3000');
    t.master.pause();
    await waitEvent('+failover-end', 30_000);
    const leader = t.events.find('+elected-leader')!.sentinel;
    const story = leaderStory(leader);
    const where = (line: string) => story.indexOf(line);
    expect(story, story.join('\n')).toContain(`+promoted-slave ${promoted.port}`);
    expect(where(`+slave-reconf-sent ${stuck.port}`), story.join('\n')).toBeGreaterThan(-1);
    expect(where(`-slave-reconf-sent-timeout ${stuck.port}`), story.join('\n')).toBeGreaterThan(where(`+slave-reconf-sent ${stuck.port}`));
    expect(where(`+slave-reconf-done ${normal.port}`), story.join('\n')).toBeGreaterThan(-1);
    expect(where(`+failover-end ${t.master.port}`)).toBeGreaterThan(where(`-slave-reconf-sent-timeout ${stuck.port}`));
    expect(story).not.toContain(`+slave-reconf-inprog ${stuck.port}`);
    expect(story).not.toContain(`+failover-end-for-timeout ${t.master.port}`);
    const at = (channel: string) => t!.events.of(leader).find((e) => e.channel === channel && e.message.includes(` ${stuck.port} @`))!.at;
    expect(at('-slave-reconf-sent-timeout') - at('+slave-reconf-sent')).toBeGreaterThan(2500);
    expectFollowersSwitchedBeforeEnd(leader);
    expect(await redisRole(normal.port)).toBe(`slave of 127.0.0.1:${promoted.port}`);
    await waitFor('all sentinels name the promoted replica', async () => {
      const a = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      return a.every((x) => x === `127.0.0.1:${promoted.port}`) ? [] : a;
    });
    expectOnePromotionPerEpoch();
  });

  it('a replica whose sync never completes: the failover ends at failover-timeout (+failover-end-for-timeout)', async () => {
    // The promoted replica delays full syncs by 60 s (diskless, waiting for more replicas). The
    // other replica is restarted empty once the master is paused, so it needs a full sync from
    // the new master: it follows it (+slave-reconf-inprog) but its link never comes up.
    t = await startTopology({
      sentinels: [...TS3],
      failoverTimeout: 6000,
      replicaConf: (i) => (i === 0 ? ['replica-priority 10', 'repl-diskless-sync yes', 'repl-diskless-sync-delay 60'] : []),
    });
    const promoted = t.replicas[0]!;
    await waitDiscovered(t);
    t.master.pause();
    const old = t.replicas[1]!;
    await old.stop('SIGKILL');
    const syncing = await startRedis('replica2-again', { port: old.port, replicaOf: { host: '127.0.0.1', port: t.master.port }, conf: REDIS_TEST_CONF });
    t.replicas[1] = syncing;
    await waitEvent('+failover-end', 40_000);
    const leader = t.events.find('+elected-leader')!.sentinel;
    const story = leaderStory(leader);
    expect(story).toContain(`+promoted-slave ${promoted.port}`);
    const inprog = story.indexOf(`+slave-reconf-inprog ${syncing.port}`);
    const forTimeout = story.indexOf(`+failover-end-for-timeout ${t.master.port}`);
    expect(inprog, story.join('\n')).toBeGreaterThan(-1);
    expect(forTimeout, story.join('\n')).toBeGreaterThan(inprog);
    expect(story.indexOf(`+failover-end ${t.master.port}`)).toBeGreaterThan(forTimeout);
    expect(story).not.toContain(`+slave-reconf-done ${syncing.port}`);
    const ev = (channel: string) => t!.events.of(leader).find((e) => e.channel === channel)!.at;
    expect(ev('+failover-end-for-timeout') - ev('+failover-state-reconf-slaves')).toBeGreaterThan(5000);
    // It really was still syncing with the new master.
    const info = await redisCmd(syncing.port, 'INFO', 'replication');
    expect(info).toContain(`master_port:${promoted.port}`);
    expect(info).toContain('master_link_status:down');
    expectFollowersSwitchedBeforeEnd(leader);
    await waitFor('all sentinels name the promoted replica', async () => {
      const a = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      return a.every((x) => x === `127.0.0.1:${promoted.port}`) ? [] : a;
    });
  });
});

describe('TILT', () => {
  it('a sentinel frozen for more than 2 s enters TILT, says "not down" meanwhile, and leaves it', async () => {
    t = await startTopology({ sentinels: ['bundled'], quorum: 1 });
    const s = t.sentinels[0]!;
    await waitFor('replicas known', async () => (records(await sentinelCall(s.port, 'SENTINEL', 'REPLICAS', 'mymaster')).length === 2 ? [] : ['no']));
    // Long enough that the checks below fall inside it on a loaded runner too (CI once took more
    // than 3 s from +tilt to the last of them, and saw an +sdown after TILT had ended).
    await sentinelCall(s.port, 'SENTINEL', 'DEBUG', 'tilt-period', '10000');
    s.pause();
    await new Promise((r) => setTimeout(r, 2500));
    s.resume();
    await waitEvent('+tilt');
    expect(text(await sentinelCall(s.port, 'INFO', 'sentinel'))).toMatch(/sentinel_tilt:1\r\nsentinel_tilt_since_seconds:\d+/);
    // In TILT nothing is acted on: a master going down now is not even SDOWN.
    t.master.pause();
    await new Promise((r) => setTimeout(r, 1500));
    const r = await sentinelCall(s.port, 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(t.master.port), '0', '*');
    const sdown = t.events.find('+sdown');
    // The premise: still in TILT after the checks (otherwise they prove nothing either way).
    expect(text(await sentinelCall(s.port, 'INFO', 'sentinel')), 'still in TILT after the checks').toMatch(/sentinel_tilt:1\r\n/);
    expect(sdown).toBeUndefined();
    expect(r.type === 'array' && r.value[0]).toEqual({ type: 'integer', value: 0 });
    await waitEvent('-tilt', 20_000);
    await waitEvent('+sdown', 10_000);
    t.master.resume();
  });
});

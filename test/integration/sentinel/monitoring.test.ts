/**
 * Monitoring by TypeScript sentinels on real processes: discovery events in the log, per-instance
 * state, +reboot of a restarted replica, +sdown/-sdown of a replica and of a peer sentinel, and the
 * hello gossip keeping peers fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, stopAll } from '../../helpers/procs.js';
import { parseLog } from './log.js';
import { record, records } from '../../helpers/resp-conn.js';
import { REDIS_TEST_CONF, sentinelCall, startTopology, waitDiscovered, waitFor, type Topology } from './topology.js';

let t: Topology;

beforeAll(async () => {
  t = await startTopology({ sentinels: ['bundled', 'bundled', 'bundled'] });
  await waitDiscovered(t);
}, 60_000);

afterAll(async () => {
  t?.events.close();
  await stopAll();
});

describe('monitoring', () => {
  it('logs +monitor, +slave and +sentinel in Redis format', () => {
    const lines = parseLog(t.sentinels[0]!.log());
    const m = `mymaster 127.0.0.1 ${t.master.port}`;
    expect(lines.find((l) => l.event === '+monitor')).toMatchObject({ level: '#', message: `+monitor master ${m} quorum 2` });
    for (const r of t.replicas) {
      expect(lines.some((l) => l.level === '*' && l.message === `+slave slave 127.0.0.1:${r.port} 127.0.0.1 ${r.port} @ ${m}`)).toBe(true);
    }
    const sentinelLines = lines.filter((l) => l.event === '+sentinel');
    expect(sentinelLines).toHaveLength(2);
    for (const l of sentinelLines) expect(l.message).toMatch(new RegExp(`^\\+sentinel sentinel [0-9a-f]{40} 127\\.0\\.0\\.1 \\d+ @ ${m}$`));
  });

  it('reports per-instance state', async () => {
    const master = record(await sentinelCall(t.sentinels[0]!.port, 'SENTINEL', 'MASTER', 'mymaster'));
    expect(master).toMatchObject({ flags: 'master', 'role-reported': 'master', 'num-slaves': '2', 'num-other-sentinels': '2', quorum: '2' });
    expect(Number(master['last-ok-ping-reply'])).toBeLessThan(1000);
    const reps = records(await sentinelCall(t.sentinels[0]!.port, 'SENTINEL', 'REPLICAS', 'mymaster'));
    for (const r of reps) {
      expect(r).toMatchObject({
        flags: 'slave',
        'role-reported': 'slave',
        'master-link-status': 'ok',
        'master-host': '127.0.0.1',
        'master-port': String(t.master.port),
      });
    }
    // A replica synced from a fresh master has offset 0 until the master's first replication
    // PING (every second here); the sentinel reads it from INFO, polled every 10 s outside a
    // failover. So the offsets it reports turn positive within one INFO period, not at once.
    await waitFor(
      'replication offsets reported',
      async () => {
        const now = records(await sentinelCall(t.sentinels[0]!.port, 'SENTINEL', 'REPLICAS', 'mymaster'));
        return now.filter((r) => !(Number(r['slave-repl-offset']) > 0)).map((r) => `${r.name}: slave-repl-offset ${r['slave-repl-offset']}`);
      },
      25_000,
      250,
    );
    const peers = records(await sentinelCall(t.sentinels[0]!.port, 'SENTINEL', 'SENTINELS', 'mymaster'));
    for (const p of peers) expect(Number(p['last-hello-message'])).toBeLessThan(3000);
  });

  it('+sdown / -sdown of a replica and of a peer sentinel', async () => {
    const r = t.replicas[0]!;
    r.pause();
    await waitFor('+sdown slave', async () =>
      t.events.all.some((e) => e.channel === '+sdown' && e.message.startsWith(`slave 127.0.0.1:${r.port}`)) ? [] : ['no'],
    );
    r.resume();
    await waitFor('-sdown slave', async () =>
      t.events.all.some((e) => e.channel === '-sdown' && e.message.startsWith(`slave 127.0.0.1:${r.port}`)) ? [] : ['no'],
    );

    const peer = t.sentinels[2]!;
    peer.pause();
    // Sentinel 0's own +sdown: the flags checked next are its view (another sentinel may get there first).
    await waitFor('+sdown sentinel', async () =>
      t.events.of(0).some((e) => e.channel === '+sdown' && e.message.startsWith('sentinel ') && e.message.includes(` ${peer.port} @`)) ? [] : ['no'],
    );
    const flags = records(await sentinelCall(t.sentinels[0]!.port, 'SENTINEL', 'SENTINELS', 'mymaster')).find((p) => Number(p.port) === peer.port)!.flags;
    expect(flags).toBe('s_down,sentinel');
    peer.resume();
    await waitFor('-sdown sentinel', async () =>
      t.events.of(0).some((e) => e.channel === '-sdown' && e.message.startsWith('sentinel ') && e.message.includes(` ${peer.port} @`)) ? [] : ['no'],
    );
  });

  it('+reboot when a replica comes back with a new run id', async () => {
    const r = t.replicas[1]!;
    await r.stop('SIGKILL');
    t.replicas[1] = await startRedis('replica2-again', { port: r.port, replicaOf: { host: t.master.host, port: t.master.port }, conf: REDIS_TEST_CONF });
    await waitFor(
      '+reboot',
      async () =>
        t.events.all.some((e) => e.channel === '+reboot' && e.message === `slave 127.0.0.1:${r.port} 127.0.0.1 ${r.port} @ mymaster 127.0.0.1 ${t.master.port}`)
          ? []
          : ['no'],
      30_000,
    );
  });
});

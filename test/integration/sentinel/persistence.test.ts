/**
 * Persistence: a TypeScript sentinel restarted after a failover comes back with the new master,
 * its id, epochs, replicas and peers; one killed with SIGKILL at any moment of a failover leaves a
 * readable file whose epoch is never older than what it had announced, and once restarted the
 * group converges on one master.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSentinelConfig } from '../../../src/sentinel/config/parse.js';
import { restartSentinel } from '../../helpers/procs.js';
import { records, text } from '../../helpers/resp-conn.js';
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
  type Topology,
} from './topology.js';

let t: Topology | undefined;
afterEach(async (ctx) => {
  await stopTopology(t, ctx.task.result?.state === 'fail');
  t = undefined;
});

async function allAgree(): Promise<string> {
  let agreed = '';
  await waitFor(
    'sentinels agree on one master that is a master',
    async () => {
      const addrs = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      if (!addrs.every((a) => a === addrs[0])) return addrs;
      if (addrs[0] === `127.0.0.1:${t!.master.port}`) return ['still the old master'];
      const role = await redisRole(Number(addrs[0]!.split(':')[1]));
      if (role !== 'master') return [`${addrs[0]} is ${role}`];
      agreed = addrs[0]!;
      return [];
    },
    40_000,
  ).catch((err) => {
    for (const [i, s] of t!.sentinels.entries()) console.log(`---- sentinel ${i}\n${s.log()}`);
    throw err;
  });
  return agreed;
}

/** Highest epoch a sentinel showed: +new-epoch, its votes, the config epochs it switched to. */
function announcedEpoch(index: number): number {
  let max = 0;
  for (const e of t!.events.of(index)) {
    if (e.channel === '+new-epoch') max = Math.max(max, Number(e.message));
    if (e.channel === '+vote-for-leader') max = Math.max(max, Number(e.message.split(' ')[1]));
  }
  return max;
}

describe('restart', () => {
  it('comes back after a failover with the new master, id, epoch, replicas and peers', async () => {
    t = await startTopology({ sentinels: ['bundled', 'bundled', 'bundled'] });
    await waitDiscovered(t);
    t.master.pause();
    const newMaster = await waitFor('failover', async () =>
      (await masterAddr(t!.sentinels[2]!.port)) !== `127.0.0.1:${t!.master.port}` ? [] : ['not yet'],
    ).then(() => allAgree());
    const s = t.sentinels[2]!;
    const id = text(await sentinelCall(s.port, 'SENTINEL', 'MYID'));
    await s.stop('SIGTERM');
    const again = await restartSentinel(s, 'bundled');
    t.sentinels[2] = Object.assign(again, { impl: 'bundled' as const });
    expect(text(await sentinelCall(again.port, 'SENTINEL', 'MYID'))).toBe(id);
    expect(await masterAddr(again.port)).toBe(newMaster);
    expect((await masterRecord(again.port))['config-epoch']).toBe('1');
    expect(fileEpoch(t.sentinels[2])).toBe(1);
    const reps = records(await sentinelCall(again.port, 'SENTINEL', 'REPLICAS', 'mymaster'))
      .map((r) => Number(r.port))
      .sort();
    const expected = [t.master.port, ...t.replicas.map((r) => r.port)].filter((p) => `127.0.0.1:${p}` !== newMaster).sort();
    expect(reps).toEqual(expected);
    expect(records(await sentinelCall(again.port, 'SENTINEL', 'SENTINELS', 'mymaster'))).toHaveLength(2);
  });
});

describe('SIGKILL during a failover', () => {
  const points = ['+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+slave-reconf-sent', '+failover-end'];

  it.each(points)('killed at %s: file intact, epoch not older, group converges after restart', async (point) => {
    t = await startTopology({ sentinels: ['bundled', 'bundled', 'bundled'], failoverTimeout: 4000 });
    await waitDiscovered(t);
    t.master.pause();
    await waitFor(point, async () => (t!.events.find(point) ? [] : ['not yet']), 20_000);
    const victimIdx = t.events.find(point)!.sentinel;
    const victim = t.sentinels[victimIdx]!;
    victim.child.kill('SIGKILL');
    await new Promise<void>((r) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? r() : victim.child.once('exit', () => r())));

    // The file is whole and readable, and its epoch is at least every epoch the sentinel showed.
    const cfg = parseSentinelConfig(readFileSync(victim.confFile, 'utf8'), victim.confFile);
    expect(cfg.masters).toHaveLength(1);
    expect(cfg.currentEpoch).toBeGreaterThanOrEqual(announcedEpoch(victimIdx));
    const epochAtDeath = cfg.currentEpoch;

    const again = await restartSentinel(victim, 'bundled');
    t.sentinels[victimIdx] = Object.assign(again, { impl: 'bundled' as const });
    const agreed = await allAgree();
    expect(agreed).not.toBe(`127.0.0.1:${t.master.port}`);
    expect(fileEpoch(t.sentinels[victimIdx])).toBeGreaterThanOrEqual(epochAtDeath);
    // One configuration: the same config epoch everywhere.
    const epochs = await Promise.all(t.sentinels.map(async (s) => (await masterRecord(s.port))['config-epoch']));
    expect(new Set(epochs).size).toBe(1);
  });

  it.each(['crash-after-election', 'crash-after-promotion'])('SENTINEL SIMULATE-FAILURE %s: the others or the restarted one finish the job', async (mode) => {
    t = await startTopology({ sentinels: ['bundled', 'bundled', 'bundled'], failoverTimeout: 3000 });
    await waitDiscovered(t);
    for (const s of t.sentinels) expect(text(await sentinelCall(s.port, 'SENTINEL', 'SIMULATE-FAILURE', mode))).toBe('OK');
    t.master.pause();
    await waitFor('a crash', async () => (t!.sentinels.some((s) => s.child.exitCode !== null) ? [] : ['no crash yet']), 20_000);
    const idx = t.sentinels.findIndex((s) => s.child.exitCode !== null);
    expect(t.sentinels[idx]!.child.exitCode).toBe(99);
    expect(t.sentinels[idx]!.log()).toContain('Sentinel CRASH because of SENTINEL simulate-failure');
    // The others must not crash in turn: any SIMULATE-FAILURE call clears the flags first.
    for (const [i, s] of t.sentinels.entries()) if (i !== idx) await sentinelCall(s.port, 'SENTINEL', 'SIMULATE-FAILURE', 'help');
    const again = await restartSentinel(t.sentinels[idx]!, 'bundled');
    t.sentinels[idx] = Object.assign(again, { impl: 'bundled' as const });
    const agreed = await allAgree();
    expect(agreed).not.toBe(`127.0.0.1:${t.master.port}`);
  });
});

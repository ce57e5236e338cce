/**
 * Crash-safety trials for the bundled sentinel: real redis-server master + 2 replicas and three
 * bundled sentinels (quorum 2). Each trial pauses the current master (SIGSTOP, what
 * `docker pause` does), SIGKILLs one sentinel at a random moment of the failover that follows
 * (the elected leader half of the time once there is one), restarts it after a random delay,
 * resumes the old master, and then checks:
 *
 * - the killed sentinel's config file, as it was on disk at the moment of the kill and after the
 *   run, parses with the sentinel's own parser and is accepted by a real redis-sentinel 7.0;
 * - no epoch goes backwards across the restart: the current-epoch loaded from the file is at
 *   least every epoch the sentinel had announced (+new-epoch, +vote-for-leader) or written, and
 *   the master's config-epoch at least what it reported just before the kill;
 * - the topology converges: every sentinel names the same master, that node is the only
 *   redis-server in role master, the others replicate it with their link up, and every sentinel
 *   again sees both replicas and both other sentinels.
 *
 * Used by test/integration/hardening/crash-safety.test.ts (a couple of trials) and by
 * bench/crash-safety.ts (as many as asked for).
 */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSentinelConfig } from '../../../src/sentinel/config/parse.js';
import { freePort, waitForPort } from '../../helpers/ports.js';
import { repoRoot, startProgram, tempDir, type Proc } from '../../helpers/procs.js';
import { records, text } from '../../helpers/resp-conn.js';
import {
  masterAddr,
  masterRecord,
  redisRole,
  sentinelCall,
  startTopology,
  waitDiscovered,
  waitFor,
  type SentinelProc,
  type Topology,
} from '../sentinel/topology.js';

export interface TrialResult {
  trial: number;
  /** ms after the master was paused. */
  killAfterMs: number;
  restartAfterMs: number;
  victim: number;
  victimWasLeader: boolean;
  /** What the victim had seen of the failover when it died. */
  phaseAtKill: string;
  epochBefore: number;
  epochAfterRestart: number;
  configEpochBefore: number;
  configEpochAfterRestart: number;
  oldMaster: string;
  newMaster: string;
  /** From pause to every sentinel naming a new master. */
  failoverMs: number;
  /** From resuming the old master to full convergence. */
  convergeMs: number;
  /** First time (ms after the pause) any sentinel announced each failover step. */
  timeline: Record<string, number>;
}

export interface TrialOptions {
  trials: number;
  seed: number;
  /** Where progress goes (one line per trial). */
  log?: (line: string) => void;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
}

const NAME = 'mymaster';
const MAIN = path.join(repoRoot, 'dist', 'sentinel', 'main.js');

/** A small seeded PRNG (mulberry32), so that a failing run can be repeated with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Steps after which a kill is aimed (the sentinel that announced it is killed half the time). */
const KILL_STEPS = [
  '+sdown',
  '+odown',
  '+try-failover',
  '+vote-for-leader',
  '+elected-leader',
  '+selected-slave',
  '+failover-state-send-slaveof-noone',
  '+promoted-slave',
  '+slave-reconf-sent',
  '+switch-master',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fileEpochs(file: string): { current: number; config: number } {
  const text = readFileSync(file, 'utf8');
  return {
    current: Number(/^sentinel current-epoch (\d+)$/m.exec(text)?.[1] ?? 0),
    config: Number(/^sentinel config-epoch \S+ (\d+)$/m.exec(text)?.[1] ?? 0),
  };
}

/** Highest epoch the sentinel announced in its events: +new-epoch N, +vote-for-leader <id> N. */
function announcedEpoch(t: Topology, index: number, since: number): number {
  let max = 0;
  for (const e of t.events.of(index)) {
    if (e.at < since) continue;
    if (e.channel === '+new-epoch') max = Math.max(max, Number(e.message.trim()));
    if (e.channel === '+vote-for-leader') max = Math.max(max, Number(e.message.trim().split(' ')[1]));
  }
  return max;
}

const STEPS = [
  '+sdown',
  '+odown',
  '+try-failover',
  '+elected-leader',
  '+selected-slave',
  '+promoted-slave',
  '+slave-reconf-sent',
  '+failover-end',
  '+switch-master',
];

function timeline(t: Topology, since: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of t.events.all) {
    if (e.at < since || !STEPS.includes(e.channel) || e.channel in out) continue;
    if ((e.channel === '+sdown' || e.channel === '+odown') && !e.message.startsWith('master')) continue;
    out[e.channel] = e.at - since;
  }
  return out;
}

/** The last failover step the sentinel announced, for the report. */
function phase(t: Topology, index: number, since: number): string {
  const steps = STEPS;
  let last = 'none';
  for (const e of t.events.of(index)) {
    if (e.at < since || !steps.includes(e.channel)) continue;
    // +sdown of a replica or a sentinel is not a step of the failover.
    if ((e.channel === '+sdown' || e.channel === '+odown') && !e.message.startsWith('master')) continue;
    last = e.channel;
  }
  return last;
}

/** The same sentinel again: same config file, same port, same directory. */
async function restartSentinel(s: SentinelProc): Promise<SentinelProc> {
  const p = await startProgram(`${s.name}-r`, process.execPath, [MAIN, s.confFile], { host: s.host, port: s.port, dir: s.dir });
  return Object.assign(p, { impl: s.impl, confFile: s.confFile });
}

async function sigkill(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGKILL');
  await exited;
  await p.stop('SIGKILL');
}

/** Every sentinel names one master, which is the only master, replicated by the others with links up. */
async function converged(t: Topology, all: Proc[]): Promise<string[]> {
  const missing: string[] = [];
  const addrs = await Promise.all(t.sentinels.map((s) => masterAddr(s.port, NAME).catch(() => '?')));
  if (new Set(addrs).size !== 1 || addrs[0] === '?') return [`sentinels disagree: ${addrs.join(' ')}`];
  const master = addrs[0]!;
  for (const node of all) {
    const role = await redisRole(node.port).catch(() => 'unreachable');
    const me = `${node.host}:${node.port}`;
    if (me === master ? role !== 'master' : role !== `slave of ${master}`) missing.push(`${me} is ${role}`);
    if (me !== master) {
      const info = text(await sentinelCall(node.port, 'INFO', 'replication').catch(() => undefined));
      if (!/master_link_status:up/.test(info)) missing.push(`${me} link to ${master} not up`);
    }
  }
  for (const [i, s] of t.sentinels.entries()) {
    const reps = records(await sentinelCall(s.port, 'SENTINEL', 'REPLICAS', NAME)).filter((r) => !/s_down|disconnected/.test(r.flags ?? ''));
    if (reps.length !== 2) missing.push(`sentinel ${i} sees ${reps.length}/2 healthy replicas`);
    const sens = records(await sentinelCall(s.port, 'SENTINEL', 'SENTINELS', NAME)).filter((r) => !/s_down|disconnected/.test(r.flags ?? ''));
    if (sens.length !== 2) missing.push(`sentinel ${i} sees ${sens.length}/2 sentinels`);
  }
  return missing;
}

/**
 * Starts a real redis-sentinel on a copy of the file (on a free port) and waits for it to answer.
 * Only call this once nothing the file monitors is running: the real sentinel would otherwise
 * gossip its id into the topology under test.
 */
export async function redisSentinelAccepts(snapshot: string): Promise<void> {
  const dir = tempDir('sc-crash-accept-');
  const copy = path.join(dir, 'sentinel.conf');
  copyFileSync(snapshot, copy);
  const port = await freePort();
  const expected = parseSentinelConfig(readFileSync(copy, 'utf8'), copy).masters.length;
  const p = await startProgram('accept', 'redis-sentinel', [copy, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], {
    host: '127.0.0.1',
    port,
    dir,
  });
  try {
    await waitForPort(port);
    const masters = records(await sentinelCall(port, 'SENTINEL', 'MASTERS'));
    if (masters.length !== expected) throw new Error(`redis-sentinel loaded ${masters.length} masters from ${snapshot}, the file has ${expected}`);
    if (/FATAL|Bad directive/i.test(p.log())) throw new Error(`redis-sentinel complained about ${snapshot}:\n${p.log()}`);
  } finally {
    await p.stop('SIGKILL');
  }
}

export interface TrialRun {
  results: TrialResult[];
  /** Config files saved at each kill and at the end, to be checked with redis-sentinel once the topology is gone. */
  snapshots: string[];
  topology: Topology;
}

/**
 * Runs the trials on one topology (each trial starts from the converged state the previous one
 * left). Throws with the trial's details as soon as an invariant fails.
 */
export async function runCrashTrials(opts: TrialOptions): Promise<TrialRun> {
  const rand = rng(opts.seed);
  const log = opts.log ?? (() => {});
  const downAfter = opts.downAfterMs ?? 1000;
  const failoverTimeout = opts.failoverTimeoutMs ?? 4000;
  const t = await startTopology({ sentinels: ['bundled', 'bundled', 'bundled'], downAfter, failoverTimeout, name: NAME });
  await waitDiscovered(t);
  const dataNodes: Proc[] = [t.master, ...t.replicas];
  const snapDir = tempDir('sc-crash-snap-');
  const snapshots: string[] = [];
  const results: TrialResult[] = [];
  // Highest current-epoch each sentinel's file ever held: files must never go back.
  const fileHigh = t.sentinels.map((s) => fileEpochs(s.confFile).current);

  for (let trial = 1; trial <= opts.trials; trial++) {
    const oldMaster = await masterAddr(t.sentinels[0]!.port, NAME);
    const oldNode = dataNodes.find((n) => `${n.host}:${n.port}` === oldMaster);
    if (!oldNode) throw new Error(`trial ${trial}: master ${oldMaster} is not one of the data nodes`);
    // Half the kills follow a failover step as closely as the event arrives (the failover itself
    // takes a few hundred ms on loopback); the others land at a random time around it.
    const atStep = rand() < 0.5 ? KILL_STEPS[Math.floor(rand() * KILL_STEPS.length)]! : undefined;
    const stepDelayMs = Math.round(rand() * 20);
    const killAtMs = Math.round(rand() < 0.6 ? downAfter - 100 + rand() * 600 : 300 + rand() * 5700);
    const restartAfterMs = Math.round(rand() * 1500);
    const preferLeader = rand() < 0.5;
    const randomVictim = Math.floor(rand() * 3);

    const pausedAt = Date.now();
    oldNode.pause();
    let stepBy: number | undefined;
    if (atStep) {
      const deadline = pausedAt + 15_000;
      for (;;) {
        const e = t.events.all.find((x) => x.at >= pausedAt && x.channel === atStep && (atStep !== '+sdown' || x.message.startsWith('master')));
        if (e) {
          stepBy = e.sentinel;
          break;
        }
        if (Date.now() > deadline) break;
        await sleep(1);
      }
      await sleep(stepDelayMs);
    } else {
      await sleep(killAtMs);
    }
    const killAfterMs = Date.now() - pausedAt;

    const leader = [...t.events.all].reverse().find((e) => e.at >= pausedAt && e.channel === '+elected-leader')?.sentinel;
    const victim = stepBy !== undefined && preferLeader ? stepBy : preferLeader && leader !== undefined ? leader : randomVictim;
    const s = t.sentinels[victim]!;
    const configEpochBefore = Number((await masterRecord(s.port, NAME).catch((): Record<string, string> => ({})))['config-epoch'] ?? 0);
    const phaseAtKill = phase(t, victim, pausedAt);
    await sigkill(s);
    const announced = announcedEpoch(t, victim, 0);
    const onDisk = fileEpochs(s.confFile);
    const epochBefore = Math.max(announced, onDisk.current, fileHigh[victim]!);
    const snap = path.join(snapDir, `trial${trial}-sentinel${victim}-at-kill.conf`);
    copyFileSync(s.confFile, snap);
    snapshots.push(snap);
    // The file as the kill left it must be a complete, valid config.
    parseSentinelConfig(readFileSync(snap, 'utf8'), snap);
    const where = `trial ${trial} (seed ${opts.seed}): sentinel ${victim} killed ${killAfterMs} ms after the pause, at ${phaseAtKill}`;
    if (onDisk.current < fileHigh[victim]!) throw new Error(`${where}: file current-epoch went back from ${fileHigh[victim]} to ${onDisk.current}`);

    await sleep(restartAfterMs);
    const restarted = await restartSentinel(s);
    t.sentinels[victim] = restarted;
    await t.events.attach(victim, restarted.port);
    const after = fileEpochs(restarted.confFile);
    const configEpochAfterRestart = Number((await masterRecord(restarted.port, NAME))['config-epoch'] ?? 0);
    if (after.current < epochBefore) {
      throw new Error(
        `${where}: current-epoch went backwards across the restart: it had announced or written ${epochBefore}, it restarted with ${after.current}`,
      );
    }
    if (configEpochAfterRestart < configEpochBefore) {
      throw new Error(`${where}: config-epoch went backwards across the restart: ${configEpochBefore} before, ${configEpochAfterRestart} after`);
    }
    fileHigh[victim] = Math.max(fileHigh[victim]!, after.current);

    // The failover completes: every sentinel names a new master.
    await waitFor(
      `${where}: failover`,
      async () => {
        const addrs = await Promise.all(t.sentinels.map((x) => masterAddr(x.port, NAME).catch(() => '?')));
        return addrs.every((a) => a !== oldMaster && a === addrs[0] && a !== '?') ? [] : [`sentinels name ${addrs.join(' ')}`];
      },
      90_000,
      100,
    );
    const failoverMs = Date.now() - pausedAt;
    oldNode.resume();
    const resumedAt = Date.now();
    await waitFor(`${where}: convergence`, () => converged(t, dataNodes), 90_000, 200);
    const convergeMs = Date.now() - resumedAt;
    const newMaster = await masterAddr(t.sentinels[0]!.port, NAME);

    for (const [i, x] of t.sentinels.entries()) {
      const now = fileEpochs(x.confFile).current;
      if (now < fileHigh[i]!) throw new Error(`${where}: sentinel ${i}'s file current-epoch went back from ${fileHigh[i]} to ${now}`);
      fileHigh[i] = now;
      parseSentinelConfig(readFileSync(x.confFile, 'utf8'), x.confFile);
    }
    // The atomic rewrite leaves a temp file behind when killed mid-write; say how many.
    const strays = readdirSync(s.dir).filter((f) => f.includes('.tmp-')).length;
    const r: TrialResult = {
      trial,
      killAfterMs,
      restartAfterMs,
      victim,
      victimWasLeader: leader === victim,
      phaseAtKill,
      epochBefore,
      epochAfterRestart: after.current,
      configEpochBefore,
      configEpochAfterRestart,
      oldMaster,
      newMaster,
      failoverMs,
      convergeMs,
      timeline: timeline(t, pausedAt),
    };
    results.push(r);
    log(
      `trial ${trial}: killed sentinel ${victim}${r.victimWasLeader ? ' (leader)' : ''} at +${killAfterMs} ms (${phaseAtKill}), restarted +${restartAfterMs} ms; ` +
        `epoch ${epochBefore} -> ${after.current}, config-epoch ${configEpochBefore} -> ${configEpochAfterRestart}; ${oldMaster} -> ${newMaster}; ` +
        `failover ${failoverMs} ms, converged ${convergeMs} ms after resume${strays ? `; ${strays} stray temp file(s)` : ''}\n  steps (ms after pause): ${Object.entries(
          r.timeline,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    );
  }
  for (const [i, x] of t.sentinels.entries()) {
    const snap = path.join(snapDir, `final-sentinel${i}.conf`);
    copyFileSync(x.confFile, snap);
    snapshots.push(snap);
  }
  return { results, snapshots, topology: t };
}

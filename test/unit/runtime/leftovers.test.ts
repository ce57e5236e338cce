/**
 * What a command that died left behind, as the next command reads it: the fault records
 * (run/faults.json), and how paused or stopped nodes are described, for both runtimes (Docker's
 * paused state comes from `docker inspect`, State.Paused).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { containersBeingCreated, containersFromInspect, type InspectedContainer } from '../../../src/runtime/compose/runtime.js';
import { clearFault, clearFaultsExcept, faultOwnerAlive, readFaults, recordFault, type Fault } from '../../../src/runtime/faults.js';
import { abandoned, checkServices, describeLeftover, onPurpose, undoCommand, type Leftover } from '../../../src/runtime/leftovers.js';
import { processStartTime } from '../../../src/runtime/local/process.js';
import type { Runtime, ServiceState } from '../../../src/runtime/types.js';
import { testTopology } from '../../helpers/topology.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sc-faults-'));
  dirs.push(d);
  return d;
}

async function goneOwner(): Promise<Fault['by']> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const by = { pid: child.pid!, startTime: processStartTime(child.pid!) };
  await new Promise((r) => child.once('exit', r));
  return by;
}

describe('fault records', () => {
  it('a pause or kill done on purpose by a fault command is not abandoned when that command ends, and is named with the command that undoes it', async () => {
    const by = await goneOwner();
    const at = Date.UTC(2026, 0, 1, 12, 0, 5);
    const paused: Leftover = {
      service: 'redis-master',
      state: 'paused',
      fault: { service: 'redis-master', kind: 'paused', command: 'pause', role: 'master', at, by },
      ownerAlive: false,
    };
    expect(onPurpose(paused)).toBe(true);
    expect(abandoned(paused)).toBe(false);
    expect(describeLeftover(paused)).toMatch(/^was paused by `sentinel-compose pause` at \d\d:\d\d:\d\d$/);
    expect(undoCommand(paused, 'out')).toBe('`sentinel-compose unpause redis-master --out out`');
    // Run in-process (a library user's test runner), the owner is alive: still on purpose, not "brought back when it ends".
    expect(describeLeftover({ ...paused, ownerAlive: true })).toMatch(/^was paused by `sentinel-compose pause`/);
    const killed: Leftover = {
      service: 'redis-replica-1',
      state: 'stopped',
      fault: { service: 'redis-replica-1', kind: 'killed', command: 'kill', at, by },
      ownerAlive: false,
    };
    expect(onPurpose(killed)).toBe(true);
    expect(describeLeftover(killed)).toMatch(/^was killed by `sentinel-compose kill` at /);
    expect(undoCommand(killed, 'o')).toBe('`sentinel-compose restart redis-replica-1 --out o`');
    // Killed on purpose but found paused (someone froze it since): not what the command left.
    expect(onPurpose({ ...killed, state: 'paused' })).toBe(false);
  });

  it('records the command and role with the fault; clearFaultsExcept keeps only records of nodes still paused', () => {
    const dir = outDir();
    recordFault(dir, 'redis-master', 'paused', { command: 'pause', role: 'master' });
    recordFault(dir, 'redis-replica-1', 'killed', { command: 'kill' });
    recordFault(dir, 'redis-replica-2', 'paused');
    expect(readFaults(dir)[0]).toMatchObject({ service: 'redis-master', kind: 'paused', command: 'pause', role: 'master' });
    clearFaultsExcept(dir, ['redis-master']);
    expect(readFaults(dir).map((f) => f.service)).toEqual(['redis-master']);
  });

  it('keep one record per service, by this process, until it is healed', () => {
    const dir = outDir();
    recordFault(dir, 'redis-master', 'paused');
    recordFault(dir, 'redis-sentinel-3', 'killed');
    recordFault(dir, 'redis-master', 'paused');
    const list = readFaults(dir);
    expect(list.map((f) => [f.service, f.kind])).toEqual([
      ['redis-sentinel-3', 'killed'],
      ['redis-master', 'paused'],
    ]);
    expect(list.every((f) => f.by.pid === process.pid && faultOwnerAlive(f))).toBe(true);
    clearFault(dir, 'redis-master');
    clearFault(dir, 'redis-sentinel-3');
    expect(readFaults(dir)).toEqual([]);
  });

  it('a record whose process is gone is abandoned: nobody else will bring the node back', async () => {
    const by = await goneOwner();
    const fault: Fault = { service: 'redis-master', kind: 'paused', at: Date.UTC(2026, 0, 1, 12, 0, 5), by };
    expect(faultOwnerAlive(fault)).toBe(false);
    const l: Leftover = { service: 'redis-master', state: 'paused', fault, ownerAlive: false };
    expect(abandoned(l)).toBe(true);
    expect(describeLeftover(l)).toMatch(
      new RegExp(`^was left paused by sentinel-compose \\(pid ${by.pid}, at \\d\\d:\\d\\d:\\d\\d\\), which ended without bringing it back$`),
    );
    expect(abandoned({ ...l, ownerAlive: true })).toBe(false);
    expect(describeLeftover({ ...l, ownerAlive: true })).toContain('which is still running and brings it back when it ends');
    expect(describeLeftover({ ...l, fault: null })).toBe('is paused, not by sentinel-compose');
    expect(abandoned({ ...l, fault: null })).toBe(false);
    expect(describeLeftover({ ...l, state: 'stopped', fault: { ...fault, kind: 'killed' } })).toContain('was left killed by sentinel-compose');
    expect(describeLeftover({ ...l, state: 'stopped', fault: null })).toBe('is not running (it exited or was stopped)');
  });
});

describe('paused containers (Docker)', () => {
  const container = (service: string, state: Partial<InspectedContainer['State']>, labels: Record<string, string> = {}): InspectedContainer => ({
    Id: `${service}-id`,
    State: { Status: 'running', Pid: 42, ExitCode: 0, ...state },
    Config: { Labels: { 'com.docker.compose.service': service, ...labels } },
  });

  it('State.Paused makes a container paused, whatever Status says; one-off containers are not services', () => {
    const list = containersFromInspect([
      container('redis-master', { Paused: true }),
      container('redis-replica-1', { Status: 'paused', Paused: true }),
      container('redis-replica-2', { Paused: false }),
      container('redis-sentinel-1', { Status: 'exited', ExitCode: 137, Pid: 0 }),
      container('redis-master', {}, { 'com.docker.compose.oneoff': 'True' }),
    ]);
    expect(list.map((c) => [c.service, c.status])).toEqual([
      ['redis-master', 'paused'],
      ['redis-replica-1', 'paused'],
      ['redis-replica-2', 'running'],
      ['redis-sentinel-1', 'exited'],
    ]);
  });

  it('a resumed container that Docker still calls unhealthy (its checks were stopped by the pause) is told from one that fails its checks', () => {
    const health = (Status: string, FailingStreak: number) => ({ Health: { Status, FailingStreak } });
    const [resumed, failing, fine, defaults] = containersFromInspect([
      {
        ...container('redis-master', health('unhealthy', 0)),
        Config: { Labels: { 'com.docker.compose.service': 'redis-master' }, Healthcheck: { Retries: 30 } },
      },
      {
        ...container('redis-replica-1', health('unhealthy', 30)),
        Config: { Labels: { 'com.docker.compose.service': 'redis-replica-1' }, Healthcheck: { Retries: 30 } },
      },
      container('redis-sentinel-1', health('healthy', 0)),
      container('redis-sentinel-2', health('unhealthy', 3)),
    ]);
    expect(resumed).toMatchObject({ service: 'redis-master', health: 'unhealthy', healthStale: true });
    expect(failing!.healthStale).toBe(false);
    expect(fine!.healthStale).toBe(false);
    // Without a Healthcheck.Retries the engine's default is 3.
    expect(defaults!.healthStale).toBe(false);
  });

  it('finds the containers compose was still creating when it was stopped (v1 and v2 output)', () => {
    // docker-compose 1.29 killed while the engine created the master (lines end in \r\n).
    const v1 = 'Creating network "p_default" with the default driver\nCreating p_redis-master_1 ... \r\n';
    expect(containersBeingCreated(v1)).toEqual(['p_redis-master_1']);
    const v1Later = [
      'Creating p_redis-master_1 ... \r',
      'Creating p_redis-master_1 ... done\r',
      'Recreating p_redis-replica-1_1 ... \r',
      'Creating p_redis-sentinel-1_1 ... \r',
      'Creating p_redis-sentinel-2_1 ... \r',
      'Creating p_redis-sentinel-2_1 ... error\r',
      'Starting p_redis-sentinel-3_1 ... \r',
    ].join('\n');
    expect(containersBeingCreated(v1Later)).toEqual(['p_redis-replica-1_1', 'p_redis-sentinel-1_1']);
    const v2 = [
      ' Network p_default  Creating',
      ' Network p_default  Created',
      ' Container p-redis-master-1  Creating',
      ' Container p-redis-master-1  Created',
      ' Container p-redis-replica-1-1  Recreate',
      ' Container p-redis-sentinel-1-1  Creating',
    ].join('\n');
    expect(containersBeingCreated(v2)).toEqual(['p-redis-replica-1-1', 'p-redis-sentinel-1-1']);
    expect(containersBeingCreated('')).toEqual([]);
  });

  it('a paused container left by a drill that died is found, and resumed data nodes first', async () => {
    const { topology } = await testTopology({ project: 'leftovers', network: 'host', implementation: 'bundled' });
    const dir = outDir();
    recordFault(dir, 'redis-sentinel-3', 'paused');
    recordFault(dir, 'redis-master', 'paused');
    // As the compose runtime reports them (ps() maps paused containers to 'paused').
    const states: ServiceState[] = [
      { service: 'redis-master', state: 'paused' },
      { service: 'redis-replica-1', state: 'running' },
      { service: 'redis-replica-2', state: 'stopped' },
      { service: 'redis-sentinel-1', state: 'running' },
      { service: 'redis-sentinel-2', state: 'running' },
      { service: 'redis-sentinel-3', state: 'paused' },
    ];
    const runtime = { kind: 'docker', topology } as unknown as Runtime;
    const c = await checkServices(runtime, dir, [states[5]!, ...states.slice(0, 5)]);
    expect(c.paused.map((l) => l.service)).toEqual(['redis-master', 'redis-sentinel-3']);
    expect(c.paused.every((l) => l.fault?.kind === 'paused' && l.ownerAlive)).toBe(true);
    expect(c.down).toMatchObject([{ service: 'redis-replica-2', state: 'stopped', fault: null }]);
  });
});

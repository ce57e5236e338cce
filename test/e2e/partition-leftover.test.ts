/**
 * A partition drill killed outright (SIGKILL: no handler runs) while the links are cut, through the
 * built CLI as a real process, under Docker Compose in bridge mode:
 *   - the rules stay, and run/partition.json records them (written before they went in);
 *   - `status` names the cut, the drill that made it and `up` as the fix, and is not healthy;
 *   - `up` heals exactly those rules, removes the helpers, and the topology comes back healthy
 *     with the old master a replica of the new one;
 *   - Ctrl-C (SIGINT) mid-partition: the drill heals its rules and removes its helpers before it
 *     exits 130, and leaves running the topology it did not start;
 *   - the next drill heals what a dead drill left before it drills;
 *   - `down` leaves nothing: no container, no network, no helper, no record.
 * Whether the rules are there is read from the containers' own namespaces (`iptables -S` from a
 * container sharing the namespace), not from the record.
 *
 * Runs inside the offline-docker namespace (`offline-docker exec npx vitest run test/e2e/partition-leftover.test.ts`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartitionRecord } from '../../src/runtime/compose/partition.js';
import { DEFAULT_NETTOOLS_IMAGE } from '../../src/runtime/compose/partition.js';
import type { StatusReport } from '../../src/runtime/status.js';
import { CLI_SKIP, cleanUpCliFolders, cliBuilt, runCli, startCli } from '../helpers/cli.js';
import { bridgeSpecYaml, containerOf, containersOf, dockerUsable, networksOf, skipNote } from '../helpers/docker.js';
import { helpersOf } from '../helpers/partition.js';
import { tempDir } from '../helpers/procs.js';

const usable = dockerUsable();
const dirs: string[] = [];
afterEach(() => cleanUpCliFolders(dirs), 240_000);

const CUT = /\] (redis-[\w-]+) cut off/;
const DRILL = ['drill', 'master-partition', '--rate', '20', '--read-rate', '0'];

/** The partition chain in a container's namespace, read by a container of our own sharing it ('' when there is none). */
function chainIn(containerId: string): string {
  try {
    return execFileSync(
      'docker',
      ['run', '--rm', '--network', `container:${containerId}`, '--cap-add', 'NET_ADMIN', DEFAULT_NETTOOLS_IMAGE, 'iptables', '-S', 'SC-PARTITION'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch {
    return ''; // "No chain/target/match by that name"
  }
}

/** Starts a partition drill and kills it outright once the links are cut. */
async function killedWhileCut(cwd: string): Promise<{ pid: number; stderr: string }> {
  const drill = startCli(DRILL, cwd);
  await drill.waitFor(CUT, 300_000);
  drill.child.kill('SIGKILL');
  await drill.exited;
  return { pid: drill.child.pid!, stderr: drill.stderr() };
}

/** `status --json`, and the text form too when `withText` (two CLI runs: polls ask only for the JSON). */
async function status(cwd: string, withText = true): Promise<{ code: number; report: StatusReport; text: string }> {
  const json = await runCli(['status', '--json'], cwd);
  const text = withText ? (await runCli(['status'], cwd)).stdout : '';
  return { code: json.code, report: JSON.parse(json.stdout) as StatusReport, text };
}

describe.skipIf(!usable || !cliBuilt)(`a partition drill killed mid-partition, under Docker Compose${skipNote}${CLI_SKIP}`, () => {
  it('leaves recorded rules that status names, that up heals (the old master rejoins as a replica), that Ctrl-C heals, that the next drill heals, and down leaves nothing', async () => {
    const project = `scpartleft-${Math.random().toString(36).slice(2, 7)}`;
    const cwd = tempDir('sc-e2e-partleft-');
    dirs.push(cwd);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await bridgeSpecYaml({ project, implementation: 'redis', replicas: 1 }));
    const recordFile = path.join(cwd, 'out', 'run', 'partition.json');

    const up = await runCli(['up', '--runtime', 'docker'], cwd);
    expect(up.code, up.stderr).toBe(0);
    const master = containerOf(project, 'redis-master');

    const first = await killedWhileCut(cwd);
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as PartitionRecord;
    expect(record.sides[0]).toEqual(['redis-master']);
    expect(record.by.pid).toBe(first.pid);
    expect(record.containers.map((c) => c.service).sort()).toEqual([
      'redis-master',
      'redis-replica-1',
      'redis-sentinel-1',
      'redis-sentinel-2',
      'redis-sentinel-3',
    ]);
    // The rules outlived the drill, in the master's namespace.
    expect(chainIn(master)).toMatch(/-A SC-PARTITION .* -j DROP/);

    const before = await status(cwd);
    expect(before.code).toBe(1);
    expect(before.report.partition).toMatchObject({ isolated: ['redis-master'], by: first.pid, ownerAlive: false });
    expect(before.report.problems.join('\n')).toContain('redis-master cut off from');
    expect(before.text).toContain(
      `redis-master is cut off from redis-replica-1, redis-sentinel-1, redis-sentinel-2, redis-sentinel-3 (iptables rules in run/partition.json`,
    );
    expect(before.text).toContain(`by drill pid ${first.pid}): that drill is gone; \`sentinel-compose up --out out\` heals the links`);

    // up: heals exactly the recorded rules and removes the helpers; the group comes together again.
    const healed = await runCli(['up'], cwd);
    expect(healed.code, healed.stderr).toBe(0);
    expect(healed.stderr).toContain(`healing the network partition a drill (pid ${first.pid}) left in place: redis-master | redis-replica-1`);
    expect(existsSync(recordFile)).toBe(false);
    expect(helpersOf(project)).toEqual([]);
    expect(chainIn(master)).toBe('');
    let after = await status(cwd, false);
    for (const deadline = Date.now() + 120_000; !after.report.healthy && Date.now() < deadline; after = await status(cwd, false))
      await new Promise((r) => setTimeout(r, 2000));
    after = await status(cwd);
    expect(after.report.problems, after.text).toEqual([]);
    expect(after.report.partition).toBeNull();
    // The old master is back, as a replica (a sentinel converted it once it could reach it again).
    const oldMaster = after.report.snapshot.nodes.find((n) => n.service === 'redis-master')!;
    expect(oldMaster.role, after.text).toBe('replica');

    // Ctrl-C in the middle of a partition: the drill heals exactly its rules before it exits, and
    // leaves the topology (it did not start it) running.
    const interrupted = startCli(DRILL, cwd);
    await interrupted.waitFor(CUT, 300_000);
    expect(chainIn(master)).toMatch(/-A SC-PARTITION .* -j DROP/);
    interrupted.child.kill('SIGINT');
    expect(await interrupted.exited, interrupted.stderr()).toBe(130);
    expect(existsSync(recordFile)).toBe(false);
    expect(helpersOf(project)).toEqual([]);
    expect(chainIn(master)).toBe('');
    expect(containersOf(project)).toHaveLength(5);

    // The next drill heals what a dead drill left before it drills; killed in turn, for down.
    const second = await killedWhileCut(cwd);
    const third = startCli(DRILL, cwd);
    await third.waitFor(CUT, 300_000);
    expect(third.stderr()).toContain(`healing the network partition a drill (pid ${second.pid}) left in place`);
    third.child.kill('SIGKILL');
    await third.exited;
    expect(JSON.parse(readFileSync(recordFile, 'utf8')).by.pid).toBe(third.child.pid);

    // down: the rules go with the containers; the helpers and the record are removed.
    const down = await runCli(['down'], cwd);
    expect(down.code, down.stderr).toBe(0);
    expect(containersOf(project)).toEqual([]);
    expect(networksOf(project)).toEqual([]);
    expect(helpersOf(project)).toEqual([]);
    expect(existsSync(recordFile)).toBe(false);
  }, 900_000);
});

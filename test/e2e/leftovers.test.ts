/**
 * What a command that was killed, or a user who paused a container by hand, leaves under Docker
 * Compose, through the built CLI as a real process (test/integration/runtime/leftovers.test.ts
 * does the same on local processes): a `drill --up` killed outright (SIGKILL) with the master
 * container paused is found by status (named, with the command that paused it and the one that
 * resumes it), by up (resumed, and not mistaken for unhealthy when compose starts a service that
 * depends on it), by the next drill (resumed), and by down (resumed, then stopped: compose v1 cannot stop a frozen
 * container, and a network with a frozen container attached cannot be removed); a container
 * paused by hand is named and not touched by a drill. And a host-mode port that is taken is
 * found before the image is built or anything starts.
 *
 * One bridge-mode topology serves the whole first test (each `up` under the vfs storage driver
 * costs ~20 s): bridge mode because that is where a frozen container would also keep a network.
 * Runs inside the offline-docker namespace (test/helpers/docker.ts). Timings are never asserted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_SKIP, cleanUpCliFolders, cliBuilt, eventually, HOLD_DRILL, HOLD_SCENARIO, runCli, startCli } from '../helpers/cli.js';
import { bridgeSpecYaml, containerOf, containersOf, dockerUsable, networksOf, pausedServices, runningServices, skipNote } from '../helpers/docker.js';
import { drillSpecYaml } from '../helpers/drill.js';
import { tempDir } from '../helpers/procs.js';

const usable = dockerUsable();
const dirs: string[] = [];
// Taking a topology down under the vfs storage driver on a busy machine can take minutes.
afterEach(() => cleanUpCliFolders(dirs), 240_000);

// A drill that needs only the group healthy (it waits for that before it starts).
const LOOK = `- name: look
  summary: a drill that only needs the group healthy
  steps:
    - { do: hold, for: 500 }
  expect: [one-master]
`;
const LOOK_DRILL = ['drill', 'look', '--scenario-file', 'look.yaml', '--rate', '20', '--read-rate', '0'];
const PAUSED = /\] pause (redis-\S+)/;

const suffix = () => Math.random().toString(36).slice(2, 7);

/** Starts `argv` (a drill that pauses the master) and kills it outright once the container is frozen; returns the service. */
async function killedWhilePaused(argv: string[], cwd: string, project: string): Promise<{ service: string; pid: number; stderr: string }> {
  const drill = startCli(argv, cwd);
  await drill.waitFor(PAUSED, 240_000);
  // The line is printed as the pause starts.
  const service = PAUSED.exec(drill.stderr())![1]!;
  await eventually(`${service} frozen`, () => pausedServices(project).includes(service));
  drill.child.kill('SIGKILL');
  await drill.exited;
  return { service, pid: drill.child.pid!, stderr: drill.stderr() };
}

describe.skipIf(!usable || !cliBuilt)(`leftovers under Docker Compose${skipNote}${CLI_SKIP}`, () => {
  it('a drill --up killed while the master is paused: status names it, up resumes it, a new drill resumes it, down resumes and stops it; a container paused by hand is named and left alone', async () => {
    const project = `scleft-${suffix()}`;
    const cwd = tempDir('sc-e2e-leftover-');
    dirs.push(cwd);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await bridgeSpecYaml({ project, implementation: 'redis', replicas: 1 }));
    writeFileSync(path.join(cwd, 'hold.yaml'), HOLD_SCENARIO);
    writeFileSync(path.join(cwd, 'look.yaml'), LOOK);

    const first = await killedWhilePaused([...HOLD_DRILL, '--up', '--runtime', 'docker'], cwd, project);
    expect(first.service).toBe('redis-master');

    // status: the frozen container, who froze it, and the command that brings it back.
    const status = await runCli(['status'], cwd);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/redis-master\s+mymaster\s+paused/);
    expect(status.stdout).toContain(`redis-master was left paused by sentinel-compose (pid ${first.pid}`);
    expect(status.stdout).toContain('which ended without bringing it back: `sentinel-compose up --out out` resumes it');
    // ... and which command that pid was (it died holding the folder's lock).
    expect(status.stdout).toContain(`\`sentinel-compose drill\` (pid ${first.pid}, from `);
    const json = JSON.parse((await runCli(['status', '--json'], cwd)).stdout);
    expect(json.leftovers).toMatchObject([{ service: 'redis-master', state: 'paused', fault: { kind: 'paused', by: { pid: first.pid } }, ownerAlive: false }]);

    // up: resumes it, and starts the replica, stopped here by hand, which depends on the master
    // being healthy. Docker calls a container unhealthy from its pause until its next health
    // check after the unpause, and compose's up refuses to start what depends on an unhealthy
    // container (then everything would be taken down).
    execFileSync('docker', ['stop', '--time', '2', containerOf(project, 'redis-replica-1')]);
    const up = await runCli(['up', '--timeout', '60'], cwd);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/redis-master was left paused by .*; resuming it/);
    expect(pausedServices(project)).toEqual([]);
    expect(containersOf(project)).toHaveLength(5);
    expect(runningServices(project)).toHaveLength(5);

    // Paused by hand: not the tool's to resume. The drill names it and changes nothing.
    const replica = containerOf(project, 'redis-replica-1');
    execFileSync('docker', ['pause', replica]);
    try {
      const refused = await runCli(LOOK_DRILL, cwd);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain('redis-replica-1: is paused, not by sentinel-compose');
      expect(refused.stderr).toContain('`sentinel-compose up --out out` resumes every paused node');
      expect(pausedServices(project)).toEqual(['redis-replica-1']);
      const theirs = await runCli(['status'], cwd);
      expect(theirs.stdout).toContain('redis-replica-1 is paused, not by sentinel-compose: `sentinel-compose up --out out` resumes it');
    } finally {
      execFileSync('docker', ['unpause', replica]);
    }

    // A drill finds what a dead drill left, resumes it, and drills: it gets as far as pausing the
    // master again (and is killed in turn, for down).
    const second = await killedWhilePaused(HOLD_DRILL, cwd, project);
    const third = await killedWhilePaused(HOLD_DRILL, cwd, project);
    expect(third.stderr).toMatch(new RegExp(`${second.service} was left paused by sentinel-compose \\(pid ${second.pid}.*; resuming it`));

    // down: resumes it (compose v1 refuses to stop a frozen container) and leaves nothing.
    const down = await runCli(['down'], cwd);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`${third.service} was left paused by .*; resuming it to stop it`));
    expect(containersOf(project)).toEqual([]);
    expect(networksOf(project)).toEqual([]);
    const run = path.join(cwd, 'out', 'run');
    expect(existsSync(path.join(run, 'faults.json'))).toBe(false);
    expect(existsSync(path.join(run, 'lock'))).toBe(false);
  }, 600_000);

  it('host mode: a sentinel port taken here is refused before the image is built or anything starts', async () => {
    const project = `scport-${suffix()}`;
    const cwd = tempDir('sc-e2e-port-');
    dirs.push(cwd);
    // Bundled sentinels: a fresh folder builds its image before starting, so a port found taken
    // only after the build would show as "building" here.
    const spec = await drillSpecYaml({ project, implementation: 'bundled', replicas: 1 });
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec);
    const port = Number(/sentinel: (\d+)/.exec(spec)![1]) + 1;
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const up = await runCli(['up', '--runtime', 'docker'], cwd);
      expect(up.code, up.stderr).toBe(2);
      expect(up.stderr).toContain(`redis-sentinel-2: 127.0.0.1:${port} is already in use`);
      expect(up.stderr).not.toContain('building');
      expect(containersOf(project)).toEqual([]);
      expect(existsSync(path.join(cwd, 'out', 'run', 'sentinel-image.json'))).toBe(false);
      expect(existsSync(path.join(cwd, 'out', 'run', 'state.json'))).toBe(false);
    } finally {
      server.close();
    }
  }, 120_000);
});

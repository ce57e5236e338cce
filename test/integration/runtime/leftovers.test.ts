/**
 * What one command leaves for the next, on local processes through the built CLI: a drill killed
 * outright (SIGKILL) with the master paused is found by status (named, with the command that
 * resumes it), by up and by a drill (resumed at once), and by down (resumed, then stopped); while
 * a drill runs, up, down and another drill are refused naming it; a drill with nothing (or not
 * everything) running says so at once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStateLetter } from '../../../src/runtime/local/process.js';
import { waitNotListening } from '../../../src/runtime/ports.js';
import {
  CLI_SKIP,
  cleanUpCliFolders,
  cliBuilt,
  eventually,
  HOLD_DRILL,
  HOLD_SCENARIO,
  liveServices,
  recordedProcesses,
  runCli,
  startCli,
} from '../../helpers/cli.js';
import { drillSpecYaml } from '../../helpers/drill.js';
import { tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => cleanUpCliFolders(dirs));

async function folder(): Promise<{ cwd: string; out: string }> {
  const cwd = tempDir('sc-leftover-');
  dirs.push(cwd);
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await drillSpecYaml({ replicas: 1 }));
  writeFileSync(path.join(cwd, 'hold.yaml'), HOLD_SCENARIO);
  return { cwd, out: path.join(cwd, 'out') };
}

function pidOf(out: string, service: string): number {
  return recordedProcesses(out).find((p) => p.service === service)!.rec.pid;
}

const PAUSED = /\] pause (redis-\S+)/;

/** A drill against the running topology, killed outright once it has paused the master; returns the master. */
async function drillKilledWhilePaused(cwd: string, out: string): Promise<string> {
  const drill = startCli(HOLD_DRILL, cwd);
  await drill.waitFor(PAUSED);
  // The line is printed as the pause starts: kill the drill once the master is frozen.
  const master = PAUSED.exec(drill.stderr())![1]!;
  await eventually(`${master} frozen`, () => processStateLetter(pidOf(out, master)) === 'T');
  drill.child.kill('SIGKILL');
  await drill.exited;
  return master;
}

describe.skipIf(!cliBuilt)(`after a drill that was killed outright${CLI_SKIP}`, () => {
  it('status names the paused master and the command; up and drill resume it at once; down resumes and stops it', async () => {
    const { cwd, out } = await folder();
    const up = await runCli(['up', '--runtime', 'local'], cwd);
    expect(up.code, up.stderr).toBe(0);

    // While a drill runs, nothing else may change the topology.
    const running = startCli(HOLD_DRILL, cwd);
    await running.waitFor(/\] pause redis-master/);
    await eventually('redis-master frozen', () => processStateLetter(pidOf(out, 'redis-master')) === 'T');
    const pid = running.child.pid!;
    for (const argv of [['up'], ['down'], ['drill']]) {
      const r = await runCli(argv, cwd);
      expect(r.code, `${argv[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`out is in use by \`sentinel-compose drill\` (pid ${pid}`);
      expect(r.stderr).toContain(`kill -INT ${pid}`);
    }
    const busy = await runCli(['status'], cwd);
    expect(busy.stdout).toContain(`\`sentinel-compose drill\` (pid ${pid}) is working on out`);
    expect(busy.stdout).toMatch(/redis-master is paused by sentinel-compose \(pid \d+, at [\d:]+\), which is still running/);
    running.child.kill('SIGKILL');
    await running.exited;

    // status: named, with who did it and the command that undoes it.
    const status = await runCli(['status'], cwd);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`redis-master was left paused by sentinel-compose (pid ${pid}`);
    expect(status.stdout).toContain('which ended without bringing it back: `sentinel-compose up --out out` resumes it');
    const json = JSON.parse((await runCli(['status', '--json'], cwd)).stdout);
    expect(json.leftovers).toMatchObject([{ service: 'redis-master', state: 'paused', fault: { kind: 'paused', by: { pid } }, ownerAlive: false }]);

    // up: takes over the dead drill's lock, resumes the master, and is healthy without waiting out its timeout.
    const again = await runCli(['up', '--timeout', '30'], cwd);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`\`sentinel-compose drill\` (pid ${pid}) ended without cleaning up`);
    expect(again.stderr).toMatch(/redis-master was left paused by .*; resuming it/);
    expect(processStateLetter(pidOf(out, 'redis-master'))).not.toBe('T');

    // A drill finds what a dead drill left and resumes it before it starts.
    const second = await drillKilledWhilePaused(cwd, out);
    const drill = await runCli(['drill', '--rate', '20', '--read-rate', '0'], cwd);
    expect(drill.stderr).toMatch(new RegExp(`${second} was left paused by .*; resuming it`));
    expect(drill.code, drill.stderr + drill.stdout).toBe(0);

    // down: resumes it (a frozen process cannot act on SIGTERM) and stops everything.
    const third = await drillKilledWhilePaused(cwd, out);
    const known = recordedProcesses(out);
    const down = await runCli(['down'], cwd);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`${third} was left paused by .*; resuming it to stop it`));
    expect(liveServices(out, known)).toEqual([]);
    expect(existsSync(path.join(out, 'run', 'lock'))).toBe(false);
    expect(existsSync(path.join(out, 'run', 'faults.json'))).toBe(false);
  }, 240_000);
});

describe.skipIf(!cliBuilt)(`after a drill --up that was killed outright${CLI_SKIP}`, () => {
  it('status says it was left up; the next drill --up resumes the master, drills, and takes it down as the first one meant to', async () => {
    const { cwd, out } = await folder();
    const first = startCli([...HOLD_DRILL, '--up', '--runtime', 'local'], cwd);
    await first.waitFor(PAUSED);
    await eventually('redis-master frozen', () => processStateLetter(pidOf(out, 'redis-master')) === 'T');
    first.child.kill('SIGKILL');
    await first.exited;

    const status = await runCli(['status'], cwd);
    expect(status.stdout).toContain(
      'was started by a `drill --up` that did not finish (and so did not take it down): `sentinel-compose down --out out` takes it down',
    );
    expect(status.stdout).toMatch(/redis-master was left paused by sentinel-compose/);

    const known = recordedProcesses(out);
    const again = await runCli(['drill', '--up', '--runtime', 'local', '--rate', '20', '--read-rate', '0'], cwd);
    expect(again.stderr).toMatch(/redis-master was left paused by .*; resuming it/);
    expect(again.stderr).toContain('by a `drill --up` that did not finish: drilling it and taking it down afterwards');
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(liveServices(out, known)).toEqual([]);
    expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
  }, 180_000);
});

describe.skipIf(!cliBuilt)(`after an up that was killed outright${CLI_SKIP}`, () => {
  it('every process it had started is recorded, so status names what is missing and down stops all of it', async () => {
    const { cwd } = await folder();
    const spec = readFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'utf8');
    const ports = [Number(/redis: (\d+)/.exec(spec)![1]), Number(/sentinel: (\d+)/.exec(spec)![1])].flatMap((base) => [base, base + 1, base + 2]);
    // Killed right after a node started, while the next one is being spawned: a process that
    // was forked but not yet recorded would be an orphan that down cannot find.
    for (const after of ['redis-master', 'redis-replica-1', 'redis-sentinel-1', 'redis-sentinel-2']) {
      const up = startCli(['up', '--runtime', 'local'], cwd);
      await up.waitFor(new RegExp(`${after}: started`));
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      up.child.kill('SIGKILL');
      await up.exited;
      const status = await runCli(['status'], cwd);
      expect(status.stdout).toContain('`sentinel-compose up` (pid');
      expect(status.stdout).toContain('ended without finishing (killed?)');
      const down = await runCli(['down'], cwd);
      expect(down.code, down.stderr).toBe(0);
      // A stopped process's listening socket closes a moment after it is reported gone.
      const closed = await Promise.all(ports.map((p) => waitNotListening('127.0.0.1', p, 5000)));
      expect(
        ports.filter((_, i) => !closed[i]),
        `still listening after up was killed after ${after} and down ran`,
      ).toEqual([]);
    }
  }, 120_000);
});

describe.skipIf(!cliBuilt)(`drill with nothing, or not everything, running${CLI_SKIP}`, () => {
  it('says so at once, with the command that starts it', async () => {
    const { cwd, out } = await folder();
    expect((await runCli(['render'], cwd)).code).toBe(0);
    const nothing = await runCli(['drill'], cwd);
    expect(nothing.code, nothing.stderr).toBe(2);
    expect(nothing.stderr).toMatch(/nothing of drill-\w+ is running in out \(local\)/);
    expect(nothing.stderr).toContain('`sentinel-compose up --out out`');
    expect(nothing.stderr).toContain('`sentinel-compose drill --up --out out`');
    expect(nothing.stderr).not.toMatch(/maxRetriesPerRequest|knows 0 other sentinels/);

    expect((await runCli(['up', '--runtime', 'local'], cwd)).code).toBe(0);
    const sentinel = recordedProcesses(out).find((p) => p.service === 'redis-sentinel-2')!;
    process.kill(sentinel.rec.pid, 'SIGKILL');
    const partial = await runCli(['drill'], cwd);
    expect(partial.code, partial.stderr).toBe(2);
    expect(partial.stderr).toContain('redis-sentinel-2: is not running (it exited or was stopped)');
    expect(partial.stderr).toContain('`sentinel-compose up --out out` starts what is not running');
  }, 120_000);
});

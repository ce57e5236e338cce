/**
 * Every way a `drill --up` (and an `up`) can be stopped from outside: Ctrl-C, `kill`, a closed
 * terminal (a real pseudo-terminal that goes away), the same signal delivered twice (npx
 * forwards Ctrl-C to its child, which also gets it from the terminal), and a reader that goes
 * away (`| head`). Each must bring the paused master back and take the topology down. (A second
 * Ctrl-C later, which quits at once, is in ../cli-interrupt.test.ts: the drill's own clean-up is
 * over before one could arrive.) Runs the built CLI as a real process, because signals are the
 * point.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_SKIP, cleanUpCliFolders, cliBin, cliBuilt, eventually, liveServices, recordedProcesses, startCli } from '../../helpers/cli.js';
import { drillSpecYaml } from '../../helpers/drill.js';
import { tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => cleanUpCliFolders(dirs));

async function specFolder(): Promise<{ cwd: string; out: string }> {
  const cwd = tempDir('sc-drill-int-');
  dirs.push(cwd);
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await drillSpecYaml({ replicas: 1 }));
  return { cwd, out: path.join(cwd, 'out') };
}

const PAUSED = /\] pause redis-master/;

/** Nothing of the topology runs any more and nothing says it does. */
function expectAllDown(out: string, known: ReturnType<typeof recordedProcesses>): void {
  expect(liveServices(out, known)).toEqual([]);
  expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
  expect(existsSync(path.join(out, 'run', 'lock'))).toBe(false);
}

describe.skipIf(!cliBuilt)(`drill --up, interrupted${CLI_SKIP}`, () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s brings the master back, takes the topology down and exits %i, naming the signal',
    async (signal, exitCode) => {
      const { cwd, out } = await specFolder();
      const cli = startCli(['drill', '--up', '--runtime', 'local'], cwd);
      await cli.waitFor(PAUSED);
      const known = recordedProcesses(out);
      await new Promise((r) => setTimeout(r, 300));
      cli.child.kill(signal);
      const code = await cli.exited;
      const stderr = cli.stderr();
      expect(code, stderr).toBe(exitCode);
      expect(stderr).toContain(`${signal}: stopping`);
      expect(stderr).toMatch(/brought back redis-master/);
      expect(stderr).toContain('taking ');
      expect(stderr).not.toContain('Ctrl-C)');
      // The report says what stopped it, and judges nothing it did not get to.
      const stdout = cli.stdout();
      expect(stdout).toContain(`interrupted by ${signal}`);
      expect(stdout).toMatch(/not reached\s+a replica was promoted/);
      expect(stdout).not.toContain('FAIL ');
      expectAllDown(out, known);
    },
    120_000,
  );

  it('a closed terminal (the pseudo-terminal goes away) brings everything back and down', async () => {
    const { cwd, out } = await specFolder();
    // script(1) runs the CLI on a pseudo-terminal of its own; killing script closes the terminal,
    // as closing a window or losing an ssh session does: the kernel hangs up the CLI's session.
    const cmd = `exec ${process.execPath} ${cliBin} drill --up --runtime local --no-color`;
    const term = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    term.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    await eventually('the master paused', () => PAUSED.test(screen), 90_000);
    const known = recordedProcesses(out);
    expect(known.length).toBeGreaterThan(0);
    term.kill('SIGKILL');
    await eventually(
      `everything down after the hang-up (screen so far:\n${screen})`,
      () => liveServices(out, known).length === 0 && !existsSync(path.join(out, 'run', 'state.json')),
      60_000,
    );
    expectAllDown(out, known);
  }, 150_000);

  it('the same Ctrl-C delivered twice at once (npx forwards it) still cleans up', async () => {
    const { cwd, out } = await specFolder();
    const cli = startCli(['drill', '--up', '--runtime', 'local'], cwd);
    await cli.waitFor(PAUSED);
    const known = recordedProcesses(out);
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    expect(await cli.exited, cli.stderr()).toBe(130);
    expect(cli.stderr()).toMatch(/brought back redis-master/);
    expectAllDown(out, known);
  }, 120_000);

  it('a reader that goes away (stderr and stdout closed) is a stop, not a crash: everything comes back and down', async () => {
    const { cwd, out } = await specFolder();
    const cli = startCli(['drill', '--up', '--runtime', 'local', '--json'], cwd);
    // `| head`: stdout's reader is gone from the start; stderr's once the master is paused.
    cli.child.stdout!.destroy();
    await cli.waitFor(PAUSED);
    const known = recordedProcesses(out);
    cli.child.stderr!.destroy();
    const code = await cli.exited;
    expect(code).toBe(141);
    await eventually('everything down', () => liveServices(out, known).length === 0);
    expectAllDown(out, known);
  }, 120_000);
});

describe.skipIf(!cliBuilt)(`up, interrupted${CLI_SKIP}`, () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s while starting stops what this up started; while waiting it leaves it running and says how to stop it',
    async (signal) => {
      const { cwd, out } = await specFolder();
      const starting = startCli(['up', '--runtime', 'local'], cwd);
      await starting.waitFor(/redis-master: started/);
      starting.child.kill(signal);
      const code = await starting.exited;
      expect(code, starting.stderr()).toBeGreaterThan(128);
      expect(starting.stderr()).toContain(`${signal}: stopping`);
      expect(liveServices(out)).toEqual([]);
      expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);

      const waiting = startCli(['up', '--runtime', 'local'], cwd);
      await waiting.waitFor(/waiting until healthy/);
      waiting.child.kill(signal);
      expect(await waiting.exited).toBeGreaterThan(128);
      expect(waiting.stderr()).toMatch(/keeps running/);
      expect(waiting.stderr()).toContain('sentinel-compose down --out');
      expect(liveServices(out).length).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(path.join(out, 'run', 'state.json'), 'utf8')).runtime).toBe('local');
    },
    120_000,
  );
});

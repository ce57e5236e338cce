/**
 * The fault commands through the built CLI, on local processes (real redis-server and sentinels
 * on loopback), as a user's shell script or CI job would run them: each invocation a process of
 * its own, so that a pause outlives the command that made it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStateLetter } from '../../../src/runtime/local/process.js';
import { CLI_SKIP, cleanUpCliFolders, cliBuilt, recordedProcesses, runCli, startCli } from '../../helpers/cli.js';
import { bundledSentinelBuilt, drillSpecYaml } from '../../helpers/drill.js';
import { tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => cleanUpCliFolders(dirs));

async function upFolder(implementation: 'bundled' | 'redis'): Promise<{ cwd: string; out: string }> {
  const cwd = tempDir('sc-faults-cli-');
  dirs.push(cwd);
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await drillSpecYaml({ implementation }));
  const up = await runCli(['up', '--runtime', 'local', '--timeout', '60'], cwd);
  expect(up.code, up.stderr).toBe(0);
  return { cwd, out: path.join(cwd, 'out') };
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, any>;
const pidOf = (out: string, service: string) => recordedProcesses(out).find((p) => p.service === service)!.rec.pid;
const canRun = cliBuilt && bundledSentinelBuilt;

describe.skipIf(!canRun)(`fault commands on local processes${CLI_SKIP}`, () => {
  it('pause the master: a wait started before returns the new master and the time; status names the pause; up keeps it paused; unpause and the old master rejoins as a replica', async () => {
    const { cwd, out } = await upFolder('bundled');
    // As a script would: the wait armed first (its progress line says so; --json keeps stderr quiet), then the fault.
    const wait = startCli(['wait', '--master-changed', '--timeout', '60'], cwd);
    await wait.waitFor(/waiting for the master to change from redis-master/);

    const pause = await runCli(['pause', 'redis-master'], cwd);
    expect(pause.code, pause.stderr).toBe(0);
    expect(pause.stdout).toMatch(/^paused redis-master \(master of mymaster\) in \d+ ms$/m);
    expect(pause.stderr).toContain('`sentinel-compose wait --master-changed mymaster --from redis-master --out out` waits for it');
    expect(processStateLetter(pidOf(out, 'redis-master'))).toBe('T');

    expect(await wait.exited, wait.stderr()).toBe(0);
    const said = /master changed: mymaster: redis-master \(127\.0\.0\.1:\d+\) -> (redis-replica-\d) \(127\.0\.0\.1:\d+\) after (\d+) ms/.exec(wait.stdout());
    expect(said, wait.stdout()).not.toBeNull();
    expect(Number(said![2])).toBeGreaterThan(0);
    const newMaster = said![1]!;

    // Started after the failover, --from still finds it, at once; --json says what changed.
    const late = await runCli(['wait', '--master-changed', '--from', 'redis-master', '--json'], cwd);
    expect(late.code, late.stderr).toBe(0);
    const changed = json(late);
    expect(changed).toMatchObject({ ok: true, waitedFor: 'master-changed', group: 'mymaster', from: { service: 'redis-master' }, to: { service: newMaster } });
    expect(typeof changed.ms).toBe('number');
    expect(changed.sentinels.every((x: any) => x.master.service === newMaster)).toBe(true);
    // Without --from it would wait for the next change: it says so.
    const next = await runCli(['wait', '--master-changed', '--timeout', '1'], cwd);
    expect(next.code).toBe(1);
    expect(next.stderr).toContain('redis-master was master when `sentinel-compose pause` took it down at');
    expect(next.stderr).toContain(`the master did not change from ${changed.to.service}`);

    // status: who paused it and how to undo it, not "left paused by a process that ended".
    const status = await runCli(['status'], cwd);
    expect(status.stdout).toMatch(
      /redis-master was paused by `sentinel-compose pause` at \d\d:\d\d:\d\d; `sentinel-compose unpause redis-master --out out` resumes it/,
    );
    expect(status.stdout).not.toContain('ended without');

    // up: keeps the paused node paused, and is healthy apart from it.
    const up = await runCli(['up', '--timeout', '60'], cwd);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('redis-master was paused by `sentinel-compose pause`');
    expect(up.stderr).toContain('leaving it paused (`sentinel-compose unpause redis-master --out out` resumes it)');
    expect(up.stdout).toContain('apart from redis-master (paused by `sentinel-compose pause`)');
    expect(processStateLetter(pidOf(out, 'redis-master'))).toBe('T');

    // A drill will not start on it: it names the pause and the command that undoes it.
    const drill = await runCli(['drill', '--rate', '20', '--read-rate', '0'], cwd);
    expect(drill.code).toBe(2);
    expect(drill.stderr).toContain('redis-master: was paused by `sentinel-compose pause` at');
    expect(drill.stderr).toContain('`sentinel-compose unpause redis-master --out out` resumes it; then drill again');
    expect(processStateLetter(pidOf(out, 'redis-master'))).toBe('T');

    // Healthy cannot happen while it is paused: wait gives up after its timeout, saying why.
    const notYet = await runCli(['wait', '--timeout', '1'], cwd);
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toContain('redis-master: paused');

    const unpause = await runCli(['unpause', 'redis-master', '--json'], cwd);
    expect(unpause.code, unpause.stderr).toBe(0);
    expect(json(unpause).services[0]).toMatchObject({ service: 'redis-master', before: 'paused', after: 'running', changed: true });
    const healthy = await runCli(['wait', '--json', '--timeout', '60'], cwd);
    expect(healthy.code, healthy.stderr).toBe(0);
    expect(json(healthy)).toMatchObject({ ok: true, waitedFor: 'healthy', group: null });
    const after = json(await runCli(['status', '--json'], cwd));
    expect(after.snapshot.nodes.find((n: any) => n.service === 'redis-master')).toMatchObject({
      role: 'replica',
      masterService: changed.to.service,
      link: 'up',
    });
    expect(after.leftovers).toEqual([]);
  }, 180_000);

  it('kill and restart a replica; fault commands from two shells at once both work; a second unpause changes nothing', async () => {
    const { cwd, out } = await upFolder('bundled');
    const kill = await runCli(['kill', 'redis-replica-1', '--json'], cwd);
    expect(kill.code, kill.stderr).toBe(0);
    expect(json(kill).services[0]).toMatchObject({ service: 'redis-replica-1', role: 'replica', before: 'running', after: 'stopped', changed: true });
    const status = await runCli(['status'], cwd);
    expect(status.stdout).toContain('redis-replica-1 was killed by `sentinel-compose kill` at');
    expect(status.stdout).toContain('`sentinel-compose restart redis-replica-1 --out out` starts it again');
    // Pausing a killed node is refused, with the command that starts it.
    const refused = await runCli(['pause', 'redis-replica-1'], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('`sentinel-compose restart redis-replica-1 --out out` starts it');

    const restart = await runCli(['restart', 'redis-replica-1', '--json'], cwd);
    expect(restart.code, restart.stderr).toBe(0);
    expect(json(restart).services[0]).toMatchObject({ service: 'redis-replica-1', before: 'stopped', after: 'running', changed: true });
    expect((await runCli(['wait', '--timeout', '60'], cwd)).code).toBe(0);

    // Two invocations at once: the second waits for the first's lock instead of failing.
    const [a, b] = await Promise.all([runCli(['pause', 'redis-replica-2', '--json'], cwd), runCli(['pause', 'redis-sentinel-3', '--json'], cwd)]);
    expect([a.code, b.code], a.stdout + b.stdout).toEqual([0, 0]);
    expect(json(a)).toMatchObject({
      ok: true,
      command: 'pause',
      runtime: 'local',
      services: [{ service: 'redis-replica-2', role: 'replica', group: 'mymaster', before: 'running', after: 'paused', changed: true }],
    });
    expect(json(b).services[0]).toMatchObject({ service: 'redis-sentinel-3', role: 'sentinel', after: 'paused' });
    expect(processStateLetter(pidOf(out, 'redis-replica-2'))).toBe('T');
    expect(processStateLetter(pidOf(out, 'redis-sentinel-3'))).toBe('T');
    const resumed = await runCli(['unpause', 'redis-sentinel-3', 'redis-replica-2', '--json'], cwd);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Data nodes first, whatever the order given.
    expect(json(resumed).services.map((s: any) => s.service)).toEqual(['redis-replica-2', 'redis-sentinel-3']);
    const again = await runCli(['unpause', 'redis-replica-2', '--json'], cwd);
    expect(again.code).toBe(0);
    expect(json(again).services[0]).toMatchObject({ changed: false, note: 'was not paused' });
    expect((await runCli(['wait', '--timeout', '60'], cwd)).code).toBe(0);

    // Ctrl-C stops a wait: 128 + SIGINT, saying so.
    const waiting = startCli(['wait', 'mymaster', '--master-changed'], cwd);
    await waiting.waitFor(/waiting for the master to change/);
    waiting.child.kill('SIGINT');
    expect(await waiting.exited).toBe(130);
    expect(waiting.stderr()).toContain('SIGINT: no longer waiting');
  }, 180_000);

  for (const implementation of ['bundled', 'redis'] as const) {
    it(`failover (${implementation} sentinels): every sentinel names the new master; again at once; --no-wait returns before, wait --from after`, async () => {
      const { cwd } = await upFolder(implementation);
      const first = await runCli(['failover', '--json'], cwd);
      expect(first.code, first.stderr).toBe(0);
      const f = json(first);
      expect(f).toMatchObject({
        ok: true,
        group: 'mymaster',
        from: { service: 'redis-master' },
        to: { service: expect.stringMatching(/^redis-replica-/) },
        sentinel: expect.stringMatching(/^redis-sentinel-/),
        waitedForPrevious: null,
      });
      expect(f.ms).toBeGreaterThan(0);
      expect(f.attempts.at(-1)).toEqual({ sentinel: f.sentinel, reply: 'OK' });
      expect(f.sentinels.map((s: any) => s.master.service)).toEqual([f.to.service, f.to.service, f.to.service]);

      // Right after a failover, redis-sentinel's leader still reconfigures replicas (-INPROG) and
      // the others rediscover them (-NOGOODSLAVE): waited for and asked again, it moves once more.
      const second = await runCli(['failover', '--json'], cwd);
      expect(second.code, second.stderr).toBe(0);
      const s = json(second);
      expect(s.from.service).toBe(f.to.service);
      expect(s.to.service).not.toBe(f.to.service);

      const noWait = await runCli(['failover', '--no-wait', '--json'], cwd);
      expect(noWait.code, noWait.stderr).toBe(0);
      const n = json(noWait);
      expect(n).toMatchObject({ ok: true, from: { service: s.to.service }, to: null, ms: null, sentinel: expect.stringMatching(/^redis-sentinel-/) });
      const waited = await runCli(['wait', '--master-changed', '--from', n.from.service, '--json', '--timeout', '60'], cwd);
      expect(waited.code, waited.stderr).toBe(0);
      expect(json(waited).to.service).not.toBe(n.from.service);
      expect((await runCli(['wait', '--timeout', '60'], cwd)).code).toBe(0);
    }, 180_000);
  }
});

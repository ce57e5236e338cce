/**
 * The fault commands under Docker Compose, host networking, through the built CLI as a real
 * process (test/integration/runtime/fault-commands.test.ts does the same and more on local
 * processes): pause the master container, wait for the new master, status names the pause,
 * unpause, failover. Runs inside the offline-docker namespace (test/helpers/docker.ts); timings
 * are never asserted.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_SKIP, cleanUpCliFolders, cliBuilt, runCli } from '../helpers/cli.js';
import { dockerUsable, pausedServices, skipNote } from '../helpers/docker.js';
import { drillSpecYaml } from '../helpers/drill.js';
import { tempDir } from '../helpers/procs.js';

const usable = dockerUsable();
const dirs: string[] = [];
// Taking a topology down under the vfs storage driver on a busy machine can take minutes.
afterEach(() => cleanUpCliFolders(dirs), 240_000);

describe.skipIf(!usable || !cliBuilt)(`fault commands under Docker Compose, host mode${skipNote}${CLI_SKIP}`, () => {
  it('pause the master container, wait for the new master, status names the pause, unpause, failover', async () => {
    const project = `scfault-${Math.random().toString(36).slice(2, 7)}`;
    const cwd = tempDir('sc-e2e-faults-');
    dirs.push(cwd);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await drillSpecYaml({ project, implementation: 'redis' }));
    const up = await runCli(['up', '--runtime', 'docker', '--timeout', '180'], cwd);
    expect(up.code, up.stderr).toBe(0);

    const pause = await runCli(['pause', 'redis-master', '--json'], cwd);
    expect(pause.code, pause.stderr).toBe(0);
    expect(JSON.parse(pause.stdout)).toMatchObject({
      ok: true,
      runtime: 'docker',
      services: [{ service: 'redis-master', role: 'master', after: 'paused', changed: true }],
    });
    expect(pausedServices(project)).toEqual(['redis-master']);

    const changed = await runCli(['wait', '--master-changed', '--from', 'redis-master', '--json', '--timeout', '120'], cwd);
    expect(changed.code, changed.stderr).toBe(0);
    const to = JSON.parse(changed.stdout).to.service as string;
    expect(to).toMatch(/^redis-replica-/);

    const status = await runCli(['status'], cwd);
    expect(status.stdout).toMatch(
      /redis-master was paused by `sentinel-compose pause` at \d\d:\d\d:\d\d; `sentinel-compose unpause redis-master --out out` resumes it/,
    );

    const unpause = await runCli(['unpause', 'redis-master'], cwd);
    expect(unpause.code, unpause.stderr).toBe(0);
    expect(pausedServices(project)).toEqual([]);
    const healthy = await runCli(['wait', '--timeout', '120'], cwd);
    expect(healthy.code, healthy.stderr).toBe(0);

    const failover = await runCli(['failover', '--json', '--timeout', '120'], cwd);
    expect(failover.code, failover.stderr).toBe(0);
    const f = JSON.parse(failover.stdout);
    expect(f.from.service).toBe(to);
    expect(f.to.service).not.toBe(to);
    expect(f.sentinels.every((s: { master: { service: string } }) => s.master.service === f.to.service)).toBe(true);
  }, 600_000);
});

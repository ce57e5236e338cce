/**
 * The library API under Docker Compose (host networking): startTopology with runtime 'docker',
 * pause of the master container, the wait for the new master, stop(). Runs inside the
 * offline-docker namespace (test/helpers/docker.ts); timings are never asserted.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTopology, type Topology } from '../../src/api/index.js';
import { CLI_SKIP, cliBuilt } from '../helpers/cli.js';
import { containersOf, dockerUsable, pausedServices, skipNote } from '../helpers/docker.js';

const usable = dockerUsable();
const started: Topology[] = [];
// Taking a topology down under the vfs storage driver on a busy machine can take minutes.
afterEach(async () => {
  for (const t of started.splice(0)) await t.stop().catch(() => {});
}, 240_000);

describe.skipIf(!usable || !cliBuilt)(`library API under Docker Compose, host mode${skipNote}${CLI_SKIP}`, () => {
  it('starts, pauses the master container, sees the new master, stops and leaves no container', async () => {
    const project = `scapi-${Math.random().toString(36).slice(2, 7)}`;
    const t = await startTopology({
      runtime: 'docker',
      timeoutMs: 180_000,
      spec: { version: 1, project, ports: 'auto', sentinels: { implementation: 'redis', 'down-after-milliseconds': 1000 }, redis: { persistence: 'none' } },
    });
    started.push(t);
    expect(t.runtime).toBe('docker');
    expect(containersOf(project)).toHaveLength(6);
    const before = (await t.masters()).mymaster!.master;
    expect(before.service).toBe('redis-master');

    const paused = await t.pause('redis-master');
    expect(paused).toMatchObject({ runtime: 'docker', services: [{ service: 'redis-master', role: 'master', after: 'paused', changed: true }] });
    expect(pausedServices(project)).toEqual(['redis-master']);
    const change = await t.waitForMasterChange('mymaster', { from: before, timeoutMs: 120_000 });
    expect(change.to.service).toMatch(/^redis-replica-[12]$/);
    expect((await t.masters()).mymaster!.master.service).toBe(change.to.service);

    await t.stop();
    expect(containersOf(project)).toEqual([]);
    expect(existsSync(t.dir)).toBe(false);
  }, 420_000);
});

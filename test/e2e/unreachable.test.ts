/**
 * A Docker engine that answers but whose containers this machine cannot reach: what a user on the
 * host side of `offline-docker up --netns` sees (dockerd and its published ports live in another
 * network namespace; the docker socket is shared). `up` must say so once the containers are
 * healthy (and take them down again) instead of waiting for health until it times out, and
 * `status` and `drill` on containers started there must say the same instead of failing on
 * client internals. Runs only on that side: when dockerd runs in another network namespace.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli as cli } from '../helpers/cli-inproc.js';
import { containersOf, docker } from '../helpers/docker.js';
import { removeDir, tempDir } from '../helpers/procs.js';
import { testSpecText } from '../helpers/topology.js';

const otherNamespace = docker.engine && docker.netns !== null && !docker.netns.same;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const note = otherNamespace ? '' : ' [skipped: runs only where dockerd is in another network namespace, e.g. the host side of offline-docker up --netns]';

describe.skipIf(!otherNamespace)(`a Docker engine whose containers are unreachable from here${note}`, () => {
  it('up, status and drill say that the containers run but their ports do not answer here, and what to do', async () => {
    const project = `sce2e-unreach-${Math.random().toString(36).slice(2, 7)}`;
    const cwd = tempDir('sc-e2e-unreach-');
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await testSpecText({ project, network: 'host', implementation: 'redis' }));
    cleanups.push(async () => {
      await cli(['down', '--runtime', 'docker', '--volumes'], cwd);
      removeDir(cwd);
    });
    const expectExplained = (r: { code: number; stderr: string }) => {
      expect(r.code, r.stderr).toBe(2);
      // The data nodes at least (compose waits for their health); sentinels may be healthy too.
      expect(r.stderr).toMatch(
        /Docker reports redis-master, redis-replica-1, redis-replica-2\b.* running and healthy, but 127\.0\.0\.1:\d+, .* do not accept connections from this machine/,
      );
      expect(r.stderr).toContain(`runs in ${docker.netns!.name ? `the network namespace "${docker.netns!.name}"` : 'another network namespace'}`);
    };

    const up = await cli(['up', '--runtime', 'docker'], cwd);
    expectExplained(up);
    expect(up.stderr).toContain('taking them down again');
    expect(containersOf(project)).toEqual([]);

    // Started by hand (compose waits for the data nodes' health), then asked about from here.
    execFileSync('docker-compose', ['up', '-d'], { cwd: path.join(cwd, 'out'), stdio: 'ignore', timeout: 240_000 });
    expectExplained(await cli(['status', '--runtime', 'docker'], cwd));
    expectExplained(await cli(['drill', 'master-pause', '--runtime', 'docker'], cwd));
  }, 300_000);
});

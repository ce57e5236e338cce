/**
 * Docker Compose end to end, host networking, both sentinel implementations: up -> status
 * healthy -> pause/unpause -> kill/restart -> down -> no container and no network left. Runs
 * only when an engine answers and its containers are reachable from here (test/helpers/docker.ts);
 * the bundled sentinel also needs `npm run build` (dist/sentinel.bundle.mjs, which render copies
 * into the image). Bridge mode: bridge-drill.test.ts and bridge-clients.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitHealthy } from '../../src/runtime/observe/index.js';
import { dockerRuntime, loadRendered } from '../../src/runtime/open.js';
import { runCli as run } from '../helpers/cli-inproc.js';
import { containersOf, dockerUsable, networksOf, skipNote } from '../helpers/docker.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';
import { testSpecText } from '../helpers/topology.js';

const engine = dockerUsable();
const bundleBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs'));
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setUp(project: string, implementation: 'redis' | 'bundled'): Promise<string> {
  const cwd = tempDir('sc-e2e-');
  writeFileSync(
    path.join(cwd, 'sentinel-compose.yaml'),
    await testSpecText({ project, network: 'host', implementation, password: 'e2e-pw' }).then((s) => s.replace('${TEST_REDIS_PASSWORD}', '${REDIS_PASSWORD}')),
  );
  writeFileSync(path.join(cwd, '.env'), 'REDIS_PASSWORD=e2e-pw\n');
  cleanups.push(async () => {
    await run(['down', '--volumes', '--out', path.join(cwd, 'out')], cwd);
    removeDir(cwd);
  });
  return cwd;
}

const suffix = Math.random().toString(36).slice(2, 7);

describe.skipIf(!engine)(`Docker Compose, host mode${skipNote}`, () => {
  for (const implementation of ['redis', 'bundled'] as const) {
    const skip = implementation === 'bundled' && !bundleBuilt;
    it.skipIf(skip)(
      `${implementation} sentinels: up -> healthy -> pause/unpause -> kill/restart -> down leaves nothing`,
      async () => {
        const project = `sce2e-${implementation}-${suffix}`;
        const cwd = await setUp(project, implementation);

        const up = await run(['up', '--runtime', 'docker', '--timeout', '120'], cwd);
        expect(up.code, up.stderr + up.stdout).toBe(0);
        expect(up.stdout).toContain(`healthy: ${project} on docker`);
        // A fresh folder never trusts an existing image of the shared tag: it builds its own.
        if (implementation === 'bundled') expect(up.stderr).toContain('building the bundled sentinel image');

        const status = await run(['status', '--json'], cwd);
        const s = JSON.parse(status.stdout);
        expect(s.healthy, status.stdout).toBe(true);
        expect(s.runtime).toBe('docker');
        expect(s.snapshot.nodes.map((n: { role: string }) => n.role)).toEqual(['master', 'replica', 'replica']);

        const dir = loadRendered(path.join(cwd, 'out'));
        const rt = await dockerRuntime(dir);
        await rt.pause('redis-replica-1');
        expect((await rt.ps()).find((x) => x.service === 'redis-replica-1')!.state).toBe('paused');
        await rt.unpause('redis-replica-1');
        await rt.kill('redis-sentinel-2');
        expect((await rt.ps()).find((x) => x.service === 'redis-sentinel-2')!.state).toBe('stopped');
        await rt.restart('redis-sentinel-2');
        expect((await rt.ps()).find((x) => x.service === 'redis-sentinel-2')!.state).toBe('running');
        await waitHealthy(rt, dir.secrets, { timeoutMs: 60_000 });

        const logs = await run(['logs', '--service', 'redis-sentinel-1'], cwd);
        expect(logs.stdout).toMatch(/^redis-sentinel-1 \| /m);

        const down = await run(['down'], cwd);
        expect(down.code, down.stderr).toBe(0);
        expect(containersOf(project)).toEqual([]);
        expect(networksOf(project)).toEqual([]);
        // The containers went, their logs stayed: where the local runtime keeps its logs.
        for (const service of ['redis-master', 'redis-sentinel-2']) {
          const kept = readFileSync(path.join(cwd, 'out', 'run', service, `${service}.log`), 'utf8');
          expect(kept, service).toMatch(service === 'redis-master' ? /Ready to accept connections/ : /\+monitor master mymaster/);
        }
        // redis-sentinel-2 ran in one container through its kill and restart: its log has both starts.
        expect(readFileSync(path.join(cwd, 'out', 'run', 'redis-sentinel-2', 'redis-sentinel-2.log'), 'utf8').match(/\+monitor master/g)).toHaveLength(2);
      },
      300_000,
    );
  }

  it("a failed up shows the failing service's logs and takes everything down", async () => {
    const project = `sce2e-fail-${suffix}`;
    const cwd = await setUp(project, 'redis');
    // Absolute paths: render resolves --spec/--out against the process's cwd.
    const rendered = await run(['render', '--spec', path.join(cwd, 'sentinel-compose.yaml'), '--out', path.join(cwd, 'out')], cwd);
    expect(rendered.code, rendered.stderr).toBe(0);
    // A replica whose config redis-server rejects: it crash-loops and never gets healthy.
    const conf = path.join(cwd, 'out', 'config', 'redis-replica-1', 'redis.conf');
    writeFileSync(conf, 'this-is-not-a-directive yes\n');
    const up = await run(['up', '--runtime', 'docker'], cwd);
    expect(up.code).toBe(70);
    expect(up.stderr).toContain('up failed: redis-replica-1');
    expect(up.stderr).toContain('command: docker');
    expect(up.stderr).toMatch(/Bad directive or wrong number of arguments|this-is-not-a-directive/);
    expect(containersOf(project)).toEqual([]);
  }, 300_000);
});

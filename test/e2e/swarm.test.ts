/**
 * The spec deployed as a Docker Swarm stack, for real, on a single-node swarm: `up --runtime
 * swarm`, `status`, `logs`, a host-side ioredis client in Sentinel mode (and the seed's redis-py
 * code when python3-redis is installed) reaching the topology through the sentinels at the node's
 * address, `drill master-pause no-quorum` with no acknowledged write lost, and `down --volumes`
 * leaving no service, container, volume, config, secret or network of the stack behind. Once with
 * the bundled sentinels, once with redis-sentinel (and passwords, as Docker secrets).
 *
 * The swarm: if this engine is not in one, the test creates one (`docker swarm init
 * --advertise-addr 10.254.254.1`) and leaves it at the end; one that was active is kept.
 * Joining and leaving a swarm rewrites the engine's iptables: a Compose topology starting at that
 * moment has its published ports dead (reproduced: `docker swarm init` / `leave` every 6 s beside
 * test/e2e/leftovers.test.ts makes its `drill --up` find the containers unreachable, and in CI a
 * bridge drill saw a failover before its fault). So `npm test` runs this file on its own, after
 * the other end-to-end files.
 * Runs inside the offline-docker namespace (`offline-docker exec npx vitest run
 * test/e2e/swarm.test.ts`), where 10.254.254.1 is the node's address. Timings are reported, never asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/retry.js';
import type { DrillReport } from '../../src/drill/types.js';
import { runCli } from '../helpers/cli-inproc.js';
import { dockerUsable, LAN_ADDRESS, lanAddressHere, skipNote } from '../helpers/docker.js';
import { freeServicePortBlock } from '../helpers/ports.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';
import { runsSummary } from '../helpers/report-text.js';

const usable = dockerUsable() && lanAddressHere;
const note = skipNote || (lanAddressHere ? '' : ` [skipped: no interface here has ${LAN_ADDRESS} (the offline-docker namespace's address)]`);
const bundleBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs'));
const redisPy = spawnSync('/usr/bin/python3', ['-c', 'import redis'], { stdio: 'ignore' }).status === 0;
const PASSWORD = 'swarm-pw-1';
const SENTINEL_PASSWORD = 'swarm-spw-2';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', timeout: 120_000 }).trim();
const lines = (s: string) => s.split('\n').filter(Boolean);

let initedSwarm = false;
let nodeName = '';
const dirs: string[] = [];

beforeAll(() => {
  if (!usable) return;
  if (docker('info', '--format', '{{.Swarm.LocalNodeState}}') !== 'active') {
    docker('swarm', 'init', '--advertise-addr', LAN_ADDRESS);
    initedSwarm = true;
  }
  nodeName = docker('node', 'inspect', 'self', '--format', '{{.Description.Hostname}}');
}, 120_000);

afterAll(() => {
  if (initedSwarm) docker('swarm', 'leave', '--force');
}, 120_000);

afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** What the stack left on the engine: services, containers, volumes, configs, secrets, networks. */
function leftOf(project: string): string[] {
  const label = `label=com.docker.stack.namespace=${project}`;
  return [
    ...lines(docker('service', 'ls', '-q', '--filter', label)).map((x) => `service ${x}`),
    ...lines(docker('ps', '-aq', '--filter', label)).map((x) => `container ${x}`),
    ...lines(docker('volume', 'ls', '-q', '--filter', label)).map((x) => `volume ${x}`),
    ...lines(docker('config', 'ls', '-q', '--filter', label)).map((x) => `config ${x}`),
    ...lines(docker('secret', 'ls', '-q', '--filter', label)).map((x) => `secret ${x}`),
    ...lines(docker('network', 'ls', '-q', '--filter', label)).map((x) => `network ${x}`),
  ];
}

const SEED_PY = `
import json, sys
from redis.sentinel import Sentinel
host, ports, password, sentinel_password, value = sys.argv[1], sys.argv[2].split(','), sys.argv[3], sys.argv[4], sys.argv[5]
kwargs = {'sentinel_kwargs': {'password': sentinel_password}} if sentinel_password else {}
sentinel = Sentinel([(host, int(p)) for p in ports], socket_timeout=1, **kwargs)
master = sentinel.master_for('mymaster', password=password or None, socket_timeout=1)
print(json.dumps({'master': list(sentinel.discover_master('mymaster')), 'set': master.set('foo-py', value)}))
`;

const cases = [
  { implementation: 'bundled' as const, auth: false, skip: bundleBuilt ? null : 'dist/sentinel.bundle.mjs not built' },
  { implementation: 'redis' as const, auth: true, skip: null },
];

describe.skipIf(!usable)(`a Docker Swarm stack on a single-node swarm${note}`, () => {
  it('docker stack deploy accepts the stack of a three-node spec (its tasks wait for nodes this swarm lacks), with every service pinned as rendered', async () => {
    const project = `scswarm3-${Math.random().toString(36).slice(2, 7)}`;
    const cwd = tempDir('sc-e2e-swarm3-');
    dirs.push(cwd);
    writeFileSync(
      path.join(cwd, 'sentinel-compose.yaml'),
      [
        `project: ${project}`,
        'auth:',
        '  password: ${REDIS_PASSWORD}',
        'images: { sentinel: registry.example.com/team/sentinel:1 }',
        'swarm:',
        '  nodes:',
        ...['a', 'b', 'c'].map((n, i) => `    - { name: ${project}-${n}, address: 10.0.0.${11 + i} }`),
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(cwd, '.env'), `REDIS_PASSWORD=${PASSWORD}\n`);
    const r = await runCli(['render', '--target', 'swarm'], cwd);
    expect(r.code, r.stderr).toBe(0);
    try {
      execFileSync('docker', ['stack', 'deploy', '--resolve-image', 'never', '-c', 'stack.yaml', project], { cwd: path.join(cwd, 'out'), encoding: 'utf8' });
      const pinned = lines(docker('service', 'ls', '--filter', `label=com.docker.stack.namespace=${project}`, '--format', '{{.Name}}')).map((name) => [
        name.slice(project.length + 1),
        docker('service', 'inspect', '--format', '{{json .Spec.TaskTemplate.Placement.Constraints}} {{.Spec.EndpointSpec.Mode}}', name),
      ]);
      expect(Object.fromEntries(pinned)).toEqual({
        'redis-master': `["node.hostname == ${project}-a"] dnsrr`,
        'redis-replica-1': `["node.hostname == ${project}-b"] dnsrr`,
        'redis-replica-2': `["node.hostname == ${project}-c"] dnsrr`,
        'redis-sentinel-1': `["node.hostname == ${project}-a"] dnsrr`,
        'redis-sentinel-2': `["node.hostname == ${project}-b"] dnsrr`,
        'redis-sentinel-3': `["node.hostname == ${project}-c"] dnsrr`,
      });
      expect(lines(docker('secret', 'ls', '--filter', `label=com.docker.stack.namespace=${project}`, '--format', '{{.Name}}'))).toHaveLength(1);
    } finally {
      spawnSync('docker', ['stack', 'rm', project], { stdio: 'ignore' });
      await waitUntil('the stack is gone', async () => leftOf(project), { timeoutMs: 60_000, intervalMs: 500 });
    }
  }, 180_000);

  for (const c of cases) {
    it.skipIf(c.skip !== null)(
      `${c.implementation} sentinels${c.auth ? ', passwords as Docker secrets' : ''}: up, status, logs, clients through the sentinels, drill master-pause and no-quorum with no acknowledged write lost, down --volumes leaves nothing${c.skip ? ` [skipped: ${c.skip}]` : ''}`,
      async () => {
        const project = `scswarm-${c.implementation}-${Math.random().toString(36).slice(2, 7)}`;
        const cwd = tempDir('sc-e2e-swarm-');
        dirs.push(cwd);
        const redisBase = await freeServicePortBlock(3, '0.0.0.0');
        const sentinelBase = await freeServicePortBlock(3, '0.0.0.0');
        writeFileSync(
          path.join(cwd, 'sentinel-compose.yaml'),
          [
            `project: ${project}`,
            `ports: { redis: ${redisBase}, sentinel: ${sentinelBase} }`,
            `sentinels: { implementation: ${c.implementation}, down-after-milliseconds: 3000 }`,
            ...(c.auth ? ['auth:', '  password: ${REDIS_PASSWORD}', '  sentinel-password: ${SENTINEL_PASSWORD}'] : []),
            'swarm:',
            '  nodes:',
            `    - { name: ${nodeName}, address: ${LAN_ADDRESS} }`,
            '',
          ].join('\n'),
        );
        writeFileSync(path.join(cwd, '.env'), `REDIS_PASSWORD=${PASSWORD}\nSENTINEL_PASSWORD=${SENTINEL_PASSWORD}\n`);
        try {
          const up = await runCli(['up', '--runtime', 'swarm', '--timeout', '180'], cwd);
          expect(up.code, up.stderr.slice(-4000)).toBe(0);
          // One node: the placement warning says what shares it.
          expect(up.stderr).toContain(`share node ${nodeName}`);
          const stack = docker('stack', 'services', '--format', '{{.Name}} {{.Replicas}}', project);
          expect(lines(stack).sort()).toEqual(
            ['redis-master', 'redis-replica-1', 'redis-replica-2', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'].map(
              (s) => `${project}_${s} 1/1`,
            ),
          );
          // No password in the stack file or in any service's definition.
          const inspected = docker('service', 'inspect', ...lines(docker('stack', 'services', '-q', project)));
          expect(inspected).not.toContain(PASSWORD);
          expect(inspected).toContain('"Mode": "dnsrr"');

          const status = await runCli(['status', '--json'], cwd);
          expect(status.code, status.stdout + status.stderr).toBe(0);
          expect(JSON.parse(status.stdout)).toMatchObject({ ok: true, runtime: 'swarm' });

          const logs = await runCli(['logs', '--service', 'redis-sentinel-1'], cwd);
          expect(logs.code, logs.stderr).toBe(0);
          expect(logs.stdout).toMatch(/\+monitor master mymaster 10\.254\.254\.1 \d+ quorum 2/);

          // A client outside the swarm finds the master through the sentinels, at the node's address.
          const sentinels = [0, 1, 2].map((i) => ({ host: LAN_ADDRESS, port: sentinelBase + i }));
          const auth = c.auth ? { password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD } : {};
          const master = new Redis({ sentinels, name: 'mymaster', ...auth, lazyConnect: true });
          const replica = new Redis({ sentinels, name: 'mymaster', role: 'slave', ...auth, lazyConnect: true });
          try {
            await master.connect();
            await replica.connect();
            expect(master.stream.remoteAddress).toBe(LAN_ADDRESS);
            expect(master.stream.remotePort).toBe(redisBase);
            await master.set('foo', 'across');
            await waitUntil('the replica has the write', async () => ((await replica.get('foo')) === 'across' ? [] : ['not yet']), {
              timeoutMs: 10_000,
              intervalMs: 50,
            });
          } finally {
            master.disconnect();
            replica.disconnect();
          }
          if (redisPy) {
            const py = JSON.parse(
              execFileSync(
                '/usr/bin/python3',
                ['-c', SEED_PY, LAN_ADDRESS, sentinels.map((s) => s.port).join(','), c.auth ? PASSWORD : '', c.auth ? SENTINEL_PASSWORD : '', 'py'],
                { encoding: 'utf8', timeout: 60_000 },
              ),
            ) as { master: [string, number]; set: boolean };
            expect(py).toEqual({ master: [LAN_ADDRESS, redisBase], set: true });
          }

          const drill = await runCli(['drill', 'master-pause', 'no-quorum', '--json'], cwd);
          const report = JSON.parse(drill.stdout) as DrillReport;
          expect(drill.code, `${runsSummary(report)}\n${drill.stderr.slice(-3000)}`).toBe(0);
          expect(report).toMatchObject({ runtime: 'swarm', sentinelImplementation: c.implementation, passed: true });
          expect(report.runs.map((r) => [r.scenario, r.status])).toEqual([
            ['master-pause', 'passed'],
            ['no-quorum', 'passed'],
          ]);
          for (const r of report.runs) {
            expect(r.writes!.check!.lost, r.scenario).toEqual([]);
            expect(r.writes!.stats.acked, r.scenario).toBeGreaterThan(0);
          }
          const m = report.runs[0]!.measurements!;
          expect(['redis-replica-1', 'redis-replica-2']).toContain(m.promoted?.service);
          expect(m.rejoins.find((x) => x.service === 'redis-master')?.as).toBe('replica');
          // Reported for the README's figures (never asserted).
          console.log(
            `[swarm ${c.implementation}] up, then master-pause: ${JSON.stringify({ sdown: m.detection?.t, promoted: m.promoted, switchMaster: m.switchMaster?.last })}`,
          );

          const down = await runCli(['down', '--volumes'], cwd);
          expect(down.code, down.stderr).toBe(0);
          expect(leftOf(project)).toEqual([]);
        } finally {
          if (leftOf(project).length) await runCli(['down', '--volumes', '--runtime', 'swarm'], cwd);
        }
      },
      1_200_000,
    );
  }
});

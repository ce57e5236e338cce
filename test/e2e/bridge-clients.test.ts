/**
 * Unmodified clients against a running bridge-mode topology, from the host side of it (this
 * process, outside the containers): the seed's redis-py code (discover_master, discover_slaves,
 * master_for / slave_for, set and get) and ioredis in Sentinel mode, before and after a
 * failover (`drill master-pause`, which must pass). The seed needed a VPN because the sentinels
 * handed out container addresses; here every address they hand out must work as it is.
 * Then a restart keeps the failover: `down` and `up` again leave the promoted replica master and
 * the old master its replica.
 *
 * Two topologies, the pairings bridge-drill.test.ts does not drill:
 *   - bundled sentinels announcing the LAN address 10.254.254.1, with auth.password and
 *     auth.sentinel-password (redis-py then passes the sentinel password in sentinel_kwargs);
 *   - redis-sentinel announcing host.docker.internal, with the seed's data password.
 * redis-py is Debian's python3-redis under /usr/bin/python3 (the README's first command installs
 * it). Runs where the engine's containers are reachable (offline-docker exec npx vitest run test/e2e).
 */
import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/common/retry.js';
import type { DrillReport } from '../../src/drill/types.js';
import type { Snapshot } from '../../src/runtime/observe/index.js';
import type { Topology } from '../../src/topology/types.js';
import { runCli } from '../helpers/cli-inproc.js';
import { bridgeSpecYaml, containersOf, dockerUsable, LAN_ADDRESS, lanAddressHere, networksOf, skipNote, type BridgeSpecOptions } from '../helpers/docker.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';

const usable = dockerUsable();
const bundleBuilt = existsSync(path.join(repoRoot, 'dist', 'sentinel.bundle.mjs'));
const hostDockerInternal = await lookup('host.docker.internal').then(
  () => true,
  () => false,
);
// The seed's own password (`master_for('mymaster', password='password', ...)`).
const PASSWORD = 'password';
const SENTINEL_PASSWORD = 'clients-spw-3';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

// The seed's code, with two changes: the sentinels' ports are this topology's, and the socket
// timeout is 1 s instead of 0.1 s (two shared cores). The replica read waits for replication.
const SEED_PY = `
import json, sys, time
from redis.sentinel import Sentinel
ports, password, sentinel_password, value = sys.argv[1].split(','), sys.argv[2], sys.argv[3], sys.argv[4]
kwargs = {'sentinel_kwargs': {'password': sentinel_password}} if sentinel_password else {}
sentinel = Sentinel([('localhost', int(p)) for p in ports], socket_timeout=1, **kwargs)
master = sentinel.discover_master('mymaster')
slaves = sentinel.discover_slaves('mymaster')
master = sentinel.master_for('mymaster', password=password, socket_timeout=1)
slave = sentinel.slave_for('mymaster', password=password, socket_timeout=1)
w_ret = master.set('foo', value)
r_ret = slave.get('foo')
deadline = time.time() + 5
while r_ret != value.encode() and time.time() < deadline:
    time.sleep(0.05)
    r_ret = slave.get('foo')
print(json.dumps({'master': list(sentinel.discover_master('mymaster')), 'slaves': sorted(list(s) for s in slaves), 'set': w_ret, 'get': r_ret.decode() if r_ret else None}))
`;

interface Seen {
  master: [string, number];
  slaves: [string, number][];
}

/** The seed's redis-py code, then ioredis in Sentinel mode: both write on the master and read the write back from a replica. */
async function clientsWork(t: Topology, sentinelPassword: string | undefined, value: string): Promise<Seen> {
  const ports = t.sentinels.map((s) => s.hostPort);
  const py = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', SEED_PY, ports.join(','), PASSWORD, sentinelPassword ?? '', value], { encoding: 'utf8', timeout: 60_000 }),
  ) as Seen & { set: boolean; get: string | null };
  expect(py.set).toBe(true);
  expect(py.get).toBe(value);

  const options = { sentinels: ports.map((port) => ({ host: 'localhost', port })), name: 'mymaster', password: PASSWORD, sentinelPassword, lazyConnect: true };
  const master = new Redis({ ...options, role: 'master' });
  const replica = new Redis({ ...options, role: 'slave' });
  try {
    await master.connect();
    await replica.connect();
    expect(((await master.role()) as string[])[0]).toBe('master');
    expect(((await replica.role()) as string[])[0]).toBe('slave');
    // ioredis connected where the sentinels said, with no natMap: the address works from here.
    expect(master.stream.remotePort).toBe(py.master[1]);
    await master.set('foo-ioredis', value);
    await waitUntil('the replica has the write', async () => ((await replica.get('foo-ioredis')) === value ? [] : ['not yet']), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  } finally {
    master.disconnect();
    replica.disconnect();
  }
  return py;
}

const cases: { name: string; spec: Omit<BridgeSpecOptions, 'project'>; announce: string; skip: string | null }[] = [
  {
    name: `bundled sentinels announcing ${LAN_ADDRESS}, with auth.password and auth.sentinel-password`,
    spec: { implementation: 'bundled', announce: LAN_ADDRESS, password: true, sentinelPassword: true },
    announce: LAN_ADDRESS,
    skip: !bundleBuilt
      ? 'dist/sentinel.bundle.mjs not built'
      : lanAddressHere
        ? null
        : `no interface here has ${LAN_ADDRESS} (the offline-docker namespace's LAN address)`,
  },
  {
    name: "redis-sentinel announcing host.docker.internal, with the seed's password",
    spec: { implementation: 'redis', password: true },
    announce: 'host.docker.internal',
    skip: hostDockerInternal ? null : 'host.docker.internal does not resolve here (the README says how to add it)',
  },
];

describe.skipIf(!usable)(`clients from the host side of a bridge-mode topology${skipNote}`, () => {
  for (const c of cases) {
    it.skipIf(c.skip !== null)(
      `${c.name}: redis-py and ioredis before and after a failover; a restart keeps it${c.skip ? ` [skipped: ${c.skip}]` : ''}`,
      async () => {
        const project = `scclients-${c.spec.implementation}-${Math.random().toString(36).slice(2, 7)}`;
        const cwd = tempDir('sc-e2e-clients-');
        writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await bridgeSpecYaml({ project, ...c.spec }));
        writeFileSync(path.join(cwd, '.env'), `REDIS_PASSWORD=${PASSWORD}\nSENTINEL_PASSWORD=${SENTINEL_PASSWORD}\n`);
        cleanups.push(async () => {
          await runCli(['down', '--volumes'], cwd);
          expect(containersOf(project)).toEqual([]);
          expect(networksOf(project)).toEqual([]);
          removeDir(cwd);
        });
        const sentinelPassword = c.spec.sentinelPassword ? SENTINEL_PASSWORD : undefined;
        const cli = async (...argv: string[]) => {
          const r = await runCli(argv, cwd);
          expect(r.code, `${argv.join(' ')}: ${r.stderr}${r.stdout}`.slice(-4000)).toBe(0);
          return r;
        };

        await cli('up', '--runtime', 'docker');
        const t = JSON.parse(readFileSync(path.join(cwd, 'out', 'topology.json'), 'utf8')) as Topology;
        const port = (service: string) => [...t.masters[0]!.nodes, ...t.sentinels].find((n) => n.service === service)!.hostPort;

        const before = await clientsWork(t, sentinelPassword, 'before');
        expect(before.master).toEqual([c.announce, port('redis-master')]);
        expect(before.slaves).toEqual([
          [c.announce, port('redis-replica-1')],
          [c.announce, port('redis-replica-2')],
        ]);

        const drill = JSON.parse((await cli('drill', 'master-pause', '--json')).stdout) as DrillReport;
        const run = drill.runs[0]!;
        expect(run.status).toBe('passed');
        expect(run.writes!.check!.lost).toEqual([]);
        const promoted = run.measurements!.promoted!.service;
        expect(['redis-replica-1', 'redis-replica-2']).toContain(promoted);

        const after = await clientsWork(t, sentinelPassword, 'after');
        expect(after.master).toEqual([c.announce, port(promoted)]);
        expect(after.slaves).toContainEqual([c.announce, port('redis-master')]);

        // A restart keeps the failover: the configs the nodes and sentinels rewrote are in data/.
        await cli('down');
        await cli('up');
        const status = JSON.parse((await cli('status', '--json')).stdout) as { snapshot: Snapshot };
        const node = (service: string) => status.snapshot.nodes.find((n) => n.service === service)!;
        expect(node(promoted).role).toBe('master');
        expect(node('redis-master')).toMatchObject({ role: 'replica', link: 'up', masterAddress: `${c.announce}:${port(promoted)}` });
        expect(status.snapshot.sentinels.map((s) => s.masters.mymaster?.service)).toEqual([promoted, promoted, promoted]);
        expect((await clientsWork(t, sentinelPassword, 'restarted')).master).toEqual([c.announce, port(promoted)]);
      },
      900_000,
    );
  }
});

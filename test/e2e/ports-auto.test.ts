/**
 * `ports: auto` under the real Docker Compose, host networking: the same spec brought up at the
 * same moment in two folders (two projects) gets distinct free ports, both turn healthy, and
 * `status` reads the chosen ports back; a fixed port that is taken stops `up` before any
 * container is created, naming the port and the pid holding it. Runs when an engine answers
 * (see test/helpers/docker.ts), through the built CLI as separate processes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allNodes, type Topology } from '../../src/topology/types.js';
import { cleanUpCliFolders, cliBuilt, runCli, startCli } from '../helpers/cli.js';
import { containersOf, dockerUsable, skipNote } from '../helpers/docker.js';
import { freeServicePortBlock } from '../helpers/ports.js';
import { tempDir } from '../helpers/procs.js';

const dockerOk = dockerUsable() && cliBuilt;
const dirs: string[] = [];
afterEach(() => cleanUpCliFolders(dirs));

const spec = (project: string, ports: string) =>
  [
    `project: ${project}`,
    ports,
    'masters: [{name: mymaster, replicas: 1}]',
    'sentinels: {implementation: redis, down-after-milliseconds: 1000, failover-timeout: 10000}',
    'redis: {persistence: none}',
  ].join('\n') + '\n';

function folder(text: string): string {
  const d = tempDir('sc-e2e-ports-');
  dirs.push(d);
  writeFileSync(path.join(d, 'sentinel-compose.yaml'), text);
  return d;
}

const portsOf = (dir: string) => {
  const t = JSON.parse(readFileSync(path.join(dir, 'out', 'topology.json'), 'utf8')) as Topology;
  return new Map(allNodes(t).map((n) => [n.service, n.hostPort]));
};

describe.skipIf(!dockerOk)(`docker compose, ports: auto${skipNote}`, () => {
  it('two ups at once: distinct ports, both healthy, status shows them', async () => {
    const a = folder(spec(`sc-pa-a-${process.pid}`, 'ports: auto'));
    const b = folder(spec(`sc-pa-b-${process.pid}`, 'ports: auto'));
    const ups = [
      startCli(['up', '--runtime', 'docker', '--json', '--timeout', '180'], a),
      startCli(['up', '--runtime', 'docker', '--json', '--timeout', '180'], b),
    ];
    const codes = await Promise.all(ups.map((u) => u.exited));
    expect(codes, ups.map((u) => u.stderr()).join('\n----\n')).toEqual([0, 0]);
    const pa = portsOf(a);
    const pb = portsOf(b);
    expect([...pa.values()].filter((p) => [...pb.values()].includes(p))).toEqual([]);
    for (const [dir, ports] of [
      [a, pa],
      [b, pb],
    ] as const) {
      const status = await runCli(['status', '--json'], dir);
      expect(status.code, status.stderr).toBe(0);
      const s = JSON.parse(status.stdout) as { healthy: boolean; snapshot: { nodes: { service: string; address: string }[] } };
      expect(s.healthy).toBe(true);
      for (const n of s.snapshot.nodes) expect(n.address).toBe(`127.0.0.1:${ports.get(n.service)}`);
    }
  }, 600_000);

  it('a fixed port that is taken: exit 2 naming it and its pid, no container created', async () => {
    const redisBase = await freeServicePortBlock(2);
    const sentinelBase = await freeServicePortBlock(3);
    const project = `sc-pa-fixed-${process.pid}`;
    const d = folder(spec(project, `ports: {redis: ${redisBase}, sentinel: ${sentinelBase}}`));
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port: redisBase + 1 }, r));
    try {
      const up = await runCli(['up', '--runtime', 'docker'], d);
      expect(up.code).toBe(2);
      expect(up.stderr).toContain(`127.0.0.1:${redisBase + 1} is already in use by`);
      expect(up.stderr).toContain(`(pid ${process.pid})`);
      expect(containersOf(project)).toEqual([]);
    } finally {
      srv.close();
    }
  }, 300_000);
});

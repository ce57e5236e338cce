/**
 * `ports: auto` under the real Docker Compose, host networking: the same spec brought up at the
 * same moment in two folders (two projects) gets distinct free ports, both turn healthy, and
 * `status` reads the chosen ports back; a fixed port that is taken stops `up` before any
 * container is created, naming the port and the pid holding it. Runs when an engine answers
 * (see test/helpers/docker.ts), through the built CLI as separate processes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpCliFolders, cliBuilt, runCli, startCli } from '../helpers/cli.js';
import { containersOf, dockerUsable, skipNote } from '../helpers/docker.js';
import { freeServicePortBlock } from '../helpers/ports.js';
import { tempDir } from '../helpers/procs.js';
import { expectStatusOnPorts, holdPort, recordedPorts } from '../helpers/auto-ports.js';

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
    const pa = recordedPorts(a);
    const pb = recordedPorts(b);
    expect([...pa.values()].filter((p) => [...pb.values()].includes(p))).toEqual([]);
    for (const [dir, ports] of [
      [a, pa],
      [b, pb],
    ] as const) {
      await expectStatusOnPorts(dir, ports);
    }
  }, 600_000);

  it('a fixed port that is taken: exit 2 naming it and its pid, no container created', async () => {
    const redisBase = await freeServicePortBlock(2);
    const sentinelBase = await freeServicePortBlock(3);
    const project = `sc-pa-fixed-${process.pid}`;
    const d = folder(spec(project, `ports: {redis: ${redisBase}, sentinel: ${sentinelBase}}`));
    const srv = await holdPort(redisBase + 1);
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

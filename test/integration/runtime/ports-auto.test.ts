/**
 * `ports: auto` on the local runtime, through the built CLI as separate processes, the way test
 * suites run in parallel: the same spec started at the same moment in two folders gets distinct
 * free ports, both come up healthy, status shows the chosen addresses; a stopped topology keeps
 * its ports on the next up while they are free and moves the ones taken since; a drill passes on
 * it. A fixed port that is taken stops `up` before anything starts, naming the port and the pid
 * that holds it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PortSource } from '../../../src/runtime/auto-ports.js';
import { bringUp } from '../../../src/runtime/bring-up/index.js';
import { isSameProcess } from '../../../src/runtime/local/process.js';
import { loadSpecFile } from '../../../src/topology/load.js';
import { allNodes, type Topology } from '../../../src/topology/types.js';
import { CLI_SKIP, cleanUpCliFolders, cliBuilt, eventually, liveServices, recordedProcesses, runCli, startCli } from '../../helpers/cli.js';
import { freePort, freeServicePortBlock as freePortBlock } from '../../helpers/ports.js';
import { tempDir } from '../../helpers/procs.js';
import { expectStatusOnPorts, holdPort, recordedPorts } from '../../helpers/auto-ports.js';

const dirs: string[] = [];
afterEach(() => cleanUpCliFolders(dirs));

const AUTO_SPEC = `version: 1
project: parallel
ports: auto
masters:
  - name: mymaster
    replicas: 1
sentinels:
  count: 3
  implementation: redis
  down-after-milliseconds: 1000
  failover-timeout: 20000
redis:
  persistence: none
`;

function folder(spec: string): string {
  const d = tempDir('sc-ports-auto-');
  dirs.push(d);
  writeFileSync(path.join(d, 'sentinel-compose.yaml'), spec);
  return d;
}

describe.runIf(cliBuilt)('ports: auto on local processes', () => {
  it('two ups of the same spec at once: distinct free ports, both healthy, status shows them; a re-up keeps them, or moves a taken one', async () => {
    const a = folder(AUTO_SPEC);
    const b = folder(AUTO_SPEC);
    const [upA, upB] = [startCli(['up', '--runtime', 'local', '--json'], a), startCli(['up', '--runtime', 'local', '--json'], b)];
    const [codeA, codeB] = await Promise.all([upA.exited, upB.exited]);
    expect(codeA, upA.stderr()).toBe(0);
    expect(codeB, upB.stderr()).toBe(0);
    expect(JSON.parse(upA.stdout()).healthy).toBe(true);
    expect(JSON.parse(upB.stdout()).healthy).toBe(true);

    const pa = recordedPorts(a);
    const pb = recordedPorts(b);
    expect(pa.size).toBe(5);
    expect(new Set(pa.values()).size).toBe(5);
    const overlap = [...pa.values()].filter((p) => [...pb.values()].includes(p));
    expect(overlap).toEqual([]);
    // The chosen ports are what runs: status reads them from topology.json.
    for (const [dir, ports] of [
      [a, pa],
      [b, pb],
    ] as const) {
      await expectStatusOnPorts(dir, ports);
      const human = await runCli(['status'], dir);
      expect(human.stdout).toContain(`127.0.0.1:${ports.get('redis-master')}`);
    }

    // render keeps the ports up chose: the folder is what the spec renders to for it.
    const check = await runCli(['render', '--check'], a);
    expect(check.code, check.stderr + check.stdout).toBe(0);

    // Stopped and started again: the same ports, as long as they are free.
    expect((await runCli(['down', '--volumes'], a)).code).toBe(0);
    const again = await runCli(['up', '--runtime', 'local', '--json'], a);
    expect(again.code, again.stderr).toBe(0);
    expect(recordedPorts(a)).toEqual(pa);

    // One of them taken meanwhile: that node moves, the others stay, and up says so.
    expect((await runCli(['down', '--volumes'], a)).code).toBe(0);
    const squatter = await holdPort(pa.get('redis-replica-1')!);
    try {
      const moved = await runCli(['up', '--runtime', 'local', '--json'], a);
      expect(moved.code, moved.stderr).toBe(0);
      expect(moved.stderr).toContain(`redis-replica-1: port ${pa.get('redis-replica-1')} is taken now; it gets`);
      const now = recordedPorts(a);
      expect(now.get('redis-replica-1')).not.toBe(pa.get('redis-replica-1'));
      expect(now.get('redis-master')).toBe(pa.get('redis-master'));
      expect(now.get('redis-sentinel-3')).toBe(pa.get('redis-sentinel-3'));
      expect(JSON.parse(moved.stdout).healthy).toBe(true);
    } finally {
      squatter.close();
    }
  }, 240_000);

  it('bridge mode: two at once on local processes, each node on its own 127.0.0.N at a chosen port', async () => {
    const spec = AUTO_SPEC.replace('ports: auto', 'network: bridge\nports: auto');
    const a = folder(spec);
    const b = folder(spec);
    const ups = [startCli(['up', '--runtime', 'local', '--json'], a), startCli(['up', '--runtime', 'local', '--json'], b)];
    const codes = await Promise.all(ups.map((u) => u.exited));
    expect(codes, ups.map((u) => u.stderr()).join('\n----\n')).toEqual([0, 0]);
    const pa = recordedPorts(a);
    const pb = recordedPorts(b);
    expect([...pa.values()].filter((p) => [...pb.values()].includes(p))).toEqual([]);
    const t = JSON.parse(readFileSync(path.join(a, 'out', 'topology.json'), 'utf8')) as Topology;
    for (const n of allNodes(t)) expect(n.local).toEqual({ host: expect.stringMatching(/^127\.0\.0\.\d+$/), port: n.hostPort });
    const status = await runCli(['status', '--json'], b);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { healthy: boolean }).healthy).toBe(true);
  }, 180_000);

  it('a drill on an auto-ports topology passes', async () => {
    const d = folder(AUTO_SPEC.replace('project: parallel', 'project: autodrill'));
    const drill = await runCli(['drill', 'master-pause', '--up', '--runtime', 'local', '--rate', '20', '--read-rate', '0', '--json'], d);
    expect(drill.code, drill.stderr).toBe(0);
    const report = JSON.parse(drill.stdout) as { passed: boolean };
    expect(report.passed).toBe(true);
    // The drill ran on the ports up chose, not on the stand-in defaults.
    expect([...recordedPorts(d).values()].some((p) => p === 6379 || p === 26379)).toBe(false);
  }, 180_000);

  it('recorded as up but killed (kill -9, a reboot): a recorded port taken since moves, and up succeeds instead of failing every time', async () => {
    const d = folder(AUTO_SPEC.replace('project: parallel', 'project: stale'));
    const out = path.join(d, 'out');
    const first = await runCli(['up', '--runtime', 'local'], d);
    expect(first.code, first.stderr).toBe(0);
    const before = recordedPorts(d);
    const procs = recordedProcesses(out);
    const kill = (which: (s: string) => boolean) => {
      for (const p of procs) if (which(p.service) && isSameProcess(p.rec)) process.kill(p.rec.pid, 'SIGKILL');
    };
    // One node killed and its port taken meanwhile: the rest runs on its ports, so that port
    // stays; the fix says how to get a free one.
    kill((s) => s === 'redis-sentinel-2');
    await eventually('redis-sentinel-2 is gone', () => !liveServices(out, procs).includes('redis-sentinel-2'));
    const squatter = await holdPort(before.get('redis-sentinel-2')!);
    try {
      const partly = await runCli(['up', '--runtime', 'local'], d);
      expect(partly.code, partly.stderr).toBe(2);
      expect(partly.stderr).toContain(`127.0.0.1:${before.get('redis-sentinel-2')} is already in use by`);
      expect(partly.stderr).toContain(`(pid ${process.pid})`);
      expect(partly.stderr).toContain('take the rest of it down (`sentinel-compose down --out out`) and start it again: up then chooses other free ports');
      // Every process dies without down: run/state.json stays, nothing runs.
      kill(() => true);
      await eventually('the killed nodes are gone', () => liveServices(out, procs).length === 0);
      expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(true);
      const again = await runCli(['up', '--runtime', 'local', '--json'], d);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`redis-sentinel-2: port ${before.get('redis-sentinel-2')} is taken now; it gets`);
      const now = recordedPorts(d);
      expect(now.get('redis-sentinel-2')).not.toBe(before.get('redis-sentinel-2'));
      expect(now.get('redis-master')).toBe(before.get('redis-master'));
      expect(JSON.parse(again.stdout).healthy).toBe(true);
    } finally {
      squatter.close();
    }
  }, 180_000);

  it('a fixed port that is taken: exit 2 naming the port and the pid holding it, nothing started', async () => {
    const redisBase = await freePortBlock(2);
    const sentinelBase = await freePortBlock(3);
    const d = folder(AUTO_SPEC.replace('ports: auto', `ports: {redis: ${redisBase}, sentinel: ${sentinelBase}}`));
    // The last node checked: nothing may have started by the time it is found taken.
    const squatter = await holdPort(sentinelBase + 2);
    try {
      const up = await runCli(['up', '--runtime', 'local'], d);
      expect(up.code).toBe(2);
      expect(up.stderr).toContain(`127.0.0.1:${sentinelBase + 2} is already in use by`);
      expect(up.stderr).toContain(`(pid ${process.pid})`);
      expect(up.stderr).toContain('redis-sentinel-3');
      expect(up.stderr).toMatch(/ports: auto/);
      const out = path.join(d, 'out');
      expect(liveServices(out)).toEqual([]);
      expect(recordedProcesses(out)).toEqual([]);
      expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
    } finally {
      squatter.close();
    }
  }, 60_000);
});

it.skipIf(cliBuilt)(`ports: auto through the CLI${CLI_SKIP}`, () => {});

describe('ports: auto, a chosen port taken before its node binds it', () => {
  it('up chooses again, says so, and comes up on other ports', async () => {
    const d = folder(AUTO_SPEC.replace('project: parallel', 'project: autorace'));
    const out = path.join(d, 'out');
    // The race made certain: the first candidate is reported free but a listener holds it.
    const [held, ...rest] = await Promise.all(Array.from({ length: 8 }, () => freePort()));
    const squatter = await holdPort(held!);
    const queue = [held!, ...rest];
    const source: PortSource = { isFree: async () => true, candidate: () => queue.shift()!, reserve: () => true, unreserve: () => {} };
    const lines: string[] = [];
    const up = await bringUp({
      outDir: out,
      spec: { exists: true, label: 'sentinel-compose.yaml', load: () => loadSpecFile(path.join(d, 'sentinel-compose.yaml')) },
      runtime: 'local',
      command: 'up',
      portSource: source,
      logger: { info: (l) => lines.push(l), warn: (l) => lines.push(`warn: ${l}`) },
    });
    try {
      expect(lines).toContain(`warn: port ${held} (redis-master) was taken after up chose it; choosing again`);
      const ports = recordedPorts(d);
      expect([...ports.values()]).not.toContain(held);
      expect(ports.size).toBe(5);
      expect(liveServices(out)).toHaveLength(5);
    } finally {
      up.lock.release();
      squatter.close();
    }
  }, 120_000);
});

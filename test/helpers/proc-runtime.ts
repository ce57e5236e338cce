/**
 * A `Runtime` over real redis-server / redis-sentinel processes started with procs.ts, for drill
 * tests while (and wherever) the product's local runtime is not the thing under test. Pause is
 * SIGSTOP, unpause SIGCONT, kill SIGKILL, restart re-runs the same command on the same (possibly
 * rewritten) config file: what `docker pause` / a crash / a restart do to a container.
 */
import path from 'node:path';
import type { LogLine, Runtime, ServiceState } from '../../src/runtime/types.js';
import type { MasterGroup, RedisNode, SentinelNode, Topology } from '../../src/topology/types.js';
import { freePort, waitForPort } from './ports.js';
import { repoRoot, startProcess, startRedis, startSentinel, type Proc } from './procs.js';

export interface TestTopologyOptions {
  groups?: { name: string; replicas: number }[];
  sentinels?: number;
  quorum?: number;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  implementation?: 'redis' | 'bundled';
  project?: string;
}

function node<K extends 'redis' | 'sentinel'>(service: string, port: number): Omit<RedisNode, 'kind' | 'group' | 'initialRole' | 'index' | 'replicaPriority'> & { kind?: K } {
  return { service, port, hostPort: port, bind: ['127.0.0.1'], announce: null, local: { host: '127.0.0.1', port } };
}

/** A host-mode topology on free loopback ports, shaped like what the spec loader resolves. */
export async function testTopology(o: TestTopologyOptions = {}): Promise<Topology> {
  const groupsIn = o.groups ?? [{ name: 'mymaster', replicas: 2 }];
  const multi = groupsIn.length > 1;
  const masters: MasterGroup[] = [];
  for (const g of groupsIn) {
    const prefix = multi ? `${g.name}-` : '';
    const nodes: RedisNode[] = [];
    nodes.push({ ...node(`${prefix}redis-master`, await freePort()), kind: 'redis', group: g.name, initialRole: 'master', index: 0, replicaPriority: 100 });
    for (let i = 1; i <= g.replicas; i++) {
      nodes.push({ ...node(`${prefix}redis-replica-${i}`, await freePort()), kind: 'redis', group: g.name, initialRole: 'replica', index: i, replicaPriority: 100 });
    }
    masters.push({
      name: g.name,
      quorum: o.quorum ?? 2,
      downAfterMs: o.downAfterMs ?? 1000,
      failoverTimeoutMs: o.failoverTimeoutMs ?? 10_000,
      parallelSyncs: 1,
      persistence: 'none',
      minReplicasToWrite: 0,
      minReplicasMaxLag: 10,
      nodes,
    });
  }
  const sentinels: SentinelNode[] = [];
  for (let i = 1; i <= (o.sentinels ?? 3); i++) sentinels.push({ ...node(`redis-sentinel-${i}`, await freePort()), kind: 'sentinel', index: i });
  return {
    version: 1,
    project: o.project ?? 'drill-test',
    network: 'host',
    timezone: null,
    images: { redis: 'redis:7.0', node: 'node:20-bookworm-slim', sentinel: 'sentinel-compose/sentinel:test' },
    auth: { redisPassword: false, sentinelPassword: false, redisPasswordVar: 'REDIS_PASSWORD', sentinelPasswordVar: 'SENTINEL_PASSWORD' },
    clientHost: '127.0.0.1',
    masters,
    sentinels,
    sentinel: { implementation: o.implementation ?? 'redis' },
  };
}

interface Running {
  proc: Proc;
  cmd: string;
  args: string[];
  state: ServiceState['state'];
}

export class ProcRuntime implements Runtime {
  readonly kind = 'local' as const;
  private readonly running = new Map<string, Running>();

  constructor(readonly topology: Topology) {}

  async up(): Promise<void> {
    const t = this.topology;
    for (const g of t.masters) {
      const [master, ...replicas] = g.nodes;
      const m = await startRedis(master!.service, { port: master!.port });
      this.track(master!.service, m, 'redis-server', [path.join(m.dir, 'redis.conf')]);
      for (const r of replicas) {
        const p = await startRedis(r.service, { port: r.port, replicaOf: { host: '127.0.0.1', port: master!.port } });
        this.track(r.service, p, 'redis-server', [path.join(p.dir, 'redis.conf')]);
      }
    }
    const conf = t.masters.flatMap((g) => [
      `sentinel monitor ${g.name} 127.0.0.1 ${g.nodes[0]!.port} ${g.quorum}`,
      `sentinel down-after-milliseconds ${g.name} ${g.downAfterMs}`,
      `sentinel failover-timeout ${g.name} ${g.failoverTimeoutMs}`,
      `sentinel parallel-syncs ${g.name} ${g.parallelSyncs}`,
    ]);
    for (const s of t.sentinels) {
      const p = await startSentinel(s.service, { port: s.port, implementation: t.sentinel.implementation, conf });
      const args =
        t.sentinel.implementation === 'redis' ? [p.confFile] : [path.join(repoRoot, 'dist', 'sentinel', 'main.js'), p.confFile];
      this.track(s.service, p, t.sentinel.implementation === 'redis' ? 'redis-sentinel' : process.execPath, args);
    }
  }

  private track(service: string, proc: Proc, cmd: string, args: string[]): void {
    this.running.set(service, { proc, cmd, args, state: 'running' });
  }

  private get(service: string): Running {
    const r = this.running.get(service);
    if (!r) throw new Error(`no such service: ${service}`);
    return r;
  }

  async down(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.proc.stop('SIGKILL')));
    for (const r of this.running.values()) r.state = 'stopped';
  }

  async pause(service: string): Promise<void> {
    const r = this.get(service);
    r.proc.pause();
    r.state = 'paused';
  }

  async unpause(service: string): Promise<void> {
    const r = this.get(service);
    r.proc.resume();
    r.state = 'running';
  }

  async kill(service: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const r = this.get(service);
    await r.proc.stop(signal);
    r.state = 'stopped';
  }

  async restart(service: string): Promise<void> {
    const r = this.get(service);
    if (r.state !== 'stopped') await r.proc.stop('SIGTERM');
    const p = startProcess(service, r.cmd, r.args, r.proc.host, r.proc.port, r.proc.dir);
    await waitForPort(r.proc.port, r.proc.host);
    this.running.set(service, { ...r, proc: p, state: 'running' });
  }

  async ps(): Promise<ServiceState[]> {
    return [...this.running.entries()].map(([service, r]) => ({ service, state: r.state, pid: r.proc.child.pid }));
  }

  async *logs(opts: { services?: string[] } = {}): AsyncIterable<LogLine> {
    for (const [service, r] of this.running) {
      if (opts.services && !opts.services.includes(service)) continue;
      for (const line of r.proc.log().split('\n')) if (line) yield { service, time: Date.now(), line };
    }
  }

  endpoint(service: string): { host: string; port: number } {
    const r = this.get(service);
    return { host: r.proc.host, port: r.proc.port };
  }
}

export async function startTestTopology(o: TestTopologyOptions = {}): Promise<ProcRuntime> {
  const rt = new ProcRuntime(await testTopology(o));
  await rt.up();
  return rt;
}

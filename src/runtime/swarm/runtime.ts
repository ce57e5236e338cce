/**
 * The Docker Swarm runtime: stack.yaml (render/swarm.ts) deployed with `docker stack deploy` from
 * a manager. Stack-wide operations (deploy, rm, scale, service logs) go to the manager's engine,
 * the one the docker command talks to; what acts on one container (pause, unpause, kill, and
 * reading container state) goes to the engine of the node the task runs on: the spec's
 * `swarm.nodes[].engine` as DOCKER_HOST, or the default engine when it names none.
 *
 * Drills need a killed node to stay down until `restart`: a killed task's service is scaled to 0
 * right after the kill (before Swarm's 5 s restart delay runs out), and scaled back to 1 by
 * restart, on the same node and volume.
 */
import path from 'node:path';
import { execa } from 'execa';
import { systemClock } from '../../common/clock.js';
import { ExternalToolError, InterruptedError, UsageError } from '../../common/errors.js';
import { knownNode } from '../known-node.js';
import { SENTINEL_IMAGE_DIR } from '../../render/compose.js';
import { swarmAddress } from '../../render/node-config.js';
import { STACK_FILE, SWARM_SERVICE_LABEL } from '../../render/swarm.js';
import { allNodes, type Topology, type TopologyNode } from '../../topology/types.js';
import { run, tryRun, commandLine, containerIdsByLabel } from '../compose/exec.js';
import { clearFault, clearFaults, clearFaultsExcept, recordFault } from '../faults.js';
import { ensureSentinelImage } from '../sentinel-image.js';
import type { Endpoint, FaultOptions, LogLine, Runtime, ServiceState, UpOptions } from '../types.js';
import { assertSwarmManager, checkImageReachesNodes, checkNodes, swarmNodes } from './engine.js';

export interface SwarmRuntimeOptions {
  outDir: string;
  topology: Topology;
  /** How long up waits for every task to run (ms). */
  startTimeoutMs?: number;
}

interface TaskContainer {
  id: string;
  service: string;
  status: string;
  pid: number;
  created: number;
}

const STACK_LABEL = 'com.docker.stack.namespace';

/** `--runtime swarm` for a topology without a swarm section: which nodes would it run on? */
export function assertSwarmSection(t: Topology): void {
  if (t.swarm) return;
  throw new UsageError([
    {
      path: 'swarm',
      message: `is missing from the spec of ${t.project}, and --runtime swarm needs it to know the nodes`,
      fix: 'add a swarm section listing the swarm nodes (`swarm: { nodes: [{ name: NODE, address: ADDRESS }] }`, names as `docker node ls` shows them), or use another --runtime',
    },
  ]);
}

export class SwarmRuntime implements Runtime {
  readonly kind = 'swarm' as const;
  readonly topology: Topology;
  private readonly outDir: string;
  private readonly nodes: Map<string, TopologyNode>;

  constructor(private readonly opts: SwarmRuntimeOptions) {
    this.topology = opts.topology;
    this.outDir = path.resolve(opts.outDir);
    this.nodes = new Map(allNodes(opts.topology).map((n) => [n.service, n]));
    assertSwarmSection(opts.topology);
  }

  /** Fully qualified service name in the swarm. */
  private swarmService(service: string): string {
    return `${this.topology.project}_${service}`;
  }

  async up(opts: UpOptions = {}): Promise<void> {
    const progress = opts.onProgress ?? (() => {});
    await assertSwarmManager();
    checkNodes(this.topology, await swarmNodes());
    checkImageReachesNodes(this.topology);
    const multiNode = new Set(Object.values(this.topology.swarm!.placement)).size > 1;
    if (this.topology.sentinel.implementation === 'bundled' && !multiNode) await this.buildSentinelImage(Boolean(opts.build), progress);
    progress(`deploying stack ${this.topology.project} (${this.nodes.size} services) with docker stack deploy`);
    // A local-only image cannot be resolved on a registry; asking would only wait for a timeout.
    const resolve = multiNode ? 'always' : 'never';
    await run('docker', ['stack', 'deploy', '--prune', '--resolve-image', resolve, '-c', STACK_FILE, this.topology.project], {
      cwd: this.outDir,
      summary: `docker stack deploy of ${this.topology.project} failed`,
      timeoutMs: 5 * 60_000,
      signal: opts.signal,
    }).catch(async (err: unknown) => {
      if (opts.signal?.aborted) {
        await this.removeStack();
        throw new InterruptedError(String(opts.signal.reason), `interrupted while deploying; removed stack ${this.topology.project}`, { cause: err });
      }
      throw err;
    });
    await this.waitRunning(progress, opts.signal);
    clearFaultsExcept(
      this.outDir,
      (await this.ps()).filter((s) => s.state === 'paused').map((s) => s.service),
    );
  }

  /** Until every service has a running task; a task Swarm rejects or that keeps failing ends it with the reasons and the logs. */
  private async waitRunning(progress: (m: string) => void, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 5 * 60_000);
    let said = '';
    for (;;) {
      if (signal?.aborted) {
        await this.removeStack();
        throw new InterruptedError(String(signal.reason), `interrupted while the tasks started; removed stack ${this.topology.project}`);
      }
      const states = await this.ps();
      const waiting = states.filter((s) => s.state !== 'running' && s.state !== 'paused').map((s) => s.service);
      if (!waiting.length) return;
      const failing = await this.failingTasks();
      if (failing.length || Date.now() > deadline) {
        const sections: string[] = [];
        for (const f of failing.length ? failing : waiting.map((service) => ({ service, error: 'not running yet' }))) {
          const logs = await tryRun('docker', ['service', 'logs', '--no-task-ids', '--tail', '30', this.swarmService(f.service)], { timeoutMs: 20_000 });
          sections.push(`--- ${f.service} (${f.error}) ---\n${logs.out.all.trim()}`);
        }
        await this.removeStack();
        const tasks = await tryRun('docker', ['stack', 'ps', '--no-trunc', this.topology.project]);
        throw new ExternalToolError(
          commandLine('docker', ['stack', 'ps', '--no-trunc', this.topology.project]),
          [tasks.out.all.trim(), ...sections].filter(Boolean).join('\n\n'),
          failing.length
            ? `up failed: ${failing.map((f) => `${f.service} (${f.error})`).join(', ')}; the stack was removed again`
            : `up failed: ${waiting.join(', ')} had no running task after ${Math.round((this.opts.startTimeoutMs ?? 300_000) / 1000)} s; the stack was removed again`,
        );
      }
      const now = `waiting for tasks of ${waiting.join(', ')}`;
      if (now !== said) progress(now);
      said = now;
      await systemClock.sleep(1000);
    }
  }

  /** Services whose tasks Swarm rejected, or that failed more than twice (a crash loop). */
  private async failingTasks(): Promise<{ service: string; error: string }[]> {
    const r = await tryRun('docker', [
      'stack',
      'ps',
      '--no-trunc',
      '--format',
      '{{.Name}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}',
      this.topology.project,
    ]);
    return r.ok ? failingServices(r.out.stdout, this.topology.project) : [];
  }

  /** See sentinel-image.ts: built when missing, asked for (--build) or stale. */
  private async buildSentinelImage(force: boolean, progress: (m: string) => void): Promise<void> {
    const image = this.topology.images.sentinel;
    const dir = path.join(this.outDir, SENTINEL_IMAGE_DIR);
    await ensureSentinelImage({
      image,
      outDir: this.outDir,
      contextDir: dir,
      force,
      progress,
      build: async () => {
        await run('docker', ['build', '-t', image, dir], { summary: `building the sentinel image ${image} failed`, timeoutMs: 15 * 60_000 });
      },
    });
  }

  async down(opts: { volumes?: boolean } = {}): Promise<void> {
    // A frozen container cannot act on the SIGTERM of the removal.
    for (const c of await this.containers().catch(() => [] as TaskContainer[])) {
      if (c.status === 'paused') await this.onNode(c.service, ['unpause', c.id], `unpausing ${c.service} before down failed`);
    }
    clearFaults(this.outDir);
    await this.removeStack();
    if (opts.volumes) {
      for (const node of this.nodes.values()) {
        const volume = `${this.topology.project}_${node.service}-data`;
        const r = await tryRun('docker', ['volume', 'rm', volume], { env: this.engineEnv(node.service) });
        if (!r.ok && !/no such volume/i.test(r.out.all))
          throw new ExternalToolError(commandLine('docker', ['volume', 'rm', volume]), r.out.all, `removing ${volume} failed`);
      }
    }
  }

  /**
   * `docker stack rm` returns before the containers are gone; the network, and the volumes `down
   * --volumes` removes, are only free once they are. Waits (bounded) for that.
   */
  private async removeStack(): Promise<void> {
    await tryRun('docker', ['stack', 'rm', this.topology.project], { timeoutMs: 120_000 });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const left = await this.containers().catch(() => [] as TaskContainer[]);
      const network = await tryRun('docker', ['network', 'inspect', `${this.topology.project}_${this.topology.swarm!.network}`]);
      if (!left.length && !network.ok) return;
      await systemClock.sleep(500);
    }
  }

  async pause(service: string, opts: FaultOptions = {}): Promise<void> {
    const c = await this.taskContainer(service);
    recordFault(this.outDir, service, 'paused', opts);
    await this.onNode(service, ['pause', c.id], `pausing ${service} failed`);
  }

  async unpause(service: string): Promise<void> {
    const c = await this.taskContainer(service);
    if (c.status === 'paused') await this.onNode(service, ['unpause', c.id], `unpausing ${service} failed`);
    clearFault(this.outDir, service);
  }

  async kill(service: string, signal: NodeJS.Signals = 'SIGKILL', opts: FaultOptions = {}): Promise<void> {
    const c = await this.taskContainer(service);
    if (signal === 'SIGKILL') recordFault(this.outDir, service, 'killed', opts);
    await this.onNode(service, ['kill', '-s', signal, c.id], `killing ${service} failed`);
    // Held down until restart: Swarm would otherwise start a new task 5 s later.
    await run('docker', ['service', 'scale', '--detach', `${this.swarmService(service)}=0`], { summary: `holding ${service} down failed` });
  }

  async restart(service: string): Promise<void> {
    const svc = this.service(service);
    const replicas = await run('docker', ['service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', this.swarmService(svc)], {
      summary: `inspecting ${svc} failed`,
    });
    const c = (await this.containers()).find((x) => x.service === svc && (x.status === 'running' || x.status === 'paused'));
    if (c?.status === 'paused') await this.onNode(svc, ['unpause', c.id], `unpausing ${svc} failed`);
    if (replicas.stdout.trim() === '0') {
      await run('docker', ['service', 'scale', '--detach', `${this.swarmService(svc)}=1`], { summary: `starting ${svc} failed` });
    } else {
      await run('docker', ['service', 'update', '--detach', '--force', this.swarmService(svc)], { summary: `restarting ${svc} failed` });
    }
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const now = (await this.containers()).find((x) => x.service === svc && x.status === 'running' && x.id !== c?.id);
      if (now) break;
      await systemClock.sleep(500);
    }
    clearFault(this.outDir, svc);
  }

  async ps(): Promise<ServiceState[]> {
    const containers = await this.containers();
    return [...this.nodes.keys()].map((service) => {
      // Old tasks' containers stay (exited) beside the new one: the live one, else the newest.
      const mine = containers.filter((c) => c.service === service).sort((a, b) => b.created - a.created);
      const c = mine.find((x) => x.status === 'running' || x.status === 'paused') ?? mine[0];
      if (!c) return { service, state: 'missing' as const };
      const state = c.status === 'running' ? 'running' : c.status === 'paused' ? 'paused' : 'stopped';
      return { service, state, containerId: c.id.slice(0, 12), ...(c.pid > 0 ? { pid: c.pid } : {}) };
    });
  }

  async *logs(opts: { services?: string[]; follow?: boolean; signal?: AbortSignal } = {}): AsyncIterable<LogLine> {
    const services = opts.services?.length ? opts.services.map((s) => this.service(s)) : [...this.nodes.keys()];
    const lines: LogLine[] = [];
    const waker = { wake: () => {} };
    let open = services.length;
    const errors: ExternalToolError[] = [];
    for (const service of services) {
      const args = ['service', 'logs', '--raw', '--timestamps', '--no-task-ids', ...(opts.follow ? ['--follow'] : []), this.swarmService(service)];
      const sub = execa('docker', args, { reject: false, stdin: 'ignore', cancelSignal: opts.signal, buffer: false, all: true });
      void (async () => {
        try {
          for await (const raw of sub.iterable({ from: 'all' })) {
            const line = parseStamped(String(raw), service, Date.now());
            if (line) lines.push(line);
            waker.wake();
          }
          const r = await sub;
          if (r.failed && !opts.signal?.aborted)
            errors.push(new ExternalToolError(commandLine('docker', args), String(r.all ?? ''), 'docker service logs failed', { cause: r }));
        } catch {
          /* aborted */
        } finally {
          open--;
          waker.wake();
        }
      })();
    }
    if (!opts.follow) {
      while (open > 0) await new Promise<void>((r) => (waker.wake = r));
      const [failed] = errors;
      if (failed) throw failed;
      yield* lines.sort((a, b) => a.time - b.time);
      return;
    }
    // Following: what came before the first quiet moment is sorted, then lines pass as they come.
    await systemClock.sleep(500);
    yield* lines.splice(0).sort((a, b) => a.time - b.time);
    while (open > 0 && !opts.signal?.aborted) {
      if (!lines.length) await new Promise<void>((r) => (waker.wake = r));
      yield* lines.splice(0);
    }
  }

  endpoint(service: string): Endpoint {
    const node = this.nodes.get(this.service(service))!;
    const a = swarmAddress(this.topology, node);
    return { host: a.host, port: a.port };
  }

  // ---------------------------------------------------------------------------------------------

  private service(service: string): string {
    return knownNode(this.nodes, service, `stack ${this.topology.project}`).service;
  }

  /** The environment that points docker at the engine of the node `service` is pinned to. */
  private engineEnv(service: string): NodeJS.ProcessEnv | undefined {
    const sw = this.topology.swarm!;
    const engine = sw.nodes.find((n) => n.name === sw.placement[service])?.engine;
    return engine ? { ...process.env, DOCKER_HOST: engine } : undefined;
  }

  private async onNode(service: string, args: string[], summary: string): Promise<void> {
    await run('docker', args, { summary, env: this.engineEnv(service), timeoutMs: 60_000 });
  }

  /** The running (or paused) container of a service's task, on its node. */
  private async taskContainer(service: string): Promise<TaskContainer> {
    const svc = this.service(service);
    const c = (await this.containers()).find((x) => x.service === svc && (x.status === 'running' || x.status === 'paused'));
    if (!c)
      throw new UsageError([
        {
          path: 'service',
          value: service,
          message: `has no running task in stack ${this.topology.project}`,
          fix: '`sentinel-compose restart` it, or `up` the topology',
        },
      ]);
    return c;
  }

  /** The stack's containers, from every engine the placement uses (each asked once). */
  private async containers(): Promise<TaskContainer[]> {
    const sw = this.topology.swarm!;
    const engines = new Map<string, string>();
    for (const service of this.nodes.keys()) {
      const engine = sw.nodes.find((n) => n.name === sw.placement[service])?.engine ?? '';
      if (!engines.has(engine)) engines.set(engine, service);
    }
    const out: TaskContainer[] = [];
    for (const [, service] of engines) {
      const env = this.engineEnv(service);
      const ids = await containerIdsByLabel(`${STACK_LABEL}=${this.topology.project}`, env);
      if (!ids.length) continue;
      const r = await tryRun('docker', ['inspect', ...ids], { env });
      // A container removed between ps and inspect: inspect still prints the others.
      let raw: InspectedTask[] = [];
      try {
        raw = JSON.parse(r.out.stdout || '[]') as InspectedTask[];
      } catch {
        raw = [];
      }
      for (const c of raw) {
        const service = c.Config.Labels[SWARM_SERVICE_LABEL];
        if (!service || !this.nodes.has(service)) continue;
        out.push({ id: c.Id, service, status: c.State.Paused ? 'paused' : c.State.Status, pid: c.State.Pid, created: Date.parse(c.Created) || 0 });
      }
    }
    return out;
  }
}

interface InspectedTask {
  Id: string;
  Created: string;
  State: { Status: string; Paused?: boolean; Pid: number };
  Config: { Labels: Record<string, string> };
}

/**
 * From `docker stack ps --format '{{.Name}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}'`:
 * services with a task Swarm rejected (it will not start anywhere: no such image, no suitable
 * node), or with three failed tasks (a crash loop). Older tasks of a slot are listed as `\_ name`.
 */
export function failingServices(psOutput: string, project: string): { service: string; error: string }[] {
  const failures = new Map<string, { count: number; error: string }>();
  for (const line of psOutput.split('\n').filter(Boolean)) {
    const [name = '', , current = '', error = ''] = line.split('\t');
    const service = name
      .replace(/^\\_\s*/, '')
      .replace(`${project}_`, '')
      .replace(/\.\d+$/, '');
    if (!/^(Rejected|Failed)/.test(current)) continue;
    const count = /^Rejected/.test(current) ? Infinity : (failures.get(service)?.count ?? 0) + 1;
    failures.set(service, { count, error: error || current });
  }
  return [...failures].filter(([, f]) => f.count > 2).map(([service, f]) => ({ service, error: f.error }));
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))\s?(.*)$/;

/** `docker service logs --raw --timestamps` lines: `2026-...Z text`. */
export function parseStamped(raw: string, service: string, fallbackTime: number): LogLine | null {
  if (!raw.trim()) return null;
  const m = STAMP.exec(raw);
  if (!m) return { service, time: fallbackTime, line: raw };
  const t = Date.parse(m[1]!);
  return { service, time: Number.isNaN(t) ? fallbackTime : t, line: m[2]! };
}

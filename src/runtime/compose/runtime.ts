/**
 * The Docker Compose runtime: the rendered compose.yaml run by `docker compose` (v2) or
 * `docker-compose` (v1.29) in the output directory, with the project name from the topology
 * (which render also writes to .env as COMPOSE_PROJECT_NAME; v1 rejects a top-level `name:`).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { systemClock } from '../../common/clock.js';
import { ExternalToolError, InterruptedError } from '../../common/errors.js';
import { knownNode } from '../known-node.js';
import { SENTINEL_IMAGE_DIR } from '../../render/compose.js';
import { allNodes, hasAutoPort, type Topology, type TopologyNode } from '../../topology/types.js';
import { clearFault, clearFaults, clearFaultsExcept, recordFault } from '../faults.js';
import { assertPortFree, findPortHolder, PortInUseError } from '../ports.js';
import { ownedAt } from '../owned.js';
import { assertReachable } from '../reach.js';
import { dataDir, ensureDataDir } from '../state.js';
import { ensureSentinelImage } from '../sentinel-image.js';
import type { Endpoint, FaultOptions, LinkControl, LogLine, Runtime, ServiceState, UpOptions } from '../types.js';
import type { ComposeTool } from './engine.js';
import { commandLine, run, tryRun, containerIdsByLabel } from './exec.js';
import { keepContainerLogs } from './keep-logs.js';
import { parseComposeLogLine } from './logs.js';
import { clearPartitionRecord, ComposeLinks, partitionOwnerAlive, readPartition } from './partition.js';

export interface ComposeRuntimeOptions {
  outDir: string;
  topology: Topology;
  compose: ComposeTool;
}

/** Tries of a `docker pause` whose freeze failed (see onContainer). */
const FREEZE_TRIES = 5;

export interface ContainerInfo {
  id: string;
  service: string;
  status: string;
  health?: ServiceState['health'];
  /**
   * Unhealthy only because a pause stopped its health checks: Docker says "unhealthy" from the
   * pause until the first check after the unpause (one interval later), with no failed check.
   */
  healthStale: boolean;
  pid: number;
  exitCode: number;
  restarts: number;
}

export class ComposeRuntime implements Runtime {
  readonly kind = 'docker' as const;
  readonly topology: Topology;
  private readonly outDir: string;
  private readonly nodes: Map<string, TopologyNode>;

  constructor(private readonly opts: ComposeRuntimeOptions) {
    this.topology = opts.topology;
    this.outDir = path.resolve(opts.outDir);
    this.nodes = new Map(allNodes(opts.topology).map((n) => [n.service, n]));
  }

  get compose(): ComposeTool {
    return this.opts.compose;
  }

  /** Partitions: bridge networking only (host networking is this machine's own stack). */
  get links(): (LinkControl & ComposeLinks) | undefined {
    return this.topology.network === 'bridge' ? new ComposeLinks(this.outDir, this.topology) : undefined;
  }

  /**
   * A partition a drill that died left in place (run/partition.json, its process gone): the
   * containers `up -d` keeps would stay cut off from each other. Healed, and said so.
   */
  async healLeftoverPartition(progress: (m: string) => void): Promise<void> {
    const record = readPartition(this.outDir);
    if (!record || partitionOwnerAlive(record)) return;
    progress(`healing the network partition a drill (pid ${record.by.pid}) left in place: ${record.sides[0].join(', ')} | ${record.sides[1].join(', ')}`);
    const links = new ComposeLinks(this.outDir, this.topology);
    await links.heal();
    await links.dispose();
  }

  async up(opts: UpOptions = {}): Promise<void> {
    const progress = opts.onProgress ?? (() => {});
    // Ports first: a taken port must not be found after minutes of building the image.
    await this.assertHostPortsFree();
    if (this.topology.sentinel.implementation === 'bundled') await this.buildSentinelImage(Boolean(opts.build), progress);
    progress(`starting ${this.nodes.size} services with ${this.opts.compose.command.join(' ')} ${this.opts.compose.version}`);
    // Docker makes each bind mount's data/<service>; data/ itself is made (and marked) here, so
    // that `down --volumes` knows it is the tool's.
    ensureDataDir(this.outDir);
    await this.healLeftoverPartition(progress);
    await this.waitForFreshHealth();
    try {
      await this.composeRun(['up', '-d', '--remove-orphans'], `${this.opts.compose.command.join(' ')} up failed`, 10 * 60_000, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) {
        const sig = String(opts.signal.reason);
        progress(`${sig}: taking down what was started`);
        await this.waitForHalfCreated(String((err as { output?: string })?.output ?? ''), progress);
        await this.takeDown();
        throw new InterruptedError(sig, `interrupted by ${sig} while starting; took down what had started`, { cause: err });
      }
      await this.cleanUpAfterFailure(err, progress);
    }
    // `up -d` returns once the data nodes are healthy (the sentinels depend on them): if this
    // machine cannot reach them now, it never will.
    try {
      await assertReachable(this);
    } catch (err) {
      progress('the containers are unreachable from here; taking them down again');
      await this.takeDown();
      throw err;
    }
    // A container paused on purpose stays paused through `up -d` (see bring-up): keep its record.
    clearFaultsExcept(
      this.outDir,
      (await this.ps()).filter((s) => s.state === 'paused').map((s) => s.service),
    );
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
      build: () => this.composeRun(['build'], `building the sentinel image ${image} failed`, 15 * 60_000),
    });
  }

  /**
   * A port already taken on this machine would only show up as a container in a crash loop
   * (host networking) or a compose error halfway through (a published port), later. Say so at
   * once, with what holds it (services of this project that already run hold their own ports).
   */
  private async assertHostPortsFree(): Promise<void> {
    const running = new Set((await this.containers()).filter((c) => c.status === 'running' || c.status === 'paused').map((c) => c.service));
    for (const node of this.nodes.values()) {
      if (running.has(node.service)) continue;
      const bind =
        this.topology.network === 'host' ? (node.bind.find((b) => !['0.0.0.0', '::', '*', '::1'].includes(b)) ?? '127.0.0.1') : this.topology.clientHost;
      await assertPortFree(node.service, bind, node.hostPort, { auto: hasAutoPort(this.topology, node) });
    }
  }

  /** Shows why: the logs of every service that is not running or not healthy; then takes it all down. */
  private async cleanUpAfterFailure(err: unknown, progress: (m: string) => void): Promise<never> {
    // Compose names the container it gave up on by id ("Container "e89cc3e559bc" is unhealthy");
    // others show it by state: exited, restarting (a crash loop), unhealthy.
    const named = new Set([...String((err as { output?: string })?.output ?? '').matchAll(/Container "?([0-9a-f]{12,64})"? is unhealthy/g)].map((m) => m[1]!));
    const failing = (await this.containers().catch(() => [] as ContainerInfo[])).filter(
      (c) => [...named].some((id) => c.id.startsWith(id)) || c.status !== 'running' || c.health === 'unhealthy' || c.restarts > 0,
    );
    const sections: string[] = [];
    for (const c of failing) {
      const logs = await this.composeTry(['logs', '--no-color', '--tail', '40', c.service]);
      const state = [c.status, c.health, c.restarts ? `restarted ${c.restarts} times` : '', c.status === 'running' ? '' : `exit code ${c.exitCode}`]
        .filter(Boolean)
        .join(', ');
      sections.push(`--- ${c.service} (${state}) ---\n${logs.out.all.trim()}`);
    }
    progress('up failed; taking down what was started');
    await this.takeDown();
    const original = err instanceof ExternalToolError ? err : null;
    const output = [original?.output ?? '', ...sections].filter(Boolean).join('\n\n');
    const failed = new ExternalToolError(
      original?.command ?? commandLine(...this.composeLine(['up', '-d'])),
      output,
      failing.length
        ? `up failed: ${failing.map((c) => c.service).join(', ')} did not come up (logs below); everything was taken down again`
        : 'up failed; everything was taken down again',
      { cause: err },
    );
    // A port taken after the check (a parallel run, another program): said as the check says it,
    // so that up chooses again for an auto port.
    const taken = this.takenPort(
      String(original?.output ?? ''),
      failing.map((c) => c.service),
      sections,
    );
    if (taken) {
      const auto = hasAutoPort(this.topology, taken.node);
      const fix = auto
        ? 'start again: up chooses other free ports'
        : 'stop whatever took it, or change the ports in the spec (`ports: auto` lets up choose free ones) and render again';
      throw new PortInUseError(taken.node.service, taken.host, taken.node.hostPort, findPortHolder(taken.node.hostPort), fix, { cause: failed });
    }
    throw failed;
  }

  /**
   * The node whose port was taken, from Docker's publish error ("Bind for 0.0.0.0:6379 failed:
   * port is already allocated", "listen tcp4 0.0.0.0:6379: bind: address already in use") or, in
   * host mode, a failing service whose log says its bind failed.
   */
  private takenPort(output: string, failing: string[], logs: string[]): { node: TopologyNode; host: string } | null {
    const conflict = dockerPortConflict(output);
    if (conflict) {
      const node = [...this.nodes.values()].find((n) => n.hostPort === conflict.port);
      if (node) return { node, host: conflict.host || this.topology.clientHost };
    }
    if (this.topology.network !== 'host') return null;
    for (const service of failing) {
      if (!logs.some((l) => l.startsWith(`--- ${service} `) && /Address already in use|EADDRINUSE/.test(l))) continue;
      const node = this.nodes.get(service);
      if (node) return { node, host: node.bind.find((b) => !['0.0.0.0', '::', '*', '::1'].includes(b)) ?? '127.0.0.1' };
    }
    return null;
  }

  /**
   * Compose's up refuses to start anything that depends on an unhealthy container, and a failed up
   * takes everything down: a container just resumed (by up, or by a drill) is not unhealthy, it
   * has not been checked yet. Wait (bounded) for that check.
   */
  private async waitForFreshHealth(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await this.containers()).some((c) => c.healthStale && c.status === 'running') && Date.now() < deadline) await systemClock.sleep(250);
  }

  /**
   * Stopping compose does not stop the engine creating a container compose had asked it for: that
   * container turns up seconds later (minutes with a slow storage driver), after any `compose
   * down`, and would be left behind. Wait (bounded) until each one the output says was being
   * created exists, so that the `down` after this removes it too.
   */
  private async waitForHalfCreated(composeOutput: string, progress: (m: string) => void): Promise<void> {
    const names = containersBeingCreated(composeOutput);
    if (!names.length) return;
    progress(`waiting for the engine to finish creating ${names.join(', ')} (compose was stopped while it did), to remove it`);
    const deadline = Date.now() + 60_000;
    for (const name of names) {
      while (!(await tryRun('docker', ['container', 'inspect', '--format', '{{.Id}}', name])).ok && Date.now() < deadline) await systemClock.sleep(250);
    }
  }

  /** After a failed up: best effort, the original error is what the user needs to see. */
  private async takeDown(): Promise<void> {
    await this.composeTry(['down', '--remove-orphans', '--timeout', '5'], 120_000);
  }

  async down(opts: { volumes?: boolean } = {}): Promise<void> {
    // A frozen container cannot act on the SIGTERM of `down`; compose v1 refuses to stop it.
    const containers = (await this.containers().catch(() => [] as ContainerInfo[])).filter((c) => this.nodes.has(c.service));
    const frozen = containers.filter((c) => c.status === 'paused');
    if (frozen.length) await this.composeRun(['unpause', ...frozen.map((c) => c.service)], 'unpausing before down failed');
    // Deleting the data deletes what was kept in run/ too (as the local runtime's down does).
    if (!opts.volumes) await keepContainerLogs(this.outDir, containers).catch(() => undefined);
    clearFaults(this.outDir);
    // The rules go with the containers' namespaces; the helpers and the record are ours to remove.
    clearPartitionRecord(this.outDir);
    await new ComposeLinks(this.outDir, this.topology).removeHelpers();
    await this.composeRun(['down', '--remove-orphans', '--timeout', '10', ...(opts.volumes ? ['--volumes'] : [])], 'compose down failed', 5 * 60_000);
    if (opts.volumes) await this.removeData();
  }

  /**
   * The tool's data directories (see owned.ts) are bind mounts written by root in the container;
   * removed with a container where we may not.
   */
  private async removeData(): Promise<void> {
    for (const dir of ownedAt(dataDir(this.outDir))) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EACCES' && code !== 'EPERM') throw err;
        await run('docker', ['run', '--rm', '--network', 'none', '-v', `${dir}:/d`, this.topology.images.redis, 'sh', '-c', 'rm -rf /d/* /d/.[!.]*'], {
          summary: `removing ${dir} failed`,
        });
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }

  async pause(service: string, opts: FaultOptions = {}): Promise<void> {
    // Recorded first: a CLI killed in between leaves a record of a running node, never a frozen
    // node without one (see faults.ts).
    recordFault(this.outDir, this.service(service), 'paused', opts);
    await this.onContainer(['pause'], service, `pausing ${service} failed`);
  }

  async unpause(service: string): Promise<void> {
    await this.onContainer(['unpause'], this.service(service), `unpausing ${service} failed`);
    clearFault(this.outDir, service);
  }

  async kill(service: string, signal: NodeJS.Signals = 'SIGKILL', opts: FaultOptions = {}): Promise<void> {
    // The engine kills a paused container too (it resumes it after sending SIGKILL).
    if (signal === 'SIGKILL') recordFault(this.outDir, this.service(service), 'killed', opts);
    await this.onContainer(['kill', '-s', signal], this.service(service), `killing ${service} failed`);
  }

  /**
   * A fault command on the service's container through the engine's CLI: `docker pause` takes
   * about 1 s where `docker-compose pause` took 3-4 s (the Python CLI's start, longer under load),
   * so that the fault begins when the command returns, not seconds after it was asked for.
   * Compose (and its error) when no container of the service exists.
   *
   * The freeze can fail ("OCI runtime pause failed: unable to freeze", seen once in CI on a loaded
   * runner: runc gives up while a process of the container is stuck in I/O); it is tried again,
   * up to FREEZE_TRIES times, 500 ms apart, and the last error is the one reported.
   */
  private async onContainer(args: string[], service: string, summary: string): Promise<void> {
    const ids = await containerIdsByLabel([
      `com.docker.compose.project=${this.topology.project}`,
      `com.docker.compose.service=${service}`,
      'com.docker.compose.oneoff=False',
    ]);
    if (!ids.length) return this.composeRun([...args, service], summary);
    for (let attempt = 1; ; attempt++) {
      try {
        await run('docker', [...args, ...ids], { summary, timeoutMs: 120_000 });
        return;
      } catch (err) {
        if (!(err instanceof ExternalToolError) || !/unable to freeze/i.test(err.output) || attempt >= FREEZE_TRIES) throw err;
        await systemClock.sleep(500);
      }
    }
  }

  async restart(service: string): Promise<void> {
    const svc = this.service(service);
    const c = (await this.containers()).find((x) => x.service === svc);
    if (c?.status === 'paused') await this.composeRun(['unpause', svc], `unpausing ${svc} failed`);
    if (c && (c.status === 'running' || c.status === 'paused')) await this.composeRun(['restart', svc], `restarting ${svc} failed`);
    else if (c) await this.composeRun(['start', svc], `starting ${svc} failed`);
    else await this.composeRun(['up', '-d', '--no-deps', svc], `starting ${svc} failed`);
    clearFault(this.outDir, svc);
  }

  async ps(): Promise<ServiceState[]> {
    const containers = await this.containers();
    return [...this.nodes.keys()].map((service) => {
      const c = containers.find((x) => x.service === service);
      if (!c) return { service, state: 'missing' as const };
      const state = c.status === 'running' ? 'running' : c.status === 'paused' ? 'paused' : 'stopped';
      return { service, state, containerId: c.id.slice(0, 12), ...(c.health ? { health: c.health } : {}), ...(c.pid > 0 ? { pid: c.pid } : {}) };
    });
  }

  async *logs(opts: { services?: string[]; follow?: boolean; signal?: AbortSignal } = {}): AsyncIterable<LogLine> {
    const services = (opts.services ?? []).map((s) => this.service(s));
    const [cmd, args] = this.composeLine(['logs', '--no-color', '--timestamps', ...(opts.follow ? ['--follow'] : []), ...services]);
    const names = [...this.nodes.keys()];
    const sub = execa(cmd, args, { cwd: this.outDir, reject: false, stdin: 'ignore', cancelSignal: opts.signal, buffer: false, stderr: 'pipe' });
    let stderr = '';
    sub.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Compose prints each container's history as one block: sort what arrives before the first
    // quiet moment (300 ms) by time, then pass lines on as they come.
    const history: LogLine[] = [];
    const it = sub.iterable({ from: 'stdout' })[Symbol.asyncIterator]();
    let streaming = !opts.follow;
    let next = it.next();
    try {
      for (;;) {
        const r = streaming ? await next : await Promise.race([next, systemClock.sleep(300).then(() => 'quiet' as const)]);
        if (r === 'quiet') {
          streaming = true;
          yield* history.sort((a, b) => a.time - b.time);
          history.length = 0;
          continue;
        }
        if (r.done) break;
        next = it.next();
        const line = parseComposeLogLine(String(r.value), names, this.topology.project, Date.now());
        if (!line) continue;
        if (opts.follow && streaming) yield line;
        else history.push(line);
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    yield* history.sort((a, b) => a.time - b.time);
    const result = await sub;
    if (result.failed && !opts.signal?.aborted) {
      throw new ExternalToolError(commandLine(cmd, args), stderr, 'compose logs failed', { cause: result });
    }
  }

  endpoint(service: string): Endpoint {
    const node = this.nodes.get(this.service(service))!;
    return { host: this.topology.clientHost, port: node.hostPort };
  }

  // ---------------------------------------------------------------------------------------------

  private service(service: string): string {
    return knownNode(this.nodes, service, `project ${this.topology.project}`).service;
  }

  private baseArgs(): string[] {
    return ['--project-directory', this.outDir, '-f', path.join(this.outDir, 'compose.yaml'), '-p', this.topology.project];
  }

  /** The program and arguments of a compose subcommand: v2's `docker compose` is two words. */
  private composeLine(args: string[]): [string, string[]] {
    const [cmd, ...pre] = this.opts.compose.command;
    return [cmd!, [...pre, ...this.baseArgs(), ...args]];
  }

  private async composeRun(args: string[], summary: string, timeoutMs = 120_000, signal?: AbortSignal): Promise<void> {
    await run(...this.composeLine(args), { cwd: this.outDir, summary, timeoutMs, signal });
  }

  /** Like composeRun, for clean-up and diagnostics whose failure must not hide the first error. */
  private composeTry(args: string[], timeoutMs?: number): ReturnType<typeof tryRun> {
    return tryRun(...this.composeLine(args), { cwd: this.outDir, timeoutMs });
  }

  /** The project's containers, by label (works the same for v1 and v2). */
  private async containers(): Promise<ContainerInfo[]> {
    const ids = await containerIdsByLabel(`com.docker.compose.project=${this.topology.project}`);
    if (!ids.length) return [];
    const out = await run('docker', ['inspect', ...ids], { summary: 'docker inspect failed' });
    return containersFromInspect(JSON.parse(out.stdout) as InspectedContainer[]);
  }
}

/** The part of `docker inspect` this runtime reads. */
export interface InspectedContainer {
  Id: string;
  RestartCount?: number;
  State: { Status: string; Paused?: boolean; Pid: number; ExitCode: number; Health?: { Status: string; FailingStreak?: number } };
  Config: { Labels: Record<string, string>; Healthcheck?: { Retries?: number } };
}

/**
 * A frozen container is `paused` whichever field says so: State.Paused is what the engine keeps
 * (and what `docker pause` sets), State.Status is derived from it; one-off `compose run`
 * containers are not services.
 */
export function containersFromInspect(raw: InspectedContainer[]): ContainerInfo[] {
  return raw
    .filter((c) => c.Config.Labels['com.docker.compose.oneoff'] !== 'True')
    .map((c) => {
      const health = c.State.Health;
      // A check that fails Retries times in a row makes a container unhealthy (3 unless set);
      // fewer failures than that never do, so the engine said it without a failing check.
      const retries = c.Config.Healthcheck?.Retries || 3;
      return {
        id: c.Id,
        service: c.Config.Labels['com.docker.compose.service'] ?? '',
        status: c.State.Paused ? 'paused' : c.State.Status,
        health: health?.Status as ServiceState['health'],
        healthStale: health?.Status === 'unhealthy' && (health.FailingStreak ?? 0) < retries,
        pid: c.State.Pid,
        exitCode: c.State.ExitCode,
        restarts: c.RestartCount ?? 0,
      };
    });
}

/**
 * The containers a stopped `compose up` had asked the engine to create and not seen created: a
 * "Creating"/"Recreating" line with no outcome after it (v1: `Creating p_redis-master_1 ... `,
 * later `... done` or `... error`; v2: `Container p-redis-master-1  Creating`, later `Created`).
 */
export function containersBeingCreated(output: string): string[] {
  const inFlight = new Map<string, boolean>();
  for (const line of output.split(/\r?\n|\r/)) {
    const v1 = /^(?:Creating|Recreating) (\S+) \.\.\. ?(\S*)\s*$/.exec(line);
    if (v1) {
      inFlight.set(v1[1]!, v1[2] === '');
      continue;
    }
    const v2 = /^\s*Container (\S+)\s+(Creating|Recreate|Created|Recreated|Error)\s*$/.exec(line);
    if (v2) inFlight.set(v2[1]!, v2[2] === 'Creating' || v2[2] === 'Recreate');
  }
  return [...inFlight].filter(([, flying]) => flying).map(([name]) => name);
}

/** The address of Docker's "port taken" publish errors, from compose's output. */
export function dockerPortConflict(output: string): { host: string; port: number } | null {
  const m = /(?:Bind for|listen tcp[46]?) \[?([0-9a-fA-F.:]*?)\]?:(\d+)(?: failed: port is already allocated|: bind: address already in use)/.exec(output);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

/**
 * The local-process runtime: every node of the topology as a detached redis-server,
 * redis-sentinel or bundled-sentinel process on loopback, configured from the same rendered
 * configs (target `local`: host mode 127.0.0.1 + each node's port, bridge mode 127.0.0.N + the
 * standard ports). Layout inside the output directory:
 *
 *   run/<service>/<redis|sentinel>.conf   the config the process runs with (0600: may hold
 *                                         secrets; sentinels and CONFIG REWRITE rewrite it)
 *   run/<service>/<service>.log           stdout + stderr
 *   run/<service>/pid, process.json       who we started (pid + start time)
 *   run/<service>/rendered.sha256         which rendered config the file came from
 *   data/<service>/                       the process's `dir` (RDB/AOF)
 *
 * A restart keeps the rewritten config and the data, so a node comes back with what it learned
 * (after a failover the old master returns as a replica, sentinels keep their epochs). Only a
 * config whose rendered source changed since (the spec was re-rendered) is replaced.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ExternalToolError, InterruptedError, UsageError } from '../../common/errors.js';
import { knownNode } from '../known-node.js';
import { clearFault, clearFaults, clearFaultsExcept, recordFault } from '../faults.js';
import { assertPortFree, canConnect, findPortHolder, PortInUseError, waitNotListening } from '../ports.js';
import { allNodes, hasAutoPort, type Topology, type TopologyNode } from '../../topology/types.js';
import { ownedAt } from '../owned.js';
import { dataDir, ensureDataDir, ensureRunDir, runDir } from '../state.js';
import type { Endpoint, FaultOptions, LogLine, NodeConfig, Runtime, ServiceState, UpOptions } from '../types.js';
import { redisServerCommand, sentinelCommand, type Command } from './binaries.js';
import { readLogs } from './logs.js';
import { isSameProcess, processStateLetter, signalOwn, spawnDetached, stopOwn, waitForExit, type ProcessRecord } from './process.js';

export interface LocalRuntimeOptions {
  /** The rendered output directory. */
  outDir: string;
  topology: Topology;
  /** The config a node runs with, rendered for target `local`. */
  configFor: (node: TopologyNode) => NodeConfig;
  /** PATH to look programs up on (tests). */
  pathEnv?: string;
  /** How long a started process has to accept connections. */
  startTimeoutMs?: number;
}

export class LocalRuntime implements Runtime {
  readonly kind = 'local' as const;
  readonly topology: Topology;
  private readonly outDir: string;
  private readonly nodes: Map<string, TopologyNode>;

  constructor(private readonly opts: LocalRuntimeOptions) {
    this.topology = opts.topology;
    this.outDir = path.resolve(opts.outDir);
    this.nodes = new Map(allNodes(opts.topology).map((n) => [n.service, n]));
  }

  /** Checks that every program the topology needs is installed; throws MissingDependencyError. */
  checkDependencies(): void {
    for (const node of this.nodes.values()) this.commandFor(node);
  }

  async up(opts: UpOptions = {}): Promise<void> {
    const progress = opts.onProgress ?? (() => {});
    // Fail before starting anything when a program is missing.
    this.checkDependencies();
    ensureRunDir(this.outDir);
    // Data nodes first (masters before their replicas), sentinels last, so that every process
    // finds what it points at.
    const ordered = [...this.topology.masters.map((m) => m.nodes[0]!), ...this.topology.masters.flatMap((m) => m.nodes.slice(1)), ...this.topology.sentinels];
    const toStart = ordered.filter((node) => {
      const current = this.readRecord(node.service);
      if (current && isSameProcess(current)) {
        progress(`${node.service}: already running (pid ${current.pid})`);
        return false;
      }
      return true;
    });
    // Every address is checked before anything starts: a port taken by the last sentinel must
    // not be found after five nodes were started (and stopped again).
    for (const node of toStart) await assertPortFree(node.service, node.local.host, node.local.port, { auto: hasAutoPort(this.topology, node) });
    const started: { service: string; rec: ProcessRecord }[] = [];
    try {
      for (const node of toStart) {
        if (opts.signal?.aborted) throw interrupted(opts.signal, started.length);
        const changed = this.prepareConfig(node);
        if (changed === 'replaced') progress(`${node.service}: rendered config changed since the last run; starting from the new one`);
        const rec = await this.start(node);
        started.push({ service: node.service, rec });
        progress(`${node.service}: started (pid ${rec.pid}) on ${node.local.host}:${node.local.port}`);
      }
      if (opts.signal?.aborted) throw interrupted(opts.signal, started.length);
      // Everything runs now: no record of a kill still applies, nor of a pause but for a node
      // that stays paused (bring-up keeps a node paused on purpose paused).
      clearFaultsExcept(
        this.outDir,
        (await this.ps()).filter((s) => s.state === 'paused').map((s) => s.service),
      );
    } catch (err) {
      // Leave nothing half-up behind: stop what this call started, newest first.
      for (const s of started.reverse()) {
        await stopOwn(s.rec, 2000);
        this.forgetRecord(s.service);
      }
      throw err;
    }
  }

  async down(opts: { volumes?: boolean } = {}): Promise<void> {
    // Nothing stays paused or killed after this (stopOwn resumes a paused process to stop it).
    clearFaults(this.outDir);
    // Sentinels first, so that stopping a master does not start a failover on the way down.
    const order = [...this.topology.sentinels, ...[...this.topology.masters].flatMap((m) => [...m.nodes].reverse())];
    await Promise.all(
      order.map(async (node) => {
        const rec = this.readRecord(node.service);
        if (rec) await stopOwn(rec);
        this.forgetRecord(node.service);
      }),
    );
    // Processes started from an older render of this directory (services since removed).
    for (const service of this.recordedServices()) {
      if (this.nodes.has(service)) continue;
      const rec = this.readRecord(service);
      if (rec) await stopOwn(rec);
      this.forgetRecord(service);
    }
    if (opts.volumes) {
      for (const dir of ownedAt(dataDir(this.outDir))) rmSync(dir, { recursive: true, force: true });
      // Rewritten configs are state too: the next up starts from the rendered ones.
      // run/ itself goes with state.json (clearState).
      for (const service of this.recordedServices()) rmSync(path.join(runDir(this.outDir), service), { recursive: true, force: true });
    }
  }

  /** Returns once the process is stopped, as `docker pause` returns once the container is frozen. */
  async pause(service: string, opts: FaultOptions = {}): Promise<void> {
    // Recorded before it happens: a CLI killed in between leaves a record of a running node
    // (harmless), never a frozen node without one.
    recordFault(this.outDir, this.node(service).service, 'paused', opts);
    const rec = this.signal(service, 'SIGSTOP', 'pause');
    await waitForState(rec, isStopped);
  }

  async unpause(service: string): Promise<void> {
    const rec = this.signal(service, 'SIGCONT', 'unpause');
    await waitForState(rec, (s) => !isStopped(s));
    clearFault(this.outDir, service);
  }

  async kill(service: string, signal: NodeJS.Signals = 'SIGKILL', opts: FaultOptions = {}): Promise<void> {
    if (signal === 'SIGKILL') recordFault(this.outDir, this.node(service).service, 'killed', opts);
    const rec = this.signal(service, signal, 'kill');
    // A paused process would sit on any signal but SIGKILL; wake it so that it can act on it.
    if (signal !== 'SIGKILL' && signal !== 'SIGSTOP') signalOwn(rec, 'SIGCONT');
    if (signal === 'SIGKILL') {
      await waitForExit(rec, 5000);
      const node = this.node(service);
      await waitNotListening(node.local.host, node.local.port, 2000);
    }
  }

  async restart(service: string): Promise<void> {
    const node = this.node(service);
    const rec = this.readRecord(service);
    if (rec && isSameProcess(rec)) await stopOwn(rec);
    // The kept config (rewritten by the process) and data are reused as they are.
    if (!existsSync(this.confPath(node))) {
      ensureRunDir(this.outDir);
      this.prepareConfig(node);
    }
    this.checkDependencies();
    await this.start(node);
  }

  async ps(): Promise<ServiceState[]> {
    return [...this.nodes.values()].map((node) => {
      const rec = this.readRecord(node.service);
      if (!rec) return { service: node.service, state: 'missing' as const };
      if (!isSameProcess(rec)) return { service: node.service, state: 'stopped' as const, pid: rec.pid };
      const letter = processStateLetter(rec.pid);
      const state = letter !== null && isStopped(letter) ? ('paused' as const) : ('running' as const);
      return { service: node.service, state, pid: rec.pid };
    });
  }

  logs(opts: { services?: string[]; follow?: boolean; signal?: AbortSignal } = {}): AsyncIterable<LogLine> {
    const services = opts.services ?? [...this.nodes.keys()];
    for (const s of services) this.node(s);
    return readLogs(
      services.map((service) => ({ service, file: this.logPath(service) })),
      { follow: opts.follow, signal: opts.signal },
    );
  }

  endpoint(service: string): Endpoint {
    const node = this.node(service);
    return { host: node.local.host, port: node.local.port };
  }

  /**
   * Stops every recorded process at once, synchronously: for a process that is exiting (the
   * library's 'exit' handler), which cannot wait for `down`. A paused process is resumed first
   * so that nothing stays frozen; SIGKILL, because nobody is left to wait for a graceful stop.
   */
  killNow(): void {
    for (const service of new Set([...this.nodes.keys(), ...this.recordedServices()])) {
      const rec = this.readRecord(service);
      if (!rec) continue;
      try {
        signalOwn(rec, 'SIGCONT');
        signalOwn(rec, 'SIGKILL');
      } catch {
        /* best effort: the process is exiting */
      }
    }
  }

  /** Log file of a service (for error messages and tests). */
  logPath(service: string): string {
    return path.join(this.serviceRunDir(service), `${service}.log`);
  }

  /** The pid record of a service as last started, if any (tests check pids are gone after down). */
  readRecord(service: string): ProcessRecord | null {
    return recordedProcess(this.outDir, service);
  }

  confPath(node: TopologyNode): string {
    return path.join(this.serviceRunDir(node.service), node.kind === 'redis' ? 'redis.conf' : 'sentinel.conf');
  }

  // ---------------------------------------------------------------------------------------------

  private node(service: string): TopologyNode {
    return knownNode(this.nodes, service, `project ${this.topology.project}`);
  }

  private serviceRunDir(service: string): string {
    return path.join(runDir(this.outDir), service);
  }

  private recordedServices(): string[] {
    try {
      return readdirSync(runDir(this.outDir), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return [];
    }
  }

  private commandFor(node: TopologyNode): Command {
    return node.kind === 'redis' ? redisServerCommand(this.opts.pathEnv) : sentinelCommand(this.topology.sentinel.implementation, this.opts.pathEnv);
  }

  /**
   * Writes the node's config into its run directory unless the one there came from the same
   * rendered text (it may have been rewritten since; keep that).
   */
  private prepareConfig(node: TopologyNode): 'kept' | 'written' | 'replaced' {
    const dir = this.serviceRunDir(node.service);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const rendered = this.opts.configFor(node);
    const hash = createHash('sha256').update(rendered.content).digest('hex');
    const hashFile = path.join(dir, 'rendered.sha256');
    const conf = this.confPath(node);
    const had = existsSync(conf);
    if (had && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === hash) return 'kept';
    writeFileSync(conf, rendered.content, { mode: 0o600 });
    chmodSync(conf, 0o600);
    writeFileSync(hashFile, hash + '\n', { mode: 0o600 });
    return had ? 'replaced' : 'written';
  }

  private async start(node: TopologyNode): Promise<ProcessRecord> {
    const dir = this.serviceRunDir(node.service);
    const data = ensureDataDir(this.outDir, node.service);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await assertPortFree(node.service, node.local.host, node.local.port, { auto: hasAutoPort(this.topology, node) });
    const cmd = this.commandFor(node);
    const conf = this.confPath(node);
    const bundled = node.kind === 'sentinel' && this.topology.sentinel.implementation === 'bundled';
    // Both take overrides after the config file, as redis-server does: the data directory, and
    // for Redis logging to stdout (our log file). The bundled sentinel takes `dir` the same way.
    const args = bundled ? [...cmd.prefix, conf, '--dir', data] : [...cmd.prefix, conf, '--dir', data, '--daemonize', 'no', '--logfile', ''];
    const logFile = this.logPath(node.service);
    // The spec's timezone, as compose sets TZ in each container: log stamps read the same.
    const env = this.topology.timezone ? { ...process.env, TZ: this.topology.timezone } : process.env;
    const rec = await spawnDetached(cmd.command, args, {
      cwd: data,
      logFile,
      env,
      record: (r) => {
        try {
          writeFileSync(path.join(dir, 'process.json'), JSON.stringify(r, null, 2) + '\n', { mode: 0o644 });
          writeFileSync(path.join(dir, 'pid'), `${r.pid}\n`, { mode: 0o644 });
        } catch (err) {
          // Not recorded (a full disk), so never run: no half-written record either.
          this.forgetRecord(node.service);
          throw err;
        }
      },
    });
    clearFault(this.outDir, node.service);
    const ok = await this.waitListening(node, rec);
    if (!ok) {
      const alive = isSameProcess(rec);
      if (alive) await stopOwn(rec, 2000);
      this.forgetRecord(node.service);
      const commandLine = [cmd.command, ...args].map(shellQuote).join(' ');
      const log = tail(readFileSafe(logFile), 40);
      const failed = new ExternalToolError(
        commandLine,
        log,
        alive
          ? `${node.service} did not accept connections on ${node.local.host}:${node.local.port} within ${Math.round(this.startTimeout / 1000)} s`
          : `${node.service} exited right after starting (log: ${logFile})`,
      );
      // Taken between the check and the bind (another program, a parallel run): the same error as
      // the check's, so that up can choose another port when it chose this one.
      if (!alive && /Address already in use|EADDRINUSE/.test(log)) {
        const auto = hasAutoPort(this.topology, node);
        const holder = findPortHolder(node.local.port);
        const fix = auto
          ? 'start again: up chooses other free ports'
          : 'stop whatever took it, or change the ports in the spec (`ports: auto` lets up choose free ones)';
        throw new PortInUseError(node.service, node.local.host, node.local.port, holder, fix, { cause: failed });
      }
      throw failed;
    }
    return rec;
  }

  private get startTimeout(): number {
    return this.opts.startTimeoutMs ?? 15_000;
  }

  private async waitListening(node: TopologyNode, rec: ProcessRecord): Promise<boolean> {
    const deadline = Date.now() + this.startTimeout;
    while (Date.now() < deadline) {
      if (!isSameProcess(rec)) return false;
      if (await canConnect(node.local.host, node.local.port)) return isSameProcess(rec);
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  private signal(service: string, signal: NodeJS.Signals, verb: string): ProcessRecord {
    const rec = this.readRecord(this.node(service).service);
    if (!rec || !signalOwn(rec, signal)) {
      throw new UsageError([{ path: 'service', message: `cannot ${verb} ${service}: it is not running (start it with up, or restart it)`, value: service }]);
    }
    return rec;
  }

  private forgetRecord(service: string): void {
    if (!service) return;
    rmSync(path.join(this.serviceRunDir(service), 'process.json'), { force: true });
    rmSync(path.join(this.serviceRunDir(service), 'pid'), { force: true });
  }
}

/** /proc state T (stopped by a signal, SIGSTOP) or t (stopped by a tracer). */
function isStopped(letter: string): boolean {
  return letter === 'T' || letter === 't';
}

function interrupted(signal: AbortSignal, started: number): InterruptedError {
  const sig = String(signal.reason ?? 'SIGINT');
  return new InterruptedError(sig, `interrupted by ${sig} while starting${started ? `; stopped the ${started} process(es) this up had started` : ''}`);
}

/** Signals are delivered asynchronously; wait (briefly) until the process shows the new state. */
async function waitForState(rec: ProcessRecord, ok: (state: string) => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    const s = processStateLetter(rec.pid);
    if (s === null || ok(s)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines: number): string {
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The pid record of a service of the folder `outDir`, as the local runtime last started it. */
export function recordedProcess(outDir: string, service: string): ProcessRecord | null {
  try {
    return JSON.parse(readFileSync(path.join(runDir(path.resolve(outDir)), service, 'process.json'), 'utf8')) as ProcessRecord;
  } catch {
    return null;
  }
}

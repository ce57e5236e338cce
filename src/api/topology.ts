/**
 * `startTopology` and `openTopology`: a handle on a running topology for a test suite, built on
 * the same pieces as the CLI (bring-up, runtime/control, runtime/observe, the drill engine), so
 * that every operation behaves and fails as its command does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InterruptedError, TimeoutError, UsageError, type Problem } from '../common/errors.js';
import { runDrill, type DrillOptions, announcedToReachable } from '../drill/engine.js';
import { preflight } from '../drill/preflight.js';
import { selectScenarios, SCENARIOS } from '../drill/scenarios/index.js';
import type { DrillReport } from '../drill/types.js';
import { bringUp, silentLogger, tearDown, type BringUpLogger } from '../runtime/bring-up/index.js';
import {
  changeServices,
  failover,
  resolveGroup,
  waitForHealthy,
  waitForMasterChange,
  type FailoverResult,
  type HealthyResult,
  type MasterChange,
  type ServiceOp,
  type ServiceOpResult,
} from '../runtime/control/index.js';
import { sentinelsSay, waitHealthy, watch } from '../runtime/control/observe.js';
import { lockFor, openSession } from '../runtime/control/session.js';
import { namedMaster } from '../runtime/control/master.js';
import { LocalRuntime } from '../runtime/local/runtime.js';
import type { Lock } from '../runtime/lock.js';
import { observerFor } from '../runtime/observe/index.js';
import { loadRendered, runtimeForExisting, type RenderedDir } from '../runtime/open.js';
import { readState } from '../runtime/state.js';
import { lookAtStatus, statusReport, type StatusReport } from '../runtime/status.js';
import type { Runtime } from '../runtime/types.js';
import { allNodes } from '../topology/types.js';
import { guard } from './exit.js';
import { spawnDownDetached } from './detached-down.js';
import { loadStartSpec } from './spec.js';
import type {
  Addr,
  ClientOptions,
  Endpoint,
  FailoverOptions,
  MasterChangeOptions,
  OpenOptions,
  StartOptions,
  StopOptions,
  WaitHealthyOptions,
} from './types.js';

const DEFAULT_HEALTHY_MS = 90_000;
const DEFAULT_WAIT_MS = 60_000;

/** A running topology: its addresses, its fault operations, and stop(). */
export interface Topology extends AsyncDisposable {
  /** The rendered folder (compose.yaml, configs, topology.json, run/). */
  readonly dir: string;
  readonly runtime: 'local' | 'docker';
  /** Where a client on this machine reaches each sentinel. */
  readonly sentinels: Endpoint[];
  readonly masterNames: string[];
  /** Service names as `status` shows them. */
  readonly services: string[];
  clientOptions(masterName?: string): ClientOptions;
  masters(): Promise<Record<string, { master: Addr; replicas: Addr[] }>>;
  pause(...services: string[]): Promise<ServiceOpResult>;
  unpause(...services: string[]): Promise<ServiceOpResult>;
  kill(...services: string[]): Promise<ServiceOpResult>;
  restart(...services: string[]): Promise<ServiceOpResult>;
  failover(masterName?: string, opts?: FailoverOptions): Promise<FailoverResult>;
  waitForMasterChange(masterName?: string, opts?: MasterChangeOptions): Promise<MasterChange>;
  waitHealthy(opts?: WaitHealthyOptions): Promise<HealthyResult>;
  status(): Promise<StatusReport>;
  drill(scenarios?: string[], options?: Partial<DrillOptions>): Promise<DrillReport>;
  stop(opts?: StopOptions): Promise<void>;
}

/** Renders the spec into `dir` (a temporary folder by default), starts it and waits until it is healthy. */
export async function startTopology(opts: StartOptions = {}): Promise<Topology> {
  checkStartOptions(opts);
  const log = opts.logger ?? silentLogger;
  // Read and checked before anything is written: bad input leaves nothing on disk.
  const { loaded, source } = loadStartSpec(opts.spec);
  for (const w of loaded.warnings) log.warn(`${w.path ? `${w.path}: ` : ''}${w.message}${w.fix ? ` (fix: ${w.fix})` : ''}`);
  if (opts.signal?.aborted) throw interrupted(opts.signal, 'before anything was started');

  const tempDir = opts.dir === undefined ? mkdtempSync(path.join(tmpdir(), 'sentinel-compose-')) : undefined;
  const outDir = path.resolve(opts.dir ?? tempDir!);
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
  let runtime: Runtime | undefined;
  // Set once the start succeeded; read by the interrupt handlers meanwhile.
  const made: { handle?: Handle } = {};
  let lock: Lock | undefined;
  // Until the handle exists, an interrupt stops what the start started through the start itself.
  let starting: Promise<unknown> = Promise.resolve();
  const release = guard({
    abort: (sig) => abort.abort(sig),
    stop: async () => {
      await starting.catch(() => {});
      await made.handle?.stop().catch(() => {});
    },
    killNow: () => {
      if (made.handle) made.handle.killNow();
      else if (runtime) killRuntimeNow(runtime, outDir, tempDir);
      else if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  });
  const start = async (): Promise<Handle> => {
    const up = await bringUp({
      outDir,
      spec: source,
      runtime: opts.runtime ?? 'auto',
      command: 'up',
      signal,
      logger: log,
      onStarting: (rt) => (runtime = rt),
    });
    lock = up.lock;
    runtime = up.runtime;
    await waitHealthy(up.runtime, up.dir.secrets, { except: up.held, timeoutMs: opts.timeoutMs ?? DEFAULT_HEALTHY_MS, signal });
    return new Handle(up.dir, up.runtime, log, { tempDir, owned: true, release });
  };
  // A failed or interrupted start cleans up before it settles: an interrupt waits for that too.
  const run = (async () => {
    try {
      return await start();
    } catch (err) {
      // Nothing is left behind: what was started is stopped, a temporary folder removed.
      if (runtime) await tearDown(runtime, outDir, { volumes: tempDir !== undefined, logger: log }).catch(() => {});
      if (tempDir) rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
      release();
      if (err instanceof TimeoutError) throw new TimeoutError(`${err.message}\nIt was stopped again.`, [], { cause: err });
      throw err;
    } finally {
      lock?.release();
    }
  })();
  starting = run;
  made.handle = await run;
  return made.handle;
}

/**
 * A handle on a topology that is up already (started by `up`, or by startTopology in another
 * process such as a test runner's global setup). Disposing of it leaves the topology running;
 * stop() takes it down.
 */
export async function openTopology(dir: string, opts: OpenOptions = {}): Promise<Topology> {
  if (typeof dir !== 'string' || !dir)
    throw new UsageError([{ path: 'dir', value: dir, message: 'is not a folder path', fix: 'give the `dir` of a started topology' }]);
  const rendered = loadRendered(path.resolve(dir));
  const state = readState(rendered.outDir);
  if (!state) {
    throw new UsageError([
      {
        path: 'dir',
        value: dir,
        message: `${rendered.topology.project} is not up there (nothing recorded in run/state.json)`,
        fix: 'start it first (startTopology, or `sentinel-compose up --out DIR`)',
      },
    ]);
  }
  const { runtime } = await runtimeForExisting(rendered);
  return new Handle(rendered, runtime, opts.logger ?? silentLogger, { owned: false });
}

class Handle implements Topology {
  readonly dir: string;
  readonly runtime: 'local' | 'docker';
  readonly sentinels: Endpoint[];
  readonly masterNames: string[];
  readonly services: string[];
  private stopping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly rendered: RenderedDir,
    private readonly rt: Runtime,
    private readonly log: BringUpLogger,
    private readonly own: { owned: boolean; tempDir?: string; release?: () => void },
  ) {
    const t = rendered.topology;
    this.dir = rendered.outDir;
    this.runtime = rt.kind;
    this.sentinels = t.sentinels.map((s) => ({ ...rt.endpoint(s.service) }));
    this.masterNames = t.masters.map((m) => m.name);
    this.services = allNodes(t).map((n) => n.service);
  }

  clientOptions(masterName?: string): ClientOptions {
    const g = resolveGroup(this.rendered.topology, masterName, 'masterName');
    const { redisPassword, sentinelPassword } = this.rendered.secrets;
    const natMap = announcedToReachable(this.rt);
    return {
      sentinels: this.sentinels.map((s) => ({ ...s })),
      name: g.name,
      ...(redisPassword !== undefined ? { password: redisPassword } : {}),
      ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
      ...(natMap ? { natMap } : {}),
    };
  }

  async masters(): Promise<Record<string, { master: Addr; replicas: Addr[] }>> {
    const t = this.rendered.topology;
    const watcher = watch(this.rt, this.rendered.secrets);
    try {
      const out: Record<string, { master: Addr; replicas: Addr[] }> = {};
      for (const g of t.masters) {
        const obs = await watcher.lookAtMaster(g.name);
        const named = namedMaster(sentinelsSay(obs, g.name));
        if (!named)
          throw new TimeoutError(
            `${g.name}: no sentinel answered with its master`,
            sentinelsSay(obs, g.name).map((x) => `${x.sentinel}: ${x.error ?? 'no answer'}`),
          );
        // The replicas as a sentinel that names this master lists them.
        const view = obs.sentinels
          .map((s) => s.masters[g.name])
          .find((m) => m && (named.master.service ? m.service === named.master.service : m.address === named.master.address));
        out[g.name] = {
          master: this.addr(named.master.address, named.master.service),
          replicas: (view?.replicas ?? []).map((r) => this.addr(r.address, r.service)),
        };
      }
      return out;
    } finally {
      watcher.close();
    }
  }

  pause(...services: string[]): Promise<ServiceOpResult> {
    return this.change('pause', services);
  }
  unpause(...services: string[]): Promise<ServiceOpResult> {
    return this.change('unpause', services);
  }
  kill(...services: string[]): Promise<ServiceOpResult> {
    return this.change('kill', services);
  }
  restart(...services: string[]): Promise<ServiceOpResult> {
    return this.change('restart', services);
  }

  failover(masterName?: string, opts: FailoverOptions = {}): Promise<FailoverResult> {
    return failover(masterName, { ...this.control(opts.signal), wait: opts.wait ?? true, timeoutMs: opts.timeoutMs ?? DEFAULT_WAIT_MS });
  }

  waitForMasterChange(masterName?: string, opts: MasterChangeOptions = {}): Promise<MasterChange> {
    const from = opts.from === undefined ? undefined : typeof opts.from === 'string' ? opts.from : `${opts.from.host}:${opts.from.port}`;
    return waitForMasterChange(masterName, { ...this.control(opts.signal), from, timeoutMs: opts.timeoutMs ?? DEFAULT_WAIT_MS });
  }

  waitHealthy(opts: WaitHealthyOptions = {}): Promise<HealthyResult> {
    return waitForHealthy(undefined, { ...this.control(opts.signal), timeoutMs: opts.timeoutMs ?? DEFAULT_WAIT_MS });
  }

  async status(): Promise<StatusReport> {
    const state = readState(this.dir);
    const observer = observerFor(this.rt, this.rendered.secrets);
    try {
      const look = await lookAtStatus(this.rendered, this.rt, state, observer, this.dir);
      return plain(statusReport(this.rendered, this.rt, state, look));
    } finally {
      observer.close();
    }
  }

  async drill(scenarios: string[] = [], options: Partial<DrillOptions> = {}): Promise<DrillReport> {
    const selected = selectScenarios(scenarios, SCENARIOS);
    const s = await openSession(this.control(options.signal));
    const lock = await lockFor(s, 'drill', options.signal);
    try {
      await preflight(this.rt, this.dir, this.dir, (l) => this.log.info(l));
      const report = await runDrill(this.rt, selected, {
        ...options,
        password: options.password ?? this.rendered.secrets.redisPassword,
        sentinelPassword: options.sentinelPassword ?? this.rendered.secrets.sentinelPassword,
        onProgress: options.onProgress ?? ((l) => this.log.info(l)),
      });
      // What `drill --json` prints, as data.
      return plain(report);
    } finally {
      lock.release();
    }
  }

  stop(opts: StopOptions = {}): Promise<void> {
    // A stop that failed (the engine did not answer) may be tried again.
    this.stopping ??= this.doStop(opts).catch((err: unknown) => {
      this.stopping = null;
      throw err;
    });
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // A handle from openTopology belongs to whoever started the topology: disposing of it leaves it running.
    if (this.own.owned) await this.stop();
  }

  /** From the 'exit' handler: nothing asynchronous runs any more. */
  killNow(): void {
    if (this.stopped) return;
    killRuntimeNow(this.rt, this.dir, this.own.tempDir);
  }

  private async doStop(opts: StopOptions): Promise<void> {
    const s = await openSession(this.control());
    const lock = await lockFor(s, 'down');
    try {
      await tearDown(this.rt, this.dir, { volumes: opts.volumes ?? this.own.tempDir !== undefined, logger: this.log });
    } finally {
      lock.release();
    }
    if (this.own.tempDir) rmSync(this.own.tempDir, { recursive: true, force: true, maxRetries: 3 });
    this.stopped = true;
    this.own.release?.();
  }

  private change(op: ServiceOp, services: string[]): Promise<ServiceOpResult> {
    if (!services.length) {
      throw new UsageError([{ path: 'services', message: `${op} needs at least one service`, fix: `name services as in status: ${this.services.join(', ')}` }]);
    }
    return changeServices(op, services, this.control());
  }

  private control(signal?: AbortSignal) {
    return { outDir: this.dir, outLabel: this.dir, runtime: this.runtime, logger: this.log, ...(signal ? { signal } : {}) };
  }

  private addr(address: string, service?: string): Addr {
    if (service) return { ...this.rt.endpoint(service), service };
    const i = address.lastIndexOf(':');
    return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
  }
}

function killRuntimeNow(rt: Runtime, outDir: string, tempDir: string | undefined): void {
  if (rt instanceof LocalRuntime) {
    rt.killNow();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
  } else {
    // Containers cannot be stopped synchronously: a detached `down` outlives this process.
    spawnDownDetached(outDir, tempDir);
  }
}

function interrupted(signal: AbortSignal, what: string): InterruptedError {
  const by = typeof signal.reason === 'string' ? signal.reason : 'abort';
  return new InterruptedError(by, `startTopology: interrupted by ${by} ${what}`);
}

function checkStartOptions(o: StartOptions): void {
  const problems: Problem[] = [];
  if (o === null || typeof o !== 'object')
    throw new UsageError([
      { path: 'options', value: o, message: 'is not an object', fix: 'give { spec, runtime, dir, logger, timeoutMs, signal } or nothing' },
    ]);
  if (o.runtime !== undefined && !['auto', 'local', 'docker'].includes(o.runtime))
    problems.push({ path: 'runtime', value: o.runtime, message: 'is not a runtime', fix: "use 'auto', 'local' or 'docker'" });
  if (o.dir !== undefined && (typeof o.dir !== 'string' || !o.dir))
    problems.push({ path: 'dir', value: o.dir, message: 'is not a folder path', fix: 'give a path, or leave dir out for a temporary folder' });
  if (o.timeoutMs !== undefined && !(typeof o.timeoutMs === 'number' && o.timeoutMs > 0 && Number.isFinite(o.timeoutMs)))
    problems.push({ path: 'timeoutMs', value: o.timeoutMs, message: 'is not a positive number of milliseconds', fix: 'e.g. 90000' });
  if (o.logger !== undefined && (typeof o.logger?.info !== 'function' || typeof o.logger?.warn !== 'function'))
    problems.push({ path: 'logger', message: 'needs info(line) and warn(line) methods', fix: 'e.g. { info: console.error, warn: console.error }' });
  if (o.spec !== undefined && typeof o.spec !== 'string' && (o.spec === null || typeof o.spec !== 'object'))
    problems.push({
      path: 'spec',
      value: o.spec,
      message: 'is neither a file path nor a spec object',
      fix: 'give a path, an object of the same shape as the YAML, or leave it out',
    });
  if (problems.length) throw new UsageError(problems);
}

function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

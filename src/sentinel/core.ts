/**
 * A running sentinel: the shared context (state, timers, time, links, events), its commands
 * registered into the RESP server, the tick loop, and persistence. main.ts builds one from
 * sentinel.conf; tests build one with a fake clock and in-memory links.
 */
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { LogLevel, SentinelCtx } from './context.js';
import type { SentinelPersistState } from './config/types.js';
import type { CommandEnv, ProcessInfo } from './commands/env.js';
import { infoCommand, publishCommand, roleCommand } from './commands/info.js';
import { sentinelCommand } from './commands/sentinel.js';
import { eventMessage, formatLogLine, levelAtLeast } from './events/format.js';
import { scheduleScript } from './events/scripts.js';
import type { SentinelServer } from './server/types.js';
import { noResolver, type HostResolver } from './state/addr.js';
import { SRI } from './state/flags.js';
import type { Instance } from './state/instance.js';
import type { LinkFactory } from './state/link.js';
import { persistState, type PersistBase } from './state/persist.js';
import { SentinelState, STALL_MS } from './state/sentinel-state.js';
import { defaultTiming, type Timing } from './state/timing.js';
import { sentinelTimer } from './timer.js';
import { nextSdownDeadline } from './monitor/down.js';

export interface EventRecord {
  time: number;
  level: LogLevel;
  type: string;
  message: string;
}

export interface SentinelCoreOptions {
  links: LinkFactory;
  /** Persists the state; throws on failure. */
  persist: (state: SentinelPersistState) => void;
  base: PersistBase;
  now?: () => number;
  random?: () => number;
  resolver?: HostResolver;
  /** '' = stdout. */
  logfile?: string;
  /** Minimum level written to the log; 'nothing' silences it. */
  verbosity?: LogLevel | 'nothing';
  proc: Omit<ProcessInfo, 'runId' | 'startTime'> & Partial<Pick<ProcessInfo, 'runId' | 'startTime'>>;
  /** Called instead of exiting on SENTINEL SIMULATE-FAILURE. */
  onCrash?: () => void;
  /** Observers of every event (tests, the drill recorder). */
  onEvent?: (e: EventRecord) => void;
  timing?: Partial<Timing>;
}

export class SentinelCore implements SentinelCtx {
  readonly state: SentinelState;
  readonly timing: Timing;
  readonly links: LinkFactory;
  readonly resolver: HostResolver;
  readonly proc: ProcessInfo;
  server: SentinelServer | null = null;
  private readonly opts: SentinelCoreOptions;
  private readonly clockNow: () => number;
  private readonly rand: () => number;
  private tickTimer: NodeJS.Timeout | null = null;
  private kickPending = false;
  private running = false;
  private verbosity: LogLevel | 'nothing';

  constructor(opts: SentinelCoreOptions) {
    this.opts = opts;
    this.clockNow = opts.now ?? (() => Date.now());
    this.rand = opts.random ?? Math.random;
    this.links = opts.links;
    this.resolver = opts.resolver ?? noResolver;
    this.timing = { ...defaultTiming(), ...opts.timing };
    this.state = new SentinelState(this.clockNow());
    this.verbosity = opts.verbosity ?? 'notice';
    this.proc = {
      ...opts.proc,
      runId: opts.proc.runId ?? randomBytes(20).toString('hex'),
      startTime: opts.proc.startTime ?? this.clockNow(),
    };
  }

  // ---- SentinelCtx

  now(): number {
    return this.clockNow();
  }

  random(): number {
    return this.rand();
  }

  listenPort(): number {
    return this.proc.port;
  }

  log(level: LogLevel, message: string): void {
    if (this.verbosity === 'nothing' || !levelAtLeast(level, this.verbosity)) return;
    const line = formatLogLine(process.pid, this.clockNow(), level, message) + '\n';
    const file = this.opts.logfile ?? '';
    if (file === '') {
      process.stdout.write(line);
      return;
    }
    try {
      appendFileSync(file, line);
    } catch {
      // Like Redis: a log that cannot be written is not a reason to stop.
    }
  }

  event(level: LogLevel, type: string, ri: Instance | null, fmt: string): void {
    const msg = eventMessage(ri, fmt, this.state.announceHostnames);
    this.log(level, `${type} ${msg}`);
    if (level !== 'debug') this.server?.publish(type, msg);
    this.opts.onEvent?.({ time: this.clockNow(), level, type, message: msg });
    if (level === 'warning' && ri) {
      const master = ri.flags & SRI.MASTER ? ri : ri.master;
      if (master?.notificationScript) this.scheduleScript(master.notificationScript, [type, msg]);
    }
  }

  flushConfig(): boolean {
    const from = this.clockNow();
    try {
      // The users as they are now (ACL SETUSER / DELUSER), as Redis writes them on every rewrite.
      const users = this.server?.getUsers() ?? this.opts.base.users;
      this.opts.persist(persistState(this, { ...this.opts.base, users }));
      // The save is synchronous (fsync): a slow one freezes the process like any other stall.
      const to = this.clockNow();
      if (to - from > STALL_MS) this.state.lastStall = { from, to };
      this.log('notice', 'Sentinel new configuration saved on disk');
      return true;
    } catch (err) {
      this.log('warning', `WARNING: Sentinel was not able to save the new configuration on disk!!!: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  kick(): void {
    if (this.kickPending || !this.running) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      if (this.running) this.tick();
    });
  }

  scheduleScript(path: string, args: string[]): void {
    scheduleScript(this.state, path, args);
  }

  crash(): void {
    this.log('warning', 'Sentinel CRASH because of SENTINEL simulate-failure');
    if (this.opts.onCrash) this.opts.onCrash();
    else process.exit(99);
  }

  // ---- Lifecycle

  /** Registers SENTINEL, INFO, ROLE and PUBLISH into the server. */
  attach(server: SentinelServer): void {
    this.server = server;
    const env = (): CommandEnv => ({ ctx: this, server, proc: this.proc });
    server.registerCommand(sentinelCommand(env));
    server.registerCommand(infoCommand(env));
    server.registerCommand(roleCommand(env));
    server.registerCommand(publishCommand(env));
  }

  /** Generates and persists the id when missing, announces the masters, starts ticking. */
  start(): void {
    if (!/^[0-9a-f]{40}$/i.test(this.state.myid)) {
      this.state.myid = randomBytes(20).toString('hex');
      this.flushConfig();
    }
    this.log('warning', `Sentinel ID is ${this.state.myid}`);
    for (const m of this.state.masters.values()) this.event('warning', '+monitor', m, `%@ quorum ${m.quorum}`);
    this.state.previousTime = this.clockNow();
    this.running = true;
    this.scheduleTick();
  }

  /** One timer run; exposed for tests that drive time themselves. */
  tick(): void {
    try {
      sentinelTimer(this);
    } catch (err) {
      this.log('warning', `sentinel timer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  /**
   * Milliseconds until the next tick. Like Redis (hz 10 plus a random 0..9): 52..100 ms, so that
   * sentinels started together do not stay in lockstep and keep splitting their votes. Faster
   * than Redis: no later than the moment an instance would reach down-after, so SDOWN is not
   * declared up to a tick later than due. (A deadline already past means SDOWN is not being acted
   * on, as in TILT: no busy loop then.)
   */
  nextTickDelay(): number {
    const period = Math.floor(1000 / (10 + Math.floor(this.rand() * 10)));
    const untilDeadline = nextSdownDeadline(this.state.masters.values()) - this.clockNow();
    return !this.state.tilt && untilDeadline > 0 && untilDeadline < period ? untilDeadline : period;
  }

  private scheduleTick(): void {
    if (!this.running) return;
    this.tickTimer = setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, this.nextTickDelay());
  }

  stop(): void {
    this.running = false;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    for (const m of this.state.masters.values()) {
      m.link.close();
      for (const s of m.slaves.values()) s.link.close();
      for (const s of m.sentinels.values()) s.link.close();
    }
  }
}

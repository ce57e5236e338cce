/**
 * Several real sentinel cores in one discrete-event simulation, for election races that need
 * every participant to run the real code: each core answers the others' SENTINEL
 * IS-MASTER-DOWN-BY-ADDR and hello PUBLISH through its own command handlers, over links with a
 * per-message delay (in order per direction, as TCP delivers), on one fake clock.
 *
 * A config save blocks its process, as the synchronous fsync of the real rewrite does: time spent
 * saving is added to that process's clock, what it sends afterwards leaves that much later, and
 * nothing addressed to it (replies, requests, its own ticks) is handled before the save ends.
 * Everything random comes from one seed, so a run is exactly reproducible.
 */
import { SentinelCore, type EventRecord } from '../../../../src/sentinel/core.js';
import type { CommandLink, LinkOptions, PubSubLink, PubSubLinkOptions } from '../../../../src/sentinel/link/types.js';
import { R, type Reply } from '../../../../src/sentinel/resp/types.js';
import { SRI } from '../../../../src/sentinel/state/flags.js';
import type { Instance } from '../../../../src/sentinel/state/instance.js';
import { createInstance, isCreateError } from '../../../../src/sentinel/state/registry.js';
import { commandsOf } from './fake-world.js';

export interface QuorumSimOptions {
  /** Run ids of the sentinels, in node order. */
  ids: string[];
  quorum: number;
  seed: number;
  /** How long one config save blocks its process, ms: drawn uniformly in [min, max] per save. */
  saveMs: [number, number];
  /** One-way delay of a message, ms, drawn uniformly in [min, max]. */
  latencyMs?: [number, number];
  /** A busy CPU: after each thing a process handles, with this chance it stalls for [min, max] ms. */
  stall?: { chance: number; ms: [number, number] };
  downAfter?: number;
  failoverTimeout?: number;
}

const MASTER_PORT = 6379;
const START = Date.UTC(2026, 0, 1, 12, 0, 0);

/** mulberry32: small, fast, good enough to spread timings. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ev {
  time: number;
  seq: number;
  node: SimSentinel | null;
  run: () => void;
}

interface Handler {
  handle(args: string[]): Reply | null;
  /** The process handling it, whose clock and busy time apply; null for the master. */
  node: SimSentinel | null;
}

export class SimSentinel implements Handler {
  readonly core: SentinelCore;
  readonly events: EventRecord[] = [];
  /** Until when a config save keeps this process from doing anything else. */
  busyUntil = START;
  private readonly command: (...args: string[]) => Reply;
  private kickPending = false;

  constructor(
    private readonly sim: QuorumSim,
    readonly id: string,
    readonly port: number,
  ) {
    this.core = new SentinelCore({
      links: sim.linkFactory(this),
      persist: () => {
        this.busyUntil = this.now() + sim.between(sim.opts.saveMs);
      },
      base: { dir: '/tmp', users: new Map(), port, protectedMode: false },
      now: () => this.now(),
      random: sim.random,
      verbosity: 'nothing',
      proc: { version: '7.0.15', configFile: '/tmp/sentinel.conf', executable: 'node', port },
      onEvent: (e) => this.events.push(e),
    });
    this.core.state.myid = id;
    this.command = commandsOf(this.core);
    // The real kick runs a tick from setImmediate once the running process is free: here, an
    // event at this process's present.
    this.core.kick = () => {
      if (this.kickPending) return;
      this.kickPending = true;
      sim.at(this.now(), this, () => {
        this.kickPending = false;
        this.core.tick();
      });
    };
  }

  get node(): SimSentinel {
    return this;
  }

  now(): number {
    return Math.max(this.sim.t, this.busyUntil);
  }

  handle(args: string[]): Reply {
    return this.command(...args);
  }

  /** The tick loop of core.ts, on this process's clock. */
  scheduleTick(): void {
    this.sim.at(this.now() + this.core.nextTickDelay(), this, () => {
      this.core.tick();
      this.scheduleTick();
    });
  }

  master(): Instance {
    return this.core.state.masters.get('mymaster')!;
  }

  /** `+vote-for-leader` of this process: [leader, epoch] in order. */
  votes(): Array<[string, number]> {
    return this.events
      .filter((e) => e.type === '+vote-for-leader')
      .map((e) => {
        const [leader, epoch] = e.message.split(' ').slice(-2);
        return [leader!, Number(epoch)];
      });
  }

  elected(): boolean {
    return this.events.some((e) => e.type === '+elected-leader');
  }
}

/** The monitored master: answers PING and INFO until paused, then nothing (SIGSTOP). */
class SimMaster implements Handler {
  paused = false;
  readonly node = null;
  handle(args: string[]): Reply | null {
    if (this.paused) return null;
    const name = args[0]!.toUpperCase();
    if (name === 'PING') return R.simple('PONG');
    if (name === 'INFO')
      return R.bulk(`# Server\r\nrun_id:${'1'.repeat(40)}\r\ntcp_port:${MASTER_PORT}\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\n`);
    return R.ok();
  }
}

export class QuorumSim {
  t = START;
  readonly random: () => number;
  readonly master = new SimMaster();
  readonly sentinels: SimSentinel[];
  private queue: Ev[] = [];
  private seq = 0;

  constructor(readonly opts: QuorumSimOptions) {
    this.random = prng(opts.seed);
    this.sentinels = opts.ids.map((id, i) => new SimSentinel(this, id, 26379 + i));
    for (const s of this.sentinels) {
      const m = createInstance(s.core, 'mymaster', SRI.MASTER, '127.0.0.1', MASTER_PORT, opts.quorum, null) as Instance;
      m.downAfterPeriod = opts.downAfter ?? 1000;
      m.failoverTimeout = opts.failoverTimeout ?? 60_000;
      for (const peer of this.sentinels) {
        if (peer === s) continue;
        const ri = createInstance(s.core, peer.id, SRI.SENTINEL, '127.0.0.1', peer.port, opts.quorum, m);
        if (isCreateError(ri)) throw new Error(ri);
        ri.runid = peer.id;
        ri.downAfterPeriod = m.downAfterPeriod;
      }
    }
    for (const s of this.sentinels) this.at(START + Math.floor(this.random() * 100), s, () => s.scheduleTick());
  }

  between([min, max]: [number, number]): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  at(time: number, node: SimSentinel | null, run: () => void): void {
    const ev = { time, seq: this.seq++, node, run };
    // Sorted insert from the end: most new events are the latest.
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]!.time > time || (this.queue[i - 1]!.time === time && this.queue[i - 1]!.seq > ev.seq))) i--;
    this.queue.splice(i, 0, ev);
  }

  /** Runs events up to `end` (absolute fake time), letting each one's promise callbacks run. */
  async runUntil(end: number): Promise<void> {
    while (this.queue.length > 0 && this.queue[0]!.time <= end) {
      const ev = this.queue.shift()!;
      // A process busy saving handles nothing before the save ends.
      if (ev.node && ev.time < ev.node.busyUntil) {
        this.at(ev.node.busyUntil, ev.node, ev.run);
        continue;
      }
      this.t = ev.time;
      ev.run();
      await new Promise((r) => setImmediate(r));
      const stall = this.opts.stall;
      if (ev.node && stall && this.random() < stall.chance) ev.node.busyUntil = ev.node.now() + this.between(stall.ms);
    }
    this.t = Math.max(this.t, end);
  }

  async run(ms: number): Promise<void> {
    await this.runUntil(this.t + ms);
  }

  linkFactory(owner: SimSentinel): { command(o: LinkOptions): CommandLink; pubsub(o: PubSubLinkOptions): PubSubLink } {
    return {
      command: (o) => new SimCommandLink(this, owner, this.handler(o.port), o),
      // Hellos through the master's channel are not needed: the sentinels know each other from
      // the start and also send their hellos to each other directly.
      pubsub: (o) => idleLink(this, o),
    };
  }

  private handler(port: number): Handler {
    if (port === MASTER_PORT) return this.master;
    return this.sentinels.find((s) => s.port === port)!;
  }

  /**
   * Who voted for whom in `epoch` (`+vote-for-leader` events), and which sentinels were elected
   * in it.
   */
  outcome(epoch: number): { votes: Record<string, string>; elected: string[] } {
    const votes: Record<string, string> = {};
    for (const s of this.sentinels) {
      const v = s.votes().find(([, e]) => e === epoch);
      if (v) votes[s.id] = v[0];
    }
    const elected = this.sentinels.filter((s) => s.elected() && s.master().failoverEpoch === epoch).map((s) => s.id);
    return { votes, elected };
  }
}

class SimCommandLink implements CommandLink {
  readonly state = 'connected' as const;
  readonly connectedAt: number;
  pendingCommands = 0;
  lastReplyAt = 0;
  /** Arrival time of the last message each way, so that a link delivers in order. */
  private lastThere = 0;
  private lastBack = 0;

  constructor(
    private readonly sim: QuorumSim,
    private readonly owner: SimSentinel,
    private readonly target: Handler,
    readonly opts: LinkOptions,
  ) {
    this.connectedAt = owner.now();
    sim.at(owner.now() + this.latency(), owner, () => opts.onConnect?.());
  }
  get host() {
    return this.opts.host;
  }
  get port() {
    return this.opts.port;
  }
  localAddress() {
    return { address: '127.0.0.1', port: 40000 };
  }
  disconnect(): void {}
  close(): void {}

  private latency(): number {
    return this.sim.between(this.sim.opts.latencyMs ?? [0, 2]);
  }

  send(args: Array<string | Buffer | number>): Promise<Reply> {
    return this.trySend(args);
  }

  trySend(raw: Array<string | Buffer | number>): Promise<Reply> {
    const args = raw.map(String);
    this.pendingCommands++;
    return new Promise((resolve) => {
      this.lastThere = Math.max(this.owner.now() + this.latency(), this.lastThere);
      this.sim.at(this.lastThere, this.target.node, () => {
        const reply = this.target.handle(args);
        if (reply === null) return; // never answered: a paused process
        const sentAt = this.target.node?.now() ?? this.sim.t;
        this.lastBack = Math.max(sentAt + this.latency(), this.lastBack);
        this.sim.at(this.lastBack, this.owner, () => {
          this.pendingCommands--;
          this.lastReplyAt = this.sim.t;
          resolve(reply);
        });
      });
    });
  }
}

function idleLink(sim: QuorumSim, opts: PubSubLinkOptions): PubSubLink {
  return {
    state: 'connected',
    connectedAt: sim.t,
    // Always "active": no reconnection for want of traffic.
    get lastActivityAt() {
      return sim.t;
    },
    host: opts.host,
    port: opts.port,
    localAddress: () => ({ address: '127.0.0.1', port: 40001 }),
    disconnect: () => {},
    close: () => {},
  };
}

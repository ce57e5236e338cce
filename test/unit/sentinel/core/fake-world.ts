/**
 * An in-memory world for driving the sentinel core with a fake clock: fake Redis servers that
 * answer PING / INFO / PUBLISH / the SLAVEOF transaction, fake peer sentinels that answer
 * IS-MASTER-DOWN-BY-ADDR and vote, and link objects implementing the link contract over them.
 * Replies are delivered asynchronously (as over a socket); `settle()` lets them arrive.
 */
import { SentinelCore, type EventRecord } from '../../../../src/sentinel/core.js';
import type { SentinelPersistState } from '../../../../src/sentinel/config/types.js';
import type { CommandLink, LinkError, LinkOptions, LinkState, PubSubLink, PubSubLinkOptions } from '../../../../src/sentinel/link/types.js';
import { R, type Reply } from '../../../../src/sentinel/resp/types.js';
import type { CommandSpec, SentinelServer } from '../../../../src/sentinel/server/types.js';
import type { LinkFactory } from '../../../../src/sentinel/state/link.js';
import type { Timing } from '../../../../src/sentinel/state/timing.js';

export interface Endpoint {
  /** null = no reply ever; a promise = the reply comes later (a paused process that resumes). */
  handle(args: string[]): Reply | null | Promise<Reply>;
  /** Messages published on the hello channel of this endpoint go to its subscribers. */
  subscribers?: Set<(msg: string) => void>;
  down?: boolean;
}

export class FakeRedis implements Endpoint {
  role: 'master' | 'slave' = 'master';
  masterHost = '';
  masterPort = 0;
  linkUp = true;
  offset = 0;
  priority = 100;
  announced = 1;
  down = false;
  /** SLAVEOF is renamed away (rename-command): a transaction with it fails with EXECABORT. */
  refusesSlaveOf = false;
  private isPaused = false;
  private backlog: Array<() => void> = [];
  /** SIGSTOP: commands are accepted and answered, in order, once resumed. */
  get paused(): boolean {
    return this.isPaused;
  }
  set paused(v: boolean) {
    this.isPaused = v;
    if (!v) {
      const b = this.backlog;
      this.backlog = [];
      for (const f of b) f();
    }
  }
  subscribers = new Set<(msg: string) => void>();
  private multi: string[][] | null = null;
  commands: string[][] = [];

  constructor(
    readonly world: FakeWorld,
    readonly host: string,
    readonly port: number,
    public runId: string,
  ) {}

  replicaOf(m: FakeRedis | null): this {
    if (m) {
      this.role = 'slave';
      this.masterHost = m.host;
      this.masterPort = m.port;
    } else {
      this.role = 'master';
      this.masterHost = '';
      this.masterPort = 0;
    }
    return this;
  }

  info(): string {
    const l = ['# Server', `run_id:${this.runId}`, `tcp_port:${this.port}`, '', '# Replication', `role:${this.role}`];
    if (this.role === 'master') {
      const reps = this.world.redises.filter((r) => r.role === 'slave' && r.masterHost === this.host && r.masterPort === this.port && !r.down);
      l.push(`connected_slaves:${reps.length}`);
      reps.forEach((r, i) => l.push(`slave${i}:ip=${r.host},port=${r.port},state=online,offset=${r.offset},lag=0`));
    } else {
      l.push(`master_host:${this.masterHost}`, `master_port:${this.masterPort}`, `master_link_status:${this.linkUp ? 'up' : 'down'}`);
      l.push(`slave_repl_offset:${this.offset}`);
      if (!this.linkUp) l.push('master_link_down_since_seconds:5');
      l.push(`slave_priority:${this.priority}`, `replica_announced:${this.announced}`);
    }
    return l.join('\r\n') + '\r\n';
  }

  handle(args: string[]): Reply | null | Promise<Reply> {
    if (this.isPaused) return new Promise((resolve) => this.backlog.push(() => resolve(this.process(args))));
    return this.process(args);
  }

  process(args: string[]): Reply {
    this.commands.push(args);
    const cmd = args[0]!.toUpperCase();
    if (this.multi && cmd !== 'EXEC') {
      this.multi.push(args);
      return R.simple('QUEUED');
    }
    switch (cmd) {
      case 'PING':
        return R.simple('PONG');
      case 'INFO':
        return R.bulk(this.info());
      case 'PUBLISH':
        for (const s of this.subscribers) s(args[2]!);
        return R.int(this.subscribers.size);
      case 'MULTI':
        this.multi = [];
        return R.ok();
      case 'EXEC': {
        const q = this.multi ?? [];
        this.multi = null;
        if (this.refusesSlaveOf && q.some((c) => c[0]!.toUpperCase() === 'SLAVEOF')) {
          return R.error('EXECABORT Transaction discarded because of previous errors.');
        }
        for (const c of q) {
          if (c[0]!.toUpperCase() === 'SLAVEOF') {
            if (c[1]!.toUpperCase() === 'NO') this.replicaOf(null);
            else {
              this.role = 'slave';
              this.masterHost = c[1]!;
              this.masterPort = Number(c[2]);
              // The world decides when the sync completes.
              this.linkUp = this.world.instantSync;
            }
          }
        }
        return R.array(q.map(() => R.ok()));
      }
      default:
        return R.ok();
    }
  }
}

export class FakePeer implements Endpoint {
  /** What the peer says about the master's state. */
  thinksDown = true;
  /** The peer's vote per epoch; null = votes for whoever asks first. */
  votes = new Map<number, string>();
  voteFor: string | null = null;
  paused = false;
  hellos: string[] = [];
  /** Requests waiting for release() (a slow peer: it answers, later, in order). */
  private held: Array<() => void> | null = null;
  constructor(
    readonly host: string,
    readonly port: number,
    readonly runId: string,
  ) {}
  hold(): void {
    this.held ??= [];
  }
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const f of held) f();
  }
  handle(args: string[]): Reply | null | Promise<Reply> {
    if (this.paused) return null;
    if (this.held) {
      const held = this.held;
      return new Promise((resolve) => held.push(() => resolve(this.handle(args) as Reply)));
    }
    const cmd = args[0]!.toUpperCase();
    if (cmd === 'PING') return R.simple('PONG');
    if (cmd === 'PUBLISH') {
      this.hellos.push(args[2]!);
      // A newer master configuration: like a real sentinel, this peer switches to it and no
      // longer knows the old address as a master.
      if (Number(args[2]!.split(',')[7]) > 0) this.thinksDown = false;
      return R.int(1);
    }
    if (cmd === 'SENTINEL' && args[1]!.toLowerCase() === 'is-master-down-by-addr') {
      const epoch = Number(args[4]);
      const runid = args[5]!;
      let leader = '*';
      let leaderEpoch = 0;
      if (runid !== '*') {
        if (!this.votes.has(epoch)) this.votes.set(epoch, this.voteFor ?? runid);
        leader = this.votes.get(epoch)!;
        leaderEpoch = epoch;
      }
      return R.array([R.int(this.thinksDown ? 1 : 0), R.bulk(leader), R.int(leaderEpoch)]);
    }
    return R.ok();
  }
}

class FakeCommandLink implements CommandLink {
  private closed = false;
  connectedAt: number;
  pendingCommands = 0;
  lastReplyAt = 0;
  sent: string[][] = [];
  constructor(
    private readonly world: FakeWorld,
    readonly opts: LinkOptions,
  ) {
    this.connectedAt = world.clock.now();
    // onConnect runs asynchronously, as after a real TCP connect.
    queueMicrotask(() => opts.onConnect?.());
  }
  /** Connected while the endpoint exists and is up; a paused endpoint still looks connected. */
  get state(): LinkState {
    if (this.closed) return 'closed';
    const ep = this.world.endpoint(this.opts.host, this.opts.port);
    return ep && !ep.down ? 'connected' : 'disconnected';
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
  disconnect(): void {
    this.connectedAt = this.world.clock.now();
    this.pendingCommands = 0;
  }
  close(): void {
    this.closed = true;
  }
  async send(args: Array<string | Buffer | number>): Promise<Reply> {
    const r = await this.trySend(args);
    if (r instanceof Error) throw r;
    return r;
  }
  trySend(raw: Array<string | Buffer | number>): Promise<Reply | LinkError> {
    const args = raw.map(String);
    if (this.state !== 'connected') return Promise.resolve(linkError('not-connected', this.opts));
    this.sent.push(args);
    const ep = this.world.endpoint(this.opts.host, this.opts.port);
    if (!ep || ep.down) return Promise.resolve(linkError('disconnected', this.opts));
    this.pendingCommands++;
    const reply = ep.handle(args);
    if (reply === null) return new Promise(() => {}); // never answered
    return Promise.resolve(reply).then(
      (r) =>
        new Promise((resolve) =>
          setImmediate(() => {
            this.pendingCommands--;
            this.lastReplyAt = this.world.clock.now();
            resolve(r);
          }),
        ),
    );
  }
}

class FakePubSubLink implements PubSubLink {
  private closed = false;
  connectedAt: number;
  lastActivityAt: number;
  get state(): LinkState {
    if (this.closed) return 'closed';
    const ep = this.world.endpoint(this.opts.host, this.opts.port);
    return ep && !ep.down ? 'connected' : 'disconnected';
  }
  constructor(
    private readonly world: FakeWorld,
    readonly opts: PubSubLinkOptions,
  ) {
    this.connectedAt = world.clock.now();
    this.lastActivityAt = this.connectedAt;
    const ep = world.endpoint(opts.host, opts.port);
    ep?.subscribers?.add((msg) => {
      if (this.closed) return;
      this.lastActivityAt = world.clock.now();
      setImmediate(() => opts.onMessage('__sentinel__:hello', msg));
    });
  }
  get host() {
    return this.opts.host;
  }
  get port() {
    return this.opts.port;
  }
  localAddress() {
    return { address: '127.0.0.1', port: 40001 };
  }
  disconnect(): void {}
  close(): void {
    this.closed = true;
  }
}

function linkError(kind: LinkError['kind'], o: LinkOptions): LinkError {
  return Object.assign(new Error(kind), { kind, peer: `${o.host}:${o.port}` });
}

export class FakeClock {
  t = Date.UTC(2026, 0, 1, 12, 0, 0);
  now = () => this.t;
}

export class FakeWorld implements LinkFactory {
  clock = new FakeClock();
  redises: FakeRedis[] = [];
  peers: FakePeer[] = [];
  commandLinks: FakeCommandLink[] = [];
  /** SLAVEOF <host> completes the sync at once (link up) when true. */
  instantSync = true;

  redis(port: number, runId = String(port).padStart(40, '0')): FakeRedis {
    const r = new FakeRedis(this, '127.0.0.1', port, runId);
    this.redises.push(r);
    return r;
  }
  peer(port: number, runId: string): FakePeer {
    const p = new FakePeer('127.0.0.1', port, runId);
    this.peers.push(p);
    return p;
  }
  endpoint(host: string, port: number): Endpoint | undefined {
    return this.redises.find((r) => r.host === host && r.port === port) ?? this.peers.find((p) => p.host === host && p.port === port);
  }
  command(opts: LinkOptions): CommandLink {
    const l = new FakeCommandLink(this, opts);
    this.commandLinks.push(l);
    return l;
  }
  pubsub(opts: PubSubLinkOptions): PubSubLink {
    return new FakePubSubLink(this, opts);
  }
}

/**
 * The commands a core registers (SENTINEL, INFO, ROLE, PUBLISH) as a function from arguments to
 * reply, run as a client's command would be, plus PING. Attaches a server stand-in to the core.
 */
export function commandsOf(core: SentinelCore): (...args: string[]) => Reply {
  const specs = new Map<string, CommandSpec>();
  const server = { registerCommand: (spec: CommandSpec) => specs.set(spec.name, spec), publish: () => 0, getUsers: () => new Map() };
  core.attach(server as unknown as SentinelServer);
  return (...args) => {
    const name = args[0]!.toLowerCase();
    if (name === 'ping') return R.simple('PONG');
    let spec = specs.get(name);
    if (spec?.subcommands) spec = spec.subcommands.find((s) => s.name === args[1]!.toLowerCase());
    if (!spec?.handler) return R.error(`ERR unknown command '${args[0]}'`);
    return spec.handler(
      {} as never,
      args.map((a) => Buffer.from(a)),
    ) as Reply;
  };
}

export const MYID = 'f'.repeat(40);

export interface Harness {
  world: FakeWorld;
  core: SentinelCore;
  events: EventRecord[];
  persisted: SentinelPersistState[];
  /** Lets queued replies arrive. */
  settle(): Promise<void>;
  /** Advances the clock by `ms` in ticks of `step`, settling replies after each tick. */
  run(ms: number, step?: number): Promise<void>;
  types(): string[];
  /** Runs a command as a client (or a peer sentinel) would send it. */
  command(...args: string[]): Reply;
}

export function harness(timing: Partial<Timing> = {}, random = () => 0): Harness {
  const world = new FakeWorld();
  const events: EventRecord[] = [];
  const persisted: SentinelPersistState[] = [];
  const core = new SentinelCore({
    links: world,
    persist: (s) => persisted.push(structuredClone({ ...s, users: new Map() })),
    base: { dir: '/tmp', users: new Map(), port: 26379, protectedMode: false },
    now: world.clock.now,
    random,
    verbosity: 'nothing',
    proc: { version: '7.0.15', configFile: '/tmp/sentinel.conf', executable: 'node', port: 26379 },
    onEvent: (e) => events.push(e),
    onCrash: () => {
      throw new Error('simulated crash');
    },
    timing,
  });
  core.state.myid = MYID;
  const command = commandsOf(core);
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    world,
    core,
    events,
    persisted,
    settle,
    async run(ms, step = 100) {
      for (let t = 0; t < ms; t += step) {
        world.clock.t += step;
        core.tick();
        await settle();
      }
    },
    types: () => events.map((e) => e.type),
    command,
  };
}

/**
 * Looking at a running topology: one Prober per node and sentinel, kept across looks, and the
 * replies turned into the view (view.ts). The drill keeps one Observer for a whole drill; `up`'s
 * health wait keeps one while it waits; `status` one per command.
 */
import type { Topology } from '../../topology/types.js';
import type { Endpoint, RuntimeKind, ServiceState } from '../types.js';
import { AddressBook } from './addresses.js';
import { NoReply, neverSent, Prober } from './prober.js';
import { errorText, flagList, pairs, parseFields, parseInfo } from './replies.js';
import type { NodeView, Observation, ProcessState, SentinelMasterView, SentinelPeerView, SentinelView } from './view.js';

export interface ObserverOptions {
  /** Deadline of each question (ms). */
  timeoutMs: number;
  password?: string;
  sentinelPassword?: string;
}

/** A replica as its master's INFO lists it (slaveN: ip, port, state, offset, lag). */
export interface ListedReplica {
  address: string;
  state: string;
  offset: number;
  lag: number;
}

/** A data node's INFO replication as a view; `listed` is what a master says about its replicas (for lag). */
export function nodeViewFromInfo(
  base: Pick<NodeView, 'service' | 'group' | 'address' | 'process'>,
  info: Record<string, string>,
  book: AddressBook,
): { view: NodeView; listed: ListedReplica[] } {
  if (info.role === 'master') {
    const listed = listedReplicas(info);
    return {
      view: {
        ...base,
        reachable: true,
        role: 'master',
        offset: Number(info.master_repl_offset ?? 0),
        connectedReplicas: listed.length,
        onlineReplicas: listed.filter((r) => r.state === 'online').length,
      },
      listed,
    };
  }
  if (info.role !== 'slave') return { view: { ...base, reachable: true, error: `reports role ${info.role ?? 'nothing'}` }, listed: [] };
  const masterAddress = `${info.master_host}:${info.master_port}`;
  const view: NodeView = {
    ...base,
    reachable: true,
    role: 'replica',
    offset: Number(info.slave_repl_offset ?? 0),
    masterAddress,
    link: info.master_link_status === 'up' ? 'up' : 'down',
  };
  const masterService = book.service(masterAddress);
  if (masterService) view.masterService = masterService;
  return { view, listed: [] };
}

function listedReplicas(info: Record<string, string>): ListedReplica[] {
  const n = Number(info.connected_slaves ?? 0);
  const out: ListedReplica[] = [];
  for (let i = 0; i < n; i++) {
    const v = info[`slave${i}`];
    if (!v) continue;
    const f = parseFields(v);
    out.push({ address: `${f.ip}:${f.port}`, state: f.state ?? '', offset: Number(f.offset ?? 0), lag: Number(f.lag ?? 0) });
  }
  return out;
}

function peer(reply: unknown, book: AddressBook): SentinelPeerView {
  const rec = pairs(reply);
  const address = `${rec.ip}:${rec.port}`;
  const out: SentinelPeerView = { address, flags: flagList(rec.flags) };
  const service = book.service(address);
  if (service) out.service = service;
  if (rec.runid) out.runId = rec.runid;
  return out;
}

/**
 * One group as a sentinel sees it, from its replies to GET-MASTER-ADDR-BY-NAME, MASTER, REPLICAS
 * and SENTINELS. The address is GET-MASTER-ADDR-BY-NAME's: what clients are told.
 */
export function sentinelMasterView(
  name: string,
  replies: { addr: unknown; master: unknown; replicas: unknown; sentinels: unknown },
  book: AddressBook,
): SentinelMasterView {
  const m = pairs(replies.master);
  const addr = Array.isArray(replies.addr) && replies.addr.length >= 2 ? `${replies.addr[0]}:${replies.addr[1]}` : `${m.ip}:${m.port}`;
  const replicas = Array.isArray(replies.replicas) ? replies.replicas.map((r) => peer(r, book)) : [];
  const sentinels = Array.isArray(replies.sentinels) ? replies.sentinels.map((r) => peer(r, book)) : [];
  const view: SentinelMasterView = {
    name,
    address: addr,
    flags: flagList(m.flags),
    configEpoch: Number(m['config-epoch'] ?? 0),
    quorum: Number(m.quorum ?? 0),
    numSlaves: Number(m['num-slaves'] ?? replicas.length),
    numOtherSentinels: Number(m['num-other-sentinels'] ?? sentinels.length),
    replicas,
    sentinels,
  };
  const service = book.service(addr);
  if (service) view.service = service;
  return view;
}

/** Replica lag from the master's point of view (bytes behind, seconds since its last ack). */
export function fillLag(nodes: NodeView[], listedBy: ReadonlyMap<string, ListedReplica[]>, book: AddressBook): void {
  const byService = new Map(nodes.map((n) => [n.service, n]));
  for (const m of nodes) {
    const listed = listedBy.get(m.service);
    if (m.role !== 'master' || !listed) continue;
    for (const r of listed) {
      const svc = book.service(r.address);
      const rn = svc ? byService.get(svc) : undefined;
      if (!rn || rn.group !== m.group) continue;
      rn.lagSeconds = r.lag;
      if (m.offset !== undefined && rn.offset !== undefined) rn.lagBytes = Math.max(0, m.offset - rn.offset);
    }
  }
}

const NOT_RUNNING: readonly ProcessState[] = ['stopped', 'missing'];

/** Persistent question-askers for the nodes of one topology, reused across looks. */
export class Observer {
  private readonly probers = new Map<string, Prober>();
  private readonly groupOf: Map<string, string>;

  constructor(
    private readonly book: AddressBook,
    private readonly endpoint: (service: string) => Endpoint,
    private readonly opts: ObserverOptions,
  ) {
    this.groupOf = new Map(book.topology.masters.flatMap((g) => g.nodes.map((n) => [n.service, g.name] as const)));
  }

  private prober(service: string, sentinel: boolean): Prober {
    let p = this.probers.get(service);
    if (!p) {
      p = new Prober(service, this.endpoint(service), this.opts.timeoutMs, sentinel ? this.opts.sentinelPassword : this.opts.password);
      this.probers.set(service, p);
    }
    return p;
  }

  private address(service: string): string {
    const ep = this.endpoint(service);
    return `${ep.host}:${ep.port}`;
  }

  /** INFO replication from a data node. A process the runtime reports stopped is not asked. */
  async node(service: string, process?: ProcessState): Promise<NodeView> {
    return (await this.nodeWithListed(service, process)).view;
  }

  private async nodeWithListed(service: string, process?: ProcessState): Promise<{ view: NodeView; listed: ListedReplica[] }> {
    const base: NodeView = { service, group: this.groupOf.get(service) ?? '', address: this.address(service), reachable: false };
    if (process) base.process = process;
    if (process && NOT_RUNNING.includes(process)) return { view: { ...base, error: `not running (${process})` }, listed: [] };
    try {
      const info = await this.prober(service, false).ask((c) => c.info('replication'));
      return nodeViewFromInfo(base, parseInfo(info), this.book);
    } catch (err) {
      if (err instanceof NoReply) return { view: { ...base, error: process === 'paused' ? 'paused' : err.message }, listed: [] };
      // An error reply (NOAUTH, LOADING, ...): it answers, but not with what was asked.
      return { view: { ...base, reachable: true, error: errorText(err) }, listed: [] };
    }
  }

  /** What a sentinel believes about each of `groups`, and whether it is in TILT; one round trip. */
  async sentinel(service: string, groups: readonly string[], process?: ProcessState): Promise<SentinelView> {
    const base: SentinelView = { service, address: this.address(service), reachable: false, masters: Object.fromEntries(groups.map((g) => [g, null])) };
    if (process) base.process = process;
    if (process && NOT_RUNNING.includes(process)) return { ...base, error: `not running (${process})` };
    const prober = this.prober(service, true);
    let res: [Error | null, unknown][];
    try {
      res =
        (await prober.ask((c) => {
          const p = c.pipeline().info('sentinel');
          for (const g of groups) {
            p.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', g).call('SENTINEL', 'MASTER', g).call('SENTINEL', 'REPLICAS', g).call('SENTINEL', 'SENTINELS', g);
          }
          return p.exec();
        })) ?? [];
    } catch (err) {
      return { ...base, error: process === 'paused' ? 'paused' : err instanceof NoReply ? err.message : errorText(err) };
    }
    const firstErr = res.find(([err]) => err)?.[0];
    if (firstErr && neverSent(firstErr)) return { ...base, error: prober.explain(firstErr) };
    const view: SentinelView = { ...base, reachable: true };
    const [infoErr, info] = res[0] ?? [null, null];
    if (!infoErr && typeof info === 'string') view.tilt = parseInfo(info).sentinel_tilt === '1';
    groups.forEach((g, i) => {
      const at = 1 + i * 4;
      const [addr, master, replicas, sentinels] = res.slice(at, at + 4).map(([err, v]) => (err ? null : v));
      const masterErr = res[at + 1]?.[0];
      if (masterErr) {
        // "ERR No such master with that name": not (yet) monitored; anything else is worth saying.
        if (!/no such master/i.test(masterErr.message)) view.error ??= errorText(masterErr);
        return;
      }
      view.masters[g] = sentinelMasterView(g, { addr, master, replicas, sentinels }, this.book);
    });
    if (infoErr && !view.error) view.error = errorText(infoErr);
    return view;
  }

  /**
   * Asks `nodes` and `sentinels` at once (about `group`, or several groups) and returns what they
   * said, stamped `at`. `states` (the runtime's ps) lets stopped processes go unasked and paused
   * ones be named as such.
   */
  async observe(
    nodes: readonly string[],
    sentinels: readonly string[],
    group: string | readonly string[],
    at: number,
    states?: ReadonlyMap<string, ProcessState>,
  ): Promise<Observation> {
    const groups = typeof group === 'string' ? [group] : group;
    const [n, s] = await Promise.all([
      Promise.all(nodes.map((x) => this.nodeWithListed(x, states?.get(x) ?? (states ? 'missing' : undefined)))),
      Promise.all(sentinels.map((x) => this.sentinel(x, groups, states?.get(x) ?? (states ? 'missing' : undefined)))),
    ]);
    const views = n.map((x) => x.view);
    fillLag(views, new Map(n.map((x) => [x.view.service, x.listed])), this.book);
    return { at, nodes: views, sentinels: s };
  }

  /** A raw command on a sentinel (SENTINEL FAILOVER, MYID). */
  async sentinelCommand(service: string, ...args: string[]): Promise<unknown> {
    return this.prober(service, true).ask((c) => c.call(args[0]!, ...args.slice(1)));
  }

  async nodeCommand(service: string, ...args: string[]): Promise<unknown> {
    return this.prober(service, false).ask((c) => c.call(args[0]!, ...args.slice(1)));
  }

  /** Drop the connection to a node (after a kill/restart, so that the next question reconnects cleanly). */
  forget(service: string): void {
    this.probers.get(service)?.close();
    this.probers.delete(service);
  }

  close(): void {
    for (const p of this.probers.values()) p.close();
    this.probers.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// The whole topology, as `up` and `status` look at it

export interface Secrets {
  redisPassword?: string;
  sentinelPassword?: string;
}

/** What a look at a whole topology needs from a runtime. */
export interface ProbeTarget {
  topology: Topology;
  kind: RuntimeKind;
  endpoint(service: string): Endpoint;
  ps(): Promise<ServiceState[]>;
}

/** A look at the whole topology, with what `status --json` says about where it ran. */
export interface Snapshot extends Observation {
  project: string;
  runtime: RuntimeKind;
  /** Wall-clock ms (the same as `at`). */
  time: number;
}

/** An observer of every node of `target`. The sentinel password is sent only when the topology sets one. */
export function observerFor(target: Pick<ProbeTarget, 'topology' | 'endpoint'>, secrets: Secrets, timeoutMs = 1500): Observer {
  const endpoint = (s: string) => target.endpoint(s);
  return new Observer(new AddressBook(target.topology, endpoint), endpoint, {
    timeoutMs,
    password: secrets.redisPassword,
    sentinelPassword: target.topology.auth.sentinelPassword ? secrets.sentinelPassword : undefined,
  });
}

/** Every data node and sentinel, every group, with the runtime's process states. */
export async function lookAt(target: ProbeTarget, observer: Observer): Promise<Snapshot> {
  const t = target.topology;
  const states = new Map((await target.ps()).map((s) => [s.service, s.state]));
  const nodes = t.masters.flatMap((m) => m.nodes.map((n) => n.service));
  const time = Date.now();
  const obs = await observer.observe(
    nodes,
    t.sentinels.map((s) => s.service),
    t.masters.map((m) => m.name),
    time,
    states,
  );
  return { project: t.project, runtime: target.kind, time, ...obs };
}

/** One look with connections made for it and closed after. */
export async function takeSnapshot(target: ProbeTarget, secrets: Secrets, opts: { timeoutMs?: number } = {}): Promise<Snapshot> {
  const observer = observerFor(target, secrets, opts.timeoutMs);
  try {
    return await lookAt(target, observer);
  } finally {
    observer.close();
  }
}

/**
 * Asking every node and sentinel what it believes. Paused processes accept TCP connections but
 * never answer, so every question has a deadline, and a node that has not answered the last one
 * is not asked again until it does (its replies would otherwise pile up and arrive out of step).
 * A connection that stays silent for long is dropped and made again: behind Docker's port
 * publishing (docker-proxy) a connection made while a container restarts is accepted by the
 * proxy, whose own connection to the container may then wait a minute on SYN retransmits.
 */
import { Redis } from 'ioredis';
import type { Endpoint } from '../runtime/types.js';
import type { AddressBook } from './addresses.js';
import type { NodeView, Observation, SentinelReplicaView, SentinelView } from './types.js';

export class NoReply extends Error {}

export class Prober {
  private client: Redis;
  private inflight: Promise<unknown> | null = null;
  /** Why the last connection attempt failed (ECONNREFUSED ...), for a question that could not be sent. */
  private connectError: string | null = null;
  private inflightSince = 0;
  /** How long an unanswered question may hold the connection before it is made again. */
  private readonly staleMs: number;

  constructor(
    readonly service: string,
    private readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
    private readonly password?: string,
  ) {
    this.staleMs = Math.max(4 * timeoutMs, 2000);
    this.client = this.connect();
  }

  private connect(): Redis {
    const client = new Redis({
      host: this.endpoint.host,
      port: this.endpoint.port,
      password: this.password,
      connectTimeout: Math.max(this.timeoutMs, 1000),
      enableReadyCheck: false,
      // Queued while (re)connecting; with maxRetriesPerRequest 0 a node that refuses connections
      // fails the question at the first retry instead of holding it.
      enableOfflineQueue: true,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
      lazyConnect: false,
    });
    client.on('error', (err: Error) => {
      this.connectError = err.message;
    });
    client.on('ready', () => (this.connectError = null));
    return client;
  }

  /**
   * A question that never left because there is no connection fails with the client's
   * "max retries per request" (see maxRetriesPerRequest above); say what is wrong instead.
   */
  explain(err: unknown): string {
    if (neverSent(err)) return `not reachable${this.connectError ? ` (${this.connectError})` : ''}`;
    return errText(err);
  }

  async ask<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
    if (this.inflight) {
      if (performance.now() - this.inflightSince < this.staleMs) throw new NoReply('has not answered the previous question');
      // The socket is destroyed, not ended: the silent peer would never finish a graceful close.
      this.client.stream?.destroy();
      this.client.disconnect();
      this.client = this.connect();
      this.inflight = null;
    }
    const p = fn(this.client);
    this.inflight = p;
    this.inflightSince = performance.now();
    const clear = () => {
      if (this.inflight === p) this.inflight = null;
    };
    p.then(clear, clear);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p.catch((err: unknown) => {
          throw neverSent(err) ? new NoReply(this.explain(err)) : err;
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NoReply(`no reply within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.client.disconnect();
  }
}

/** ioredis' MaxRetriesPerRequestError (not exported; its class name may change in a bundle). */
function neverSent(err: unknown): boolean {
  return err instanceof Error && (err.name === 'MaxRetriesPerRequestError' || /max retries per request/i.test(err.message));
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Flat `[field, value, field, value, ...]` replies (SENTINEL MASTER, REPLICAS entries). */
export function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function nodeViewFromInfo(service: string, info: Record<string, string>, book: AddressBook): NodeView {
  const role = info.role === 'master' ? 'master' : info.role === 'slave' ? 'slave' : undefined;
  const view: NodeView = { service, reachable: true, role };
  if (role === 'slave') {
    view.masterAddr = `${info.master_host}:${info.master_port}`;
    view.masterService = book.service(info.master_host ?? '', info.master_port ?? '');
    view.linkUp = info.master_link_status === 'up';
    view.offset = Number(info.slave_repl_offset ?? NaN);
  } else {
    view.offset = Number(info.master_repl_offset ?? NaN);
  }
  return view;
}

export function sentinelView(
  service: string,
  replies: { addr: unknown; master: unknown; replicas: unknown; info: unknown },
  book: AddressBook,
): SentinelView {
  const view: SentinelView = { service, reachable: true };
  if (Array.isArray(replies.addr) && replies.addr.length >= 2) {
    view.masterAddr = `${replies.addr[0]}:${replies.addr[1]}`;
    view.masterService = book.service(String(replies.addr[0]), String(replies.addr[1]));
  } else {
    view.masterService = null;
  }
  const m = pairs(replies.master);
  if (m.flags !== undefined) view.flags = m.flags.split(',').filter(Boolean);
  if (m['num-other-sentinels'] !== undefined) view.numOtherSentinels = Number(m['num-other-sentinels']);
  if (Array.isArray(replies.replicas)) {
    view.replicas = replies.replicas.map((r): SentinelReplicaView => {
      const p = pairs(r);
      return { addr: `${p.ip}:${p.port}`, service: book.service(p.ip ?? '', p.port ?? ''), flags: (p.flags ?? '').split(',').filter(Boolean) };
    });
  }
  if (typeof replies.info === 'string') view.tilt = parseInfo(replies.info).sentinel_tilt === '1';
  return view;
}

/** Persistent question-askers for the nodes of one topology, reused across polls. */
export class Observer {
  private readonly probers = new Map<string, Prober>();

  constructor(
    private readonly book: AddressBook,
    private readonly endpoint: (service: string) => Endpoint,
    private readonly opts: { timeoutMs: number; password?: string; sentinelPassword?: string },
  ) {}

  private prober(service: string, sentinel: boolean): Prober {
    let p = this.probers.get(service);
    if (!p) {
      p = new Prober(service, this.endpoint(service), this.opts.timeoutMs, sentinel ? this.opts.sentinelPassword : this.opts.password);
      this.probers.set(service, p);
    }
    return p;
  }

  async node(service: string): Promise<NodeView> {
    try {
      const info = await this.prober(service, false).ask((c) => c.info('replication'));
      return nodeViewFromInfo(service, parseInfo(info), this.book);
    } catch (err) {
      return { service, reachable: false, error: errText(err) };
    }
  }

  async sentinel(service: string, group: string): Promise<SentinelView> {
    try {
      const res = await this.prober(service, true).ask((c) =>
        c
          .pipeline()
          .call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', group)
          .call('SENTINEL', 'MASTER', group)
          .call('SENTINEL', 'REPLICAS', group)
          .call('INFO', 'sentinel')
          .exec(),
      );
      const [addr, master, replicas, info] = (res ?? []).map(([err, v]) => (err ? null : v));
      const firstErr = (res ?? []).find(([err]) => err)?.[0];
      if (neverSent(firstErr)) return { service, reachable: false, error: this.prober(service, true).explain(firstErr) };
      if (firstErr && master === null) return { service, reachable: true, error: errText(firstErr), masterService: null };
      return sentinelView(service, { addr, master, replicas, info }, this.book);
    } catch (err) {
      return { service, reachable: false, error: errText(err) };
    }
  }

  async observe(nodes: readonly string[], sentinels: readonly string[], group: string, at: number): Promise<Observation> {
    const [n, s] = await Promise.all([
      Promise.all(nodes.map((x) => this.node(x))),
      Promise.all(sentinels.map((x) => this.sentinel(x, group))),
    ]);
    return { at, nodes: n, sentinels: s };
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

/**
 * Real topologies for sentinel tests: redis-server master + replicas and sentinels of either
 * implementation on loopback, an event recorder subscribed to every sentinel, and waiting helpers.
 */
import { readFileSync } from 'node:fs';
import { startRedis, startSentinel, type Proc } from '../../helpers/procs.js';
import { freePort } from '../../helpers/ports.js';
import { RespConn as RespClient, pairs, records, text } from '../../helpers/resp-conn.js';

export type Impl = 'bundled' | 'redis';

export interface SentinelProc extends Proc {
  impl: Impl;
  confFile: string;
}

export interface Topology {
  master: Proc;
  replicas: Proc[];
  sentinels: SentinelProc[];
  events: EventLog;
  name: string;
}

export interface RecordedEvent {
  at: number;
  sentinel: number;
  channel: string;
  message: string;
}

export class EventLog {
  readonly all: RecordedEvent[] = [];
  private clients: RespClient[] = [];

  async attach(index: number, port: number): Promise<void> {
    const c = await connectTo(port, 'sentinel');
    this.clients.push(c);
    await c.psubscribe('*', (channel, message) => this.all.push({ at: Date.now(), sentinel: index, channel, message }));
  }

  of(sentinel: number): RecordedEvent[] {
    return this.all.filter((e) => e.sentinel === sentinel);
  }

  types(sentinel?: number): string[] {
    return (sentinel === undefined ? this.all : this.of(sentinel)).map((e) => e.channel);
  }

  find(channel: string, sentinel?: number): RecordedEvent | undefined {
    return this.all.find((e) => e.channel === channel && (sentinel === undefined || e.sentinel === sentinel));
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

export const REDIS_TEST_CONF = ['repl-diskless-sync-delay 0', 'repl-ping-replica-period 1'];

/** Passwords of the current topology (one topology at a time per test file). */
const auth = { redis: '', sentinel: '' };

/** A client to a data node or a sentinel, authenticated when the topology has passwords. */
export async function connectTo(port: number, kind: 'redis' | 'sentinel'): Promise<RespClient> {
  const c = await RespClient.connect(port);
  const pass = auth[kind];
  if (pass) await c.call('AUTH', pass);
  return c;
}

export interface TopologyOptions {
  replicas?: number;
  sentinels: Impl[];
  quorum?: number;
  downAfter?: number;
  failoverTimeout?: number;
  name?: string;
  sentinelConf?: string[];
  /** Per-sentinel quorum / down-after (each sentinel has its own view of these in Redis). */
  perSentinel?: Array<{ quorum?: number; downAfter?: number; conf?: string[] } | undefined>;
  /** Extra redis.conf lines per replica index. */
  replicaConf?: (i: number) => string[];
  masterConf?: string[];
  /** requirepass/masterauth on the data nodes, auth-pass for the sentinels. */
  redisPassword?: string;
  /** requirepass and sentinel-pass on the sentinels. */
  sentinelPassword?: string;
  /** Options for node before the script, for every bundled sentinel (e.g. a --require preload). */
  bundledNodeArgs?: string[];
}

export async function startTopology(o: TopologyOptions): Promise<Topology> {
  const name = o.name ?? 'mymaster';
  auth.redis = o.redisPassword ?? '';
  auth.sentinel = o.sentinelPassword ?? '';
  const redisAuth = o.redisPassword ? [`requirepass ${o.redisPassword}`, `masterauth ${o.redisPassword}`] : [];
  const master = await startRedis('master', { conf: [...REDIS_TEST_CONF, ...redisAuth, ...(o.masterConf ?? [])] });
  const replicas: Proc[] = [];
  for (let i = 0; i < (o.replicas ?? 2); i++) {
    replicas.push(
      await startRedis(`replica${i + 1}`, {
        replicaOf: { host: master.host, port: master.port },
        conf: [...REDIS_TEST_CONF, ...redisAuth, ...(o.replicaConf?.(i) ?? [])],
      }),
    );
  }
  await waitFor('replicas in sync', async () => {
    const c = await connectTo(master.port, 'redis');
    try {
      const info = text(await c.call('INFO', 'replication'));
      const online = (info.match(/state=online/g) ?? []).length;
      return online === replicas.length ? [] : [`${online}/${replicas.length} replicas online`];
    } finally {
      c.close();
    }
  });
  const confFor = (i: number) => {
    const p = o.perSentinel?.[i];
    return [
      `sentinel monitor ${name} ${master.host} ${master.port} ${p?.quorum ?? o.quorum ?? 2}`,
      `sentinel down-after-milliseconds ${name} ${p?.downAfter ?? o.downAfter ?? 1000}`,
      `sentinel failover-timeout ${name} ${o.failoverTimeout ?? 60000}`,
      ...(o.redisPassword ? [`sentinel auth-pass ${name} ${o.redisPassword}`] : []),
      ...(o.sentinelPassword ? [`requirepass ${o.sentinelPassword}`, `sentinel sentinel-pass ${o.sentinelPassword}`] : []),
      ...(o.sentinelConf ?? []),
      ...(p?.conf ?? []),
    ];
  };
  const sentinels: SentinelProc[] = [];
  const events = new EventLog();
  for (const [i, impl] of o.sentinels.entries()) {
    const port = await freePort();
    const s = await startSentinel(`sentinel${i + 1}-${impl}`, { implementation: impl, conf: confFor(i), port, nodeArgs: o.bundledNodeArgs });
    sentinels.push(Object.assign(s, { impl }));
    await events.attach(i, s.port);
  }
  return { master, replicas, sentinels, events, name };
}

/**
 * Stops everything; when the test failed, first prints every sentinel's log (its events with
 * their times): a failure under load then explains itself.
 */
export async function stopTopology(t: Topology | undefined, failed = false): Promise<void> {
  if (!t) return;
  if (failed) {
    for (const [i, s] of t.sentinels.entries()) console.log(`---- sentinel ${i} (${s.impl}, port ${s.port})\n${s.log()}`);
  }
  t.events.close();
  await Promise.all([t.master, ...t.replicas, ...t.sentinels].map((p) => p.stop('SIGKILL')));
}

/** The `sentinel current-epoch` persisted in a sentinel's config file. */
export function fileEpoch(s: SentinelProc): number {
  const m = /^sentinel current-epoch (\d+)$/m.exec(readFileSync(s.confFile, 'utf8'));
  return m ? Number(m[1]) : -1;
}

/** Polls until `probe` returns no missing items. */
export async function waitFor(what: string, probe: () => Promise<string[]>, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: string[] = [];
  for (;;) {
    try {
      missing = await probe();
    } catch (err) {
      missing = [String(err)];
    }
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${what}: still missing after ${timeoutMs} ms: ${missing.join('; ')}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function sentinelCall(port: number, ...args: Array<string | number>) {
  const c = await connectTo(port, 'sentinel');
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

/** Every sentinel knows every replica (with a run id and link up) and every other sentinel. */
export async function waitDiscovered(t: Topology, timeoutMs = 40_000): Promise<void> {
  await waitFor(
    'discovery',
    async () => {
      const missing: string[] = [];
      for (const [i, s] of t.sentinels.entries()) {
        const reps = records(await sentinelCall(s.port, 'SENTINEL', 'REPLICAS', t.name));
        const ok = reps.filter((r) => r['master-link-status'] === 'ok' && r.runid !== '' && r.flags === 'slave');
        if (ok.length !== t.replicas.length) missing.push(`sentinel ${i} sees ${ok.length}/${t.replicas.length} replicas`);
        // Known and linked: a peer just learned from a hello is `disconnected` until the link is up.
        const sens = records(await sentinelCall(s.port, 'SENTINEL', 'SENTINELS', t.name)).filter((x) => x.flags === 'sentinel');
        if (sens.length !== t.sentinels.length - 1) missing.push(`sentinel ${i} sees ${sens.length}/${t.sentinels.length - 1} linked sentinels`);
      }
      return missing;
    },
    timeoutMs,
  );
}

export async function masterAddr(port: number, name = 'mymaster'): Promise<string> {
  const r = await sentinelCall(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
  return r.type === 'array' ? `${text(r.value[0])}:${text(r.value[1])}` : '';
}

export async function masterRecord(port: number, name = 'mymaster'): Promise<Record<string, string>> {
  return Object.fromEntries(pairs(await sentinelCall(port, 'SENTINEL', 'MASTER', name)));
}

export async function redisRole(port: number): Promise<string> {
  const c = await connectTo(port, 'redis');
  try {
    const info = text(await c.call('INFO', 'replication'));
    const role = /role:(\w+)/.exec(info)?.[1] ?? '?';
    if (role === 'slave') return `slave of ${/master_host:(\S+)/.exec(info)?.[1]}:${/master_port:(\d+)/.exec(info)?.[1]}`;
    return role;
  } finally {
    c.close();
  }
}

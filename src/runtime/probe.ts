/**
 * What the running topology looks like right now, asked of the nodes themselves: INFO
 * replication from every data node, and SENTINEL MASTER / REPLICAS / SENTINELS from every
 * sentinel. `up` waits on it, `status` prints it. One short-lived connection per node, with
 * timeouts, so that a paused node (SIGSTOP / docker pause: the kernel still accepts the
 * connection, nothing answers) shows up as unreachable instead of hanging.
 */
import { Redis } from 'ioredis';
import { allNodes, type RedisNode, type SentinelNode, type Topology, type TopologyNode } from '../topology/types.js';
import type { Endpoint, RuntimeKind, ServiceState } from './types.js';

export interface Secrets {
  redisPassword?: string;
  sentinelPassword?: string;
}

export interface NodeStatus {
  service: string;
  group: string;
  /** host:port a client on this machine uses. */
  address: string;
  process: ServiceState['state'];
  reachable: boolean;
  error?: string;
  role?: 'master' | 'replica';
  /** master_repl_offset (master) or slave_repl_offset (replica). */
  offset?: number;
  /** Bytes behind its master's offset (replicas). */
  lagBytes?: number;
  /** Seconds since the master last heard from this replica, as the master reports it. */
  lagSeconds?: number;
  /** Replica: master_link_status. */
  link?: 'up' | 'down';
  /** Replica: the master it replicates from, as host:port. */
  masterAddress?: string;
  /** Master: replicas in state online, and all that are connected. */
  onlineReplicas?: number;
  connectedReplicas?: number;
}

export interface SentinelPeerView {
  address: string;
  /** The topology service at that address, when known. */
  service?: string;
  flags: string[];
  runId?: string;
}

export interface SentinelMasterView {
  name: string;
  address: string;
  service?: string;
  flags: string[];
  configEpoch: number;
  quorum: number;
  numSlaves: number;
  numOtherSentinels: number;
  replicas: SentinelPeerView[];
  sentinels: SentinelPeerView[];
}

export interface SentinelStatus {
  service: string;
  address: string;
  process: ServiceState['state'];
  reachable: boolean;
  error?: string;
  /** One entry per master group of the topology; null when the sentinel does not monitor it. */
  masters: Record<string, SentinelMasterView | null>;
}

export interface Snapshot {
  project: string;
  runtime: RuntimeKind;
  /** Wall-clock ms. */
  time: number;
  nodes: NodeStatus[];
  sentinels: SentinelStatus[];
}

export interface ProbeTarget {
  topology: Topology;
  kind: RuntimeKind;
  endpoint(service: string): Endpoint;
  ps(): Promise<ServiceState[]>;
}

export async function takeSnapshot(target: ProbeTarget, secrets: Secrets, opts: { timeoutMs?: number } = {}): Promise<Snapshot> {
  const t = target.topology;
  const timeoutMs = opts.timeoutMs ?? 1500;
  const states = new Map((await target.ps()).map((s) => [s.service, s.state]));
  const index = addressIndex(t, target);
  const dataNodes = t.masters.flatMap((m) => m.nodes);
  const [nodes, sentinels] = await Promise.all([
    Promise.all(dataNodes.map((n) => probeRedis(n, target, states.get(n.service) ?? 'missing', secrets, timeoutMs))),
    Promise.all(t.sentinels.map((s) => probeSentinel(s, t, target, states.get(s.service) ?? 'missing', secrets, index, timeoutMs))),
  ]);
  fillLag(nodes, index);
  return { project: t.project, runtime: target.kind, time: Date.now(), nodes, sentinels };
}

/** Every address a node may be reported under (by sentinels or masters), mapped to its service. */
export function addressIndex(t: Topology, target: { endpoint(service: string): Endpoint }): Map<string, string> {
  const index = new Map<string, string>();
  for (const n of allNodes(t)) {
    const ep = target.endpoint(n.service);
    index.set(`${ep.host}:${ep.port}`, n.service);
    if (n.announce) index.set(`${n.announce.ip}:${n.announce.port}`, n.service);
    // Sentinels with resolve-hostnames report compose service names.
    index.set(`${n.service}:${n.port}`, n.service);
  }
  return index;
}

function client(ep: Endpoint, password: string | undefined, timeoutMs: number): Redis {
  const c = new Redis({
    host: ep.host,
    port: ep.port,
    password,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
  });
  c.on('error', () => {
    /* reported through the command that failed */
  });
  return c;
}

async function withClient<T>(ep: Endpoint, password: string | undefined, timeoutMs: number, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = client(ep, password, timeoutMs);
  try {
    await c.connect();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** `ip=127.0.0.1,port=6380,state=online,offset=123,lag=0` */
export function parseFields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

interface MasterReplicaEntry {
  address: string;
  state: string;
  offset: number;
  lag: number;
}

function masterReplicas(info: Record<string, string>): MasterReplicaEntry[] {
  const n = Number(info.connected_slaves ?? 0);
  const out: MasterReplicaEntry[] = [];
  for (let i = 0; i < n; i++) {
    const v = info[`slave${i}`];
    if (!v) continue;
    const f = parseFields(v);
    out.push({ address: `${f.ip}:${f.port}`, state: f.state ?? '', offset: Number(f.offset ?? 0), lag: Number(f.lag ?? 0) });
  }
  return out;
}

interface RedisProbe extends NodeStatus {
  replicasSeen?: MasterReplicaEntry[];
}

async function probeRedis(node: RedisNode, target: ProbeTarget, state: ServiceState['state'], secrets: Secrets, timeoutMs: number): Promise<RedisProbe> {
  const ep = target.endpoint(node.service);
  const base: RedisProbe = { service: node.service, group: node.group, address: `${ep.host}:${ep.port}`, process: state, reachable: false };
  if (state === 'stopped' || state === 'missing') return { ...base, error: `not running (${state})` };
  try {
    const info = parseInfo(await withClient(ep, secrets.redisPassword, timeoutMs, (c) => c.info('replication')));
    if (info.role === 'master') {
      const replicas = masterReplicas(info);
      return {
        ...base,
        reachable: true,
        role: 'master',
        offset: Number(info.master_repl_offset ?? 0),
        connectedReplicas: replicas.length,
        onlineReplicas: replicas.filter((r) => r.state === 'online').length,
        replicasSeen: replicas,
      };
    }
    return {
      ...base,
      reachable: true,
      role: 'replica',
      offset: Number(info.slave_repl_offset ?? 0),
      link: info.master_link_status === 'up' ? 'up' : 'down',
      masterAddress: `${info.master_host}:${info.master_port}`,
    };
  } catch (err) {
    return { ...base, error: state === 'paused' ? 'paused' : errText(err) };
  }
}

/** Replica lag from the master's point of view (bytes behind, seconds since last ack). */
function fillLag(nodes: RedisProbe[], index: Map<string, string>): void {
  const byService = new Map(nodes.map((n) => [n.service, n]));
  for (const m of nodes) {
    if (m.role !== 'master' || !m.replicasSeen) continue;
    for (const r of m.replicasSeen) {
      const svc = index.get(r.address);
      const rn = svc ? byService.get(svc) : undefined;
      if (!rn) continue;
      rn.lagSeconds = r.lag;
      if (m.offset !== undefined && rn.offset !== undefined) rn.lagBytes = Math.max(0, m.offset - rn.offset);
    }
  }
  for (const n of nodes) delete n.replicasSeen;
}

function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

function peer(rec: Record<string, string>, index: Map<string, string>): SentinelPeerView {
  const address = `${rec.ip}:${rec.port}`;
  return { address, service: index.get(address), flags: (rec.flags ?? '').split(',').filter(Boolean), runId: rec.runid };
}

async function probeSentinel(
  node: SentinelNode,
  t: Topology,
  target: ProbeTarget,
  state: ServiceState['state'],
  secrets: Secrets,
  index: Map<string, string>,
  timeoutMs: number,
): Promise<SentinelStatus> {
  const ep = target.endpoint(node.service);
  const base: SentinelStatus = { service: node.service, address: `${ep.host}:${ep.port}`, process: state, reachable: false, masters: {} };
  for (const m of t.masters) base.masters[m.name] = null;
  if (state === 'stopped' || state === 'missing') return { ...base, error: `not running (${state})` };
  const password = t.auth.sentinelPassword ? secrets.sentinelPassword : undefined;
  try {
    return await withClient(ep, password, timeoutMs, async (c) => {
      const masters: Record<string, SentinelMasterView | null> = {};
      for (const m of t.masters) {
        let master: Record<string, string>;
        try {
          master = pairs(await c.call('SENTINEL', 'MASTER', m.name));
        } catch (err) {
          // "ERR No such master with that name": not (yet) monitored.
          if (/no such master/i.test(errText(err))) {
            masters[m.name] = null;
            continue;
          }
          throw err;
        }
        const replicas = ((await c.call('SENTINEL', 'REPLICAS', m.name)) as unknown[]).map((r) => peer(pairs(r), index));
        const sentinels = ((await c.call('SENTINEL', 'SENTINELS', m.name)) as unknown[]).map((r) => peer(pairs(r), index));
        const address = `${master.ip}:${master.port}`;
        masters[m.name] = {
          name: m.name,
          address,
          service: index.get(address),
          flags: (master.flags ?? '').split(',').filter(Boolean),
          configEpoch: Number(master['config-epoch'] ?? 0),
          quorum: Number(master.quorum ?? 0),
          numSlaves: Number(master['num-slaves'] ?? replicas.length),
          numOtherSentinels: Number(master['num-other-sentinels'] ?? sentinels.length),
          replicas,
          sentinels,
        };
      }
      return { ...base, reachable: true, masters };
    });
  } catch (err) {
    return { ...base, error: state === 'paused' ? 'paused' : errText(err) };
  }
}

function errText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  const msg = e?.message ?? String(err);
  if (/timed? ?out/i.test(msg)) return 'no answer (timed out)';
  return msg;
}

const BAD_FLAGS = ['s_down', 'o_down', 'disconnected', 'failover_in_progress', 'promoted'];

/**
 * What keeps the topology from being healthy: every master has all its replicas online, every
 * replica's link is up, and every sentinel sees its masters (no down flags) with all replicas
 * and all other sentinels. Empty means healthy.
 */
export function missingForHealth(t: Topology, snap: Snapshot): string[] {
  const missing: string[] = [];
  const byService = new Map(snap.nodes.map((n) => [n.service, n]));
  for (const group of t.masters) {
    const members = group.nodes.map((n) => byService.get(n.service)!).filter(Boolean);
    for (const n of members) if (!n.reachable) missing.push(`${n.service}: ${n.error ?? 'not reachable'}`);
    const masters = members.filter((n) => n.role === 'master');
    const expected = group.nodes.length - 1;
    if (masters.length === 0) {
      if (members.some((n) => n.reachable)) missing.push(`${group.name}: no node reports role master`);
    } else if (masters.length > 1) {
      missing.push(`${group.name}: ${masters.length} nodes report role master (${masters.map((m) => m.service).join(', ')})`);
    } else {
      const m = masters[0]!;
      if ((m.onlineReplicas ?? 0) < expected) missing.push(`${group.name}: ${m.service} has ${m.onlineReplicas ?? 0} of ${expected} replicas online`);
    }
    for (const n of members) if (n.role === 'replica' && n.link !== 'up') missing.push(`${n.service}: replication link to ${n.masterAddress} is down`);
  }
  for (const s of snap.sentinels) {
    if (!s.reachable) {
      missing.push(`${s.service}: ${s.error ?? 'not reachable'}`);
      continue;
    }
    for (const group of t.masters) {
      const v = s.masters[group.name];
      if (!v) {
        missing.push(`${s.service}: does not monitor ${group.name}`);
        continue;
      }
      const bad = v.flags.filter((f) => BAD_FLAGS.includes(f));
      if (bad.length) missing.push(`${s.service}: flags ${group.name} (${v.address}) as ${bad.join(',')}`);
      const expectedReplicas = group.nodes.length - 1;
      const okReplicas = v.replicas.filter((r) => !r.flags.some((f) => BAD_FLAGS.includes(f))).length;
      if (okReplicas < expectedReplicas) missing.push(`${s.service}: sees ${okReplicas} of ${expectedReplicas} replicas of ${group.name}`);
      const expectedSentinels = t.sentinels.length - 1;
      const okSentinels = v.sentinels.filter((p) => !p.flags.some((f) => BAD_FLAGS.includes(f))).length;
      if (okSentinels < expectedSentinels) missing.push(`${s.service}: sees ${okSentinels} of ${expectedSentinels} other sentinels for ${group.name}`);
    }
  }
  return missing;
}

/**
 * Where sentinels disagree with each other or with the data nodes: different master addresses
 * or epochs for one group, or a believed master that does not report role master.
 */
export function disagreements(t: Topology, snap: Snapshot): string[] {
  const out: string[] = [];
  const index = new Map<string, NodeStatus>();
  for (const n of snap.nodes) index.set(n.service, n);
  for (const group of t.masters) {
    const views = snap.sentinels.filter((s) => s.reachable).map((s) => ({ s, v: s.masters[group.name] })).filter((x) => x.v);
    const addresses = new Set(views.map((x) => x.v!.address));
    if (addresses.size > 1) {
      out.push(`${group.name}: sentinels disagree on the master: ${views.map((x) => `${x.s.service} -> ${label(x.v!)}`).join(', ')}`);
    }
    const epochs = new Set(views.map((x) => x.v!.configEpoch));
    if (epochs.size > 1) out.push(`${group.name}: sentinels disagree on the config epoch: ${views.map((x) => `${x.s.service}=${x.v!.configEpoch}`).join(', ')}`);
    for (const { s, v } of views) {
      const svc = v!.service ? index.get(v!.service) : undefined;
      if (svc?.reachable && svc.role !== 'master') out.push(`${s.service} believes ${group.name} is ${label(v!)}, which reports role ${svc.role}`);
    }
  }
  return out;
}

function label(v: SentinelMasterView): string {
  return v.service ? `${v.service} (${v.address})` : v.address;
}

export function nodeOf(t: Topology, service: string): TopologyNode | undefined {
  return allNodes(t).find((n) => n.service === service);
}

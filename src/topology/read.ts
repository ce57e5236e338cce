/**
 * The typed read: a shape-checked spec -> `SpecRead`, every setting a `Field` (its value, the
 * path problems name it by, where the value in effect was set), with the seed's aliases folded in
 * and the defaults applied, once. Nothing here judges values: that is ./checks. The one problem
 * found here is a field set twice, under its name and its alias, since only one can be read.
 *
 * Values the shape check rejected read as their default (or as the enclosing section's value),
 * marked `rejected`, so that the checks still run on everything else and every problem is
 * reported in one go.
 */
import type { Problem } from '../common/errors.js';
import { DEFAULTS, majorityOf } from './defaults.js';
import { childPath } from './field-path.js';
import type { MasterSpec, Spec } from './spec.js';
import type { NetworkMode, Persistence, SentinelImplementation } from './types.js';

export interface Field<T> {
  readonly value: T;
  /** This setting's own path: `masters[0].persistence`. */
  readonly path: string;
  /**
   * The path that sets the value in effect: `path` when the spec writes it there (even if the
   * shape check rejected what it wrote), else the enclosing section it is inherited from
   * (`redis.persistence`), else, for a built-in default, the most general place to set it.
   */
  readonly setAt: string;
  /** `spec`: written at `path`; `inherited`: from an enclosing section; `default`: built in. */
  readonly origin: 'spec' | 'inherited' | 'default';
  /**
   * The spec wrote something at `path` (or the section around it) that the shape check rejected:
   * `value` only stands in for it. Checks that would repeat or guess at that problem skip it.
   */
  readonly rejected: boolean;
  /** The value came (at least partly) from a `${VAR}`. */
  readonly fromVariable: boolean;
}

export interface MasterRead {
  /** `masters[0]` */
  path: string;
  name: Field<string>;
  replicas: Field<number>;
  quorum: Field<number>;
  persistence: Field<Persistence>;
  minReplicasToWrite: Field<number>;
  minReplicasMaxLag: Field<number>;
  /** As written: one priority for every replica, or a list with one per replica. */
  replicaPriority: Field<number | number[]>;
  /** One per replica: a short list filled with the default, a long one cut. */
  replicaPriorities: Field<number[]>;
  downAfterMs: Field<number>;
  failoverTimeoutMs: Field<number>;
  parallelSyncs: Field<number>;
}

/** auth.user / auth.sentinel-user, when the spec has one. */
export interface AclUserRead {
  path: string;
  name: Field<string | undefined>;
  password: Field<string | undefined>;
}

export interface SpecRead {
  project: Field<string>;
  network: Field<NetworkMode>;
  timezone: Field<string | null>;
  images: { redis: Field<string>; node: Field<string>; sentinel: Field<string>; nettools: Field<string> };
  /**
   * `redis` / `sentinel`: the first port of each range. A range that is `auto` (or `ports: auto`,
   * both) reads as a stand-in first port, which is what `render` writes until `up` chooses free
   * ports (runtime/auto-ports.ts).
   */
  ports: { path: string; redis: Field<number>; sentinel: Field<number>; auto: { redis: boolean; sentinel: boolean } };
  bind: Field<string>;
  announce: Field<string>;
  auth: {
    password: Field<string | undefined>;
    sentinelPassword: Field<string | undefined>;
    user?: AclUserRead;
    sentinelUser?: AclUserRead;
  };
  masters: MasterRead[];
  sentinels: {
    count: Field<number>;
    implementation: Field<SentinelImplementation>;
    downAfterMs: Field<number>;
    failoverTimeoutMs: Field<number>;
    parallelSyncs: Field<number>;
  };
  /** The swarm section, when the spec gives one. */
  swarm?: SwarmRead;
}

export interface SwarmRead {
  /** `swarm` */
  path: string;
  network: Field<string>;
  /** Readable nodes only (a rejected item is left out: the shape check reported it). */
  nodes: SwarmNodeRead[];
}

export interface SwarmNodeRead {
  /** `swarm.nodes[0]` */
  path: string;
  name: Field<string>;
  address: Field<string>;
  engine: Field<string | undefined>;
}

export interface ReadOptions {
  /** Paths the shape check (or interpolation) rejected. */
  rejected: ReadonlySet<string>;
  /** Paths whose string came from a `${VAR}`. */
  fromVariables: ReadonlySet<string>;
}

export function readSpec(shaped: unknown, opts: ReadOptions): { spec: SpecRead; problems: Problem[] } {
  const problems: Problem[] = [];
  const root = new Section('', shaped, false, opts, problems);

  const network = root.read<NetworkMode>('network', 'string', DEFAULTS.network);
  const images = root.section('images');
  const ports = root.section('ports');
  const auth = root.section('auth');
  const redis = root.section('redis');
  const sentinels = root.section('sentinels');

  const count = sentinels.read('count', 'number', DEFAULTS.sentinels.count);
  const sentinelSettings = {
    count,
    implementation: sentinels.read<SentinelImplementation>('implementation', 'string', DEFAULTS.sentinels.implementation),
    downAfterMs: sentinels.read('down-after-milliseconds', 'number', DEFAULTS.sentinels.downAfterMs),
    failoverTimeoutMs: sentinels.read('failover-timeout', 'number', DEFAULTS.sentinels.failoverTimeoutMs),
    parallelSyncs: sentinels.read('parallel-syncs', 'number', DEFAULTS.sentinels.parallelSyncs),
  };

  // `redis:` holds what every master inherits.
  const dataDefaults = {
    persistence: redis.read<Persistence>('persistence', 'string', DEFAULTS.persistence),
    minReplicasToWrite: redis.read('min-replicas-to-write', 'number', DEFAULTS.minReplicasToWrite, 'min-slaves-to-write'),
    minReplicasMaxLag: redis.read('min-replicas-max-lag', 'number', DEFAULTS.minReplicasMaxLag, 'min-slaves-max-lag'),
    replicaPriority: redis.read<number | number[]>('replica-priority', 'any', DEFAULTS.replicaPriority, 'slave-priority'),
  };

  // No masters (or a list that could not be read): the seed's one group.
  const listed = root.items('masters');
  const masters = (listed ?? [root.standIn('masters')]).map((m, i): MasterRead => {
    const replicas = m.read('replicas', 'number', DEFAULTS.replicas, 'slaves');
    const minReplicasToWrite = m.inherit('min-replicas-to-write', 'number', dataDefaults.minReplicasToWrite, 'min-slaves-to-write');
    const minReplicasMaxLag = m.inherit('min-replicas-max-lag', 'number', dataDefaults.minReplicasMaxLag, 'min-slaves-max-lag');
    const replicaPriority = m.inherit('replica-priority', 'any', dataDefaults.replicaPriority, 'slave-priority');
    return {
      path: m.path,
      name: m.read('name', 'string', listed ? `master${i + 1}` : DEFAULTS.masterName),
      replicas,
      quorum: m.read('quorum', 'number', majorityOf(count.value)),
      persistence: m.inherit('persistence', 'string', dataDefaults.persistence),
      minReplicasToWrite,
      minReplicasMaxLag,
      replicaPriority,
      replicaPriorities: { ...replicaPriority, value: perReplica(replicaPriority.value, replicas.value) },
      downAfterMs: m.inherit('down-after-milliseconds', 'number', sentinelSettings.downAfterMs),
      failoverTimeoutMs: m.inherit('failover-timeout', 'number', sentinelSettings.failoverTimeoutMs),
      parallelSyncs: m.inherit('parallel-syncs', 'number', sentinelSettings.parallelSyncs),
    };
  });

  // Host mode listens on loopback unless told otherwise; bridge mode publishes on every
  // interface, because containers reach published ports through the host gateway.
  const host = network.value === 'host';
  const bind = root.read<string>('bind', 'string', host ? DEFAULTS.hostBind : DEFAULTS.bridgeBind);
  const bindsAll = bind.value === '0.0.0.0' || bind.value === '::';
  // Host mode: what the nodes listen on. Bridge mode: ports published on one address are
  // reachable (from the host and through the gateway) only at that address.
  const announce = root.read<string>('announce', 'string', bindsAll ? (host ? '127.0.0.1' : DEFAULTS.bridgeAnnounce) : bind.value);

  const aclUser = (key: string): AclUserRead | undefined => {
    const user = auth.section(key);
    if (!user.given) return undefined;
    return {
      path: user.path,
      name: user.read<string | undefined>('name', 'string', undefined),
      password: user.read<string | undefined>('password', 'string', undefined),
    };
  };

  const spec: SpecRead = {
    project: root.read('project', 'string', DEFAULTS.project),
    network,
    timezone: root.read<string | null>('timezone', 'string', DEFAULTS.timezone),
    images: {
      redis: images.read('redis', 'string', DEFAULTS.images.redis),
      node: images.read('node', 'string', DEFAULTS.images.node),
      sentinel: images.read('sentinel', 'string', DEFAULTS.images.sentinel),
      nettools: images.read('nettools', 'string', DEFAULTS.images.nettools),
    },
    ports: readPorts(root, ports),
    bind,
    announce,
    auth: {
      password: auth.read<string | undefined>('password', 'string', undefined),
      sentinelPassword: auth.read<string | undefined>('sentinel-password', 'string', undefined),
      ...optional('user', aclUser('user')),
      ...optional('sentinelUser', aclUser('sentinel-user')),
    },
    masters,
    sentinels: sentinelSettings,
    ...optional('swarm', readSwarm(root.section('swarm'))),
  };
  return { spec, problems };
}

/** The plain values, for resolve and for library users; ACL users only when complete. */
export function toSpec(read: SpecRead): Spec {
  const user = (u: AclUserRead | undefined) =>
    u && u.name.value !== undefined && u.password.value !== undefined ? { name: u.name.value, password: u.password.value } : undefined;
  const dataUser = user(read.auth.user);
  const sentinelUser = user(read.auth.sentinelUser);
  const { password, sentinelPassword } = read.auth;
  return {
    project: read.project.value,
    network: read.network.value,
    timezone: read.timezone.value,
    images: { redis: read.images.redis.value, node: read.images.node.value, sentinel: read.images.sentinel.value, nettools: read.images.nettools.value },
    ports: { redis: read.ports.redis.value, sentinel: read.ports.sentinel.value, auto: { ...read.ports.auto } },
    bind: read.bind.value,
    announce: read.announce.value,
    auth: {
      ...(password.value !== undefined ? { password: password.value } : {}),
      ...(sentinelPassword.value !== undefined ? { sentinelPassword: sentinelPassword.value } : {}),
      ...(dataUser ? { user: dataUser } : {}),
      ...(sentinelUser ? { sentinelUser } : {}),
    },
    masters: read.masters.map((m): MasterSpec => ({
      name: m.name.value,
      replicas: m.replicas.value,
      quorum: m.quorum.value,
      persistence: m.persistence.value,
      minReplicasToWrite: m.minReplicasToWrite.value,
      minReplicasMaxLag: m.minReplicasMaxLag.value,
      replicaPriorities: m.replicaPriorities.value,
      downAfterMs: m.downAfterMs.value,
      failoverTimeoutMs: m.failoverTimeoutMs.value,
      parallelSyncs: m.parallelSyncs.value,
    })),
    sentinels: {
      count: read.sentinels.count.value,
      implementation: read.sentinels.implementation.value,
      downAfterMs: read.sentinels.downAfterMs.value,
      failoverTimeoutMs: read.sentinels.failoverTimeoutMs.value,
      parallelSyncs: read.sentinels.parallelSyncs.value,
    },
    ...(read.swarm
      ? {
          swarm: {
            network: read.swarm.network.value,
            nodes: read.swarm.nodes.map((n) => ({ name: n.name.value, address: n.address.value, engine: n.engine.value ?? null })),
          },
        }
      : {}),
  };
}

/** `swarm:`; nodes the shape check rejected (or without a name or address) are left out. */
function readSwarm(swarm: Section): SwarmRead | undefined {
  if (!swarm.given) return undefined;
  const nodes = (swarm.items('nodes') ?? [])
    .filter((n) => n.given)
    .map((n) => ({
      path: n.path,
      name: n.read('name', 'string', ''),
      address: n.read('address', 'string', ''),
      engine: n.read<string | undefined>('engine', 'string', undefined),
    }))
    .filter((n) => !n.name.rejected && !n.address.rejected && n.name.value !== '' && n.address.value !== '');
  return { path: swarm.path, network: swarm.read('network', 'string', 'redis'), nodes };
}

/**
 * `ports: auto`, or `ports.redis` / `ports.sentinel` each a number or `auto`. An auto range reads
 * as its default first port (resolve moves it past a fixed range it would overlap).
 */
function readPorts(root: Section, ports: Section): SpecRead['ports'] {
  const all = root.read<unknown>('ports', 'any', undefined).value === 'auto';
  const redis = ports.read<number | 'auto'>('redis', 'any', DEFAULTS.ports.redis);
  const sentinel = ports.read<number | 'auto'>('sentinel', 'any', DEFAULTS.ports.sentinel);
  const auto = { redis: all || redis.value === 'auto', sentinel: all || sentinel.value === 'auto' };
  const asNumber = (f: Field<number | 'auto'>, fallback: number): Field<number> => ({ ...f, value: typeof f.value === 'number' ? f.value : fallback });
  return { path: ports.path, redis: asNumber(redis, DEFAULTS.ports.redis), sentinel: asNumber(sentinel, DEFAULTS.ports.sentinel), auto };
}

function perReplica(priority: number | number[], replicas: number): number[] {
  return Array.from({ length: replicas }, (_, k) => (Array.isArray(priority) ? (priority[k] ?? DEFAULTS.replicaPriority) : priority));
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

type Obj = Record<string, unknown>;
type Kind = 'string' | 'number' | 'array' | 'object' | 'any';

/**
 * One mapping of the spec (the top level, `sentinels`, `masters[0]`, ...): reads its keys as
 * fields whose paths it derives, so that no path is written out by hand.
 */
class Section {
  private readonly obj: Obj;
  /** The spec gives this section as a mapping (it may still be partly rejected). */
  readonly given: boolean;

  constructor(
    readonly path: string,
    value: unknown,
    /** The spec writes this section but the shape check rejected it: every field is a stand-in. */
    readonly rejected: boolean,
    private readonly opts: ReadOptions,
    private readonly problems: Problem[],
  ) {
    this.given = isObj(value) && !rejected;
    this.obj = this.given ? (value as Obj) : {};
  }

  section(key: string): Section {
    const value = this.valid<Obj>(key, 'object');
    return new Section(childPath(this.path, key), value, this.rejected || (this.has(key) && value === undefined), this.opts, this.problems);
  }

  /** The items of a list of mappings, or undefined when the list is missing or rejected. */
  items(key: string): Section[] | undefined {
    const path = childPath(this.path, key);
    const items = this.valid<unknown[]>(key, 'array');
    return items?.map((item, i) => new Section(`${path}[${i}]`, item, !isObj(item) || this.opts.rejected.has(`${path}[${i}]`), this.opts, this.problems));
  }

  /** What a missing or rejected list stands for: its first item, with nothing set. */
  standIn(key: string): Section {
    return new Section(`${childPath(this.path, key)}[0]`, undefined, this.rejected || this.has(key), this.opts, this.problems);
  }

  /** Whether the spec gives `key` at all (readable or not). */
  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.obj, key);
  }

  /** `key` (or its `alias`, the seed's word for it), else `fallback`. */
  read<T>(key: string, kind: Kind, fallback: T, alias?: string): Field<T> {
    return this.field(key, kind, alias, { value: fallback, setAt: childPath(this.path, key), origin: 'default', fromVariable: false });
  }

  /** `key` (or its `alias`), else what the enclosing section says for every item. */
  inherit<T>(key: string, kind: Kind, outer: Field<T>, alias?: string): Field<T> {
    const origin = outer.origin === 'default' ? 'default' : 'inherited';
    return this.field(key, kind, alias, { value: outer.value, setAt: outer.setAt, origin, fromVariable: outer.fromVariable });
  }

  private field<T>(key: string, kind: Kind, alias: string | undefined, fallback: Pick<Field<T>, 'value' | 'setAt' | 'origin' | 'fromVariable'>): Field<T> {
    const path = childPath(this.path, key);
    if (alias !== undefined && this.has(key) && this.has(alias)) {
      this.problems.push({ path: childPath(this.path, alias), message: `is an alias of "${key}", which is also set`, fix: `keep only "${key}"` });
    }
    const own = this.valid<T>(key, kind);
    const aliased = own === undefined && alias !== undefined ? this.valid<T>(alias, kind) : undefined;
    if (own !== undefined || aliased !== undefined) {
      const from = own !== undefined ? path : childPath(this.path, alias!);
      return { value: (own ?? aliased) as T, path, setAt: path, origin: 'spec', rejected: false, fromVariable: this.opts.fromVariables.has(from) };
    }
    const written = this.has(key) || (alias !== undefined && this.has(alias));
    return { path, ...fallback, setAt: written ? path : fallback.setAt, rejected: this.rejected || written };
  }

  /** The value at `key` when the shape check accepted it and it is of `kind`. */
  private valid<T>(key: string, kind: Kind): T | undefined {
    if (this.rejected || !this.has(key) || this.opts.rejected.has(childPath(this.path, key))) return undefined;
    const v = this.obj[key];
    if (kind === 'any') return v as T;
    return (kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind) ? (v as T) : undefined;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * From a shape-checked spec to a complete `Spec`: aliases folded in, defaults applied, and the
 * checks that involve more than one field. Errors and warnings are both `Problem`s; errors stop
 * rendering, warnings are printed.
 */
import net from 'node:net';
import type { Problem } from '../common/errors.js';
import { DEFAULTS, LOW_DOWN_AFTER_MS } from './defaults.js';
import { masterService, replicaService, sentinelService } from './naming.js';
import type { NetworkMode, Persistence, SentinelImplementation } from './types.js';

export interface MasterSpec {
  name: string;
  replicas: number;
  quorum: number;
  persistence: Persistence;
  minReplicasToWrite: number;
  minReplicasMaxLag: number;
  /** One per replica. */
  replicaPriorities: number[];
  downAfterMs: number;
  failoverTimeoutMs: number;
  parallelSyncs: number;
}

export interface Spec {
  project: string;
  network: NetworkMode;
  timezone: string | null;
  images: { redis: string; node: string; sentinel: string };
  ports: { redis: number; sentinel: number };
  bind: string;
  announce: string;
  auth: {
    password?: string;
    sentinelPassword?: string;
    /** auth.user: the sentinels' ACL user on the data nodes. */
    user?: { name: string; password: string };
    /** auth.sentinel-user: the sentinels' ACL user on each other. */
    sentinelUser?: { name: string; password: string };
  };
  masters: MasterSpec[];
  sentinels: {
    count: number;
    implementation: SentinelImplementation;
    downAfterMs: number;
    failoverTimeoutMs: number;
    parallelSyncs: number;
  };
}

export interface Normalised {
  spec: Spec;
  errors: Problem[];
  warnings: Problem[];
}

type Obj = Record<string, unknown>;

/**
 * `bad` holds the paths the shape check already rejected: those fall back to defaults here so
 * that the remaining cross-field checks still run and every problem is reported in one go.
 */
export function normalise(raw: unknown, bad: Set<string>, fromVariables: Set<string>): Normalised {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const root: Obj = isObj(raw) ? raw : {};

  const get = <T>(obj: Obj, key: string, path: string, kind: 'string' | 'number' | 'array' | 'object' | 'any'): T | undefined => {
    if (bad.has(path) || !(key in obj)) return undefined;
    const v = obj[key];
    if (kind === 'any') return v as T;
    if (kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind) return v as T;
    return undefined;
  };
  /** `a` and its alias `b` (the seed's word): either, not both. */
  const aliased = <T>(obj: Obj, a: string, b: string, base: string, kind: 'number' | 'any'): T | undefined => {
    const pa = join(base, a);
    const pb = join(base, b);
    if (a in obj && b in obj) {
      errors.push({ path: pb, message: `is an alias of "${a}", which is also set`, fix: `keep only "${a}"` });
    }
    return get<T>(obj, a, pa, kind) ?? get<T>(obj, b, pb, kind);
  };

  const network = (get<string>(root, 'network', 'network', 'string') ?? DEFAULTS.network) as NetworkMode;
  const images = get<Obj>(root, 'images', 'images', 'object') ?? {};
  const ports = get<Obj>(root, 'ports', 'ports', 'object') ?? {};
  const auth = get<Obj>(root, 'auth', 'auth', 'object') ?? {};
  const redis = get<Obj>(root, 'redis', 'redis', 'object') ?? {};
  const sentinels = get<Obj>(root, 'sentinels', 'sentinels', 'object') ?? {};

  const sentinelCount = get<number>(sentinels, 'count', 'sentinels.count', 'number') ?? DEFAULTS.sentinels.count;
  const sDownAfter = get<number>(sentinels, 'down-after-milliseconds', 'sentinels.down-after-milliseconds', 'number') ?? DEFAULTS.sentinels.downAfterMs;
  const sFailover = get<number>(sentinels, 'failover-timeout', 'sentinels.failover-timeout', 'number') ?? DEFAULTS.sentinels.failoverTimeoutMs;
  const sParallel = get<number>(sentinels, 'parallel-syncs', 'sentinels.parallel-syncs', 'number') ?? DEFAULTS.sentinels.parallelSyncs;

  const rPersistence = (get<string>(redis, 'persistence', 'redis.persistence', 'string') ?? DEFAULTS.persistence) as Persistence;
  const rMinToWrite = aliased<number>(redis, 'min-replicas-to-write', 'min-slaves-to-write', 'redis', 'number');
  const rMaxLag = aliased<number>(redis, 'min-replicas-max-lag', 'min-slaves-max-lag', 'redis', 'number');
  const rPriority = aliased<number | number[]>(redis, 'replica-priority', 'slave-priority', 'redis', 'any');

  const majority = Math.floor(sentinelCount / 2) + 1;
  const rawMasters = get<unknown[]>(root, 'masters', 'masters', 'array') ?? [{ name: DEFAULTS.masterName }];

  const masters: MasterSpec[] = rawMasters.map((m, i) => {
    const base = `masters[${i}]`;
    const o: Obj = isObj(m) ? m : {};
    const name = get<string>(o, 'name', `${base}.name`, 'string') ?? `master${i + 1}`;
    const replicas = aliased<number>(o, 'replicas', 'slaves', base, 'number') ?? DEFAULTS.replicas;
    const quorum = get<number>(o, 'quorum', `${base}.quorum`, 'number') ?? majority;
    const minToWrite = aliased<number>(o, 'min-replicas-to-write', 'min-slaves-to-write', base, 'number') ?? rMinToWrite ?? DEFAULTS.minReplicasToWrite;
    const maxLag = aliased<number>(o, 'min-replicas-max-lag', 'min-slaves-max-lag', base, 'number') ?? rMaxLag ?? DEFAULTS.minReplicasMaxLag;
    const priority = aliased<number | number[]>(o, 'replica-priority', 'slave-priority', base, 'any') ?? rPriority ?? DEFAULTS.replicaPriority;
    const priorityPath = 'replica-priority' in o || 'slave-priority' in o ? `${base}.replica-priority` : 'redis.replica-priority';

    let replicaPriorities: number[];
    if (Array.isArray(priority)) {
      if (priority.length !== replicas) {
        errors.push({
          path: priorityPath,
          value: priority,
          message: `has ${priority.length} entr${priority.length === 1 ? 'y' : 'ies'} but ${base} (${name}) has ${replicas} replica${replicas === 1 ? '' : 's'}`,
          fix: `give one priority per replica, or a single number for all of them`,
        });
      }
      replicaPriorities = Array.from({ length: replicas }, (_, k) => (priority[k] as number | undefined) ?? DEFAULTS.replicaPriority);
    } else {
      replicaPriorities = Array.from({ length: replicas }, () => priority);
    }

    const downAfterMs = get<number>(o, 'down-after-milliseconds', `${base}.down-after-milliseconds`, 'number') ?? sDownAfter;
    const ms: MasterSpec = {
      name,
      replicas,
      quorum,
      persistence: (get<string>(o, 'persistence', `${base}.persistence`, 'string') ?? rPersistence) as Persistence,
      minReplicasToWrite: minToWrite,
      minReplicasMaxLag: maxLag,
      replicaPriorities,
      downAfterMs,
      failoverTimeoutMs: get<number>(o, 'failover-timeout', `${base}.failover-timeout`, 'number') ?? sFailover,
      parallelSyncs: get<number>(o, 'parallel-syncs', `${base}.parallel-syncs`, 'number') ?? sParallel,
    };

    if (!bad.has(`${base}.quorum`) && quorum > sentinelCount) {
      errors.push({
        path: `${base}.quorum`,
        value: quorum,
        message: `is larger than sentinels.count (${sentinelCount}), so no failover could ever start`,
        fix: `set a quorum from 1 to ${sentinelCount} (a majority is ${majority})`,
      });
    } else if (quorum < majority) {
      warnings.push({
        path: `${base}.quorum`,
        value: quorum,
        message: `is below a majority of the ${sentinelCount} sentinels: a minority can declare ${name} down (ODOWN), although electing a failover leader still needs a majority`,
        fix: `use ${majority} unless you mean to`,
      });
    }
    if (replicas === 0) {
      warnings.push({
        path: `${base}.replicas`,
        value: 0,
        message: `${name} has no replicas: the sentinels can watch it but can never fail it over`,
        fix: 'set replicas to 1 or more',
      });
    } else if (replicaPriorities.every((p) => p === 0)) {
      warnings.push({
        path: priorityPath,
        value: priority,
        message: `every replica of ${name} has priority 0 (never promote): no failover can succeed`,
        fix: 'give at least one replica a priority above 0',
      });
    }
    if (minToWrite > replicas) {
      errors.push({
        path: `${base}.min-replicas-to-write`,
        value: minToWrite,
        message: `is more than the ${replicas} replica${replicas === 1 ? '' : 's'} of ${name}: the master would refuse every write`,
        fix: `set it from 0 to ${replicas}`,
      });
    } else if (minToWrite > 0 && minToWrite === replicas) {
      warnings.push({
        path: `${base}.min-replicas-to-write`,
        value: minToWrite,
        message: `equals the number of replicas of ${name}: losing any one replica stops all writes`,
        fix: `use ${Math.max(1, replicas - 1)} to tolerate one replica down`,
      });
    }
    if (ms.persistence === 'none' && replicas > 0) {
      warnings.push({
        path: 'persistence' in o ? `${base}.persistence` : 'redis.persistence',
        value: 'none',
        message: `if the master of ${name} restarts (restart policy) faster than the sentinels notice, it comes back empty and its replicas copy the empty dataset`,
        fix: 'use rdb or aof for groups whose data matters',
      });
    }
    if (downAfterMs < LOW_DOWN_AFTER_MS && 'down-after-milliseconds' in o) {
      warnings.push(lowDownAfter(`${base}.down-after-milliseconds`, downAfterMs));
    }
    return ms;
  });

  if (sDownAfter < LOW_DOWN_AFTER_MS) warnings.push(lowDownAfter('sentinels.down-after-milliseconds', sDownAfter));
  if (sentinelCount % 2 === 0) {
    warnings.push({
      path: 'sentinels.count',
      value: sentinelCount,
      message: `an even number of sentinels tolerates no more failures than ${sentinelCount - 1} (a leader needs ${majority} votes)`,
      fix: `use ${sentinelCount - 1} or ${sentinelCount + 1}`,
    });
  }

  // Names: unique, and the service names they produce must not collide.
  const seen = new Map<string, number>();
  masters.forEach((m, i) => {
    const prev = seen.get(m.name);
    if (prev !== undefined && !bad.has(`masters[${i}].name`)) {
      errors.push({ path: `masters[${i}].name`, value: m.name, message: `repeats masters[${prev}].name`, fix: 'give every master its own name' });
    } else seen.set(m.name, i);
  });
  const single = masters.length === 1;
  const services = new Map<string, string>();
  const clashes = new Set<string>();
  const claim = (svc: string, owner: string) => {
    const other = services.get(svc);
    if (other && other !== owner) {
      // One problem per pair of names: a clash of "x-master" comes with "x-replica-1", ...
      if (!clashes.has(`${owner} ${other}`)) errors.push({ path: owner, value: svc, message: `produces service name "${svc}", which ${other} also produces`, fix: 'rename one of the masters' });
      clashes.add(`${owner} ${other}`);
    } else services.set(svc, owner);
  };
  masters.forEach((m, i) => {
    // A repeated name is reported above; its service names clash as a matter of course.
    if (seen.get(m.name) !== i) return;
    claim(masterService(m.name, single), `masters[${i}].name`);
    for (let r = 1; r <= m.replicas; r++) claim(replicaService(m.name, single, r), `masters[${i}].name`);
  });
  for (let s = 1; s <= sentinelCount; s++) claim(sentinelService(s), 'sentinels.count');

  // Port ranges (host mode: listening ports; bridge mode: published ports).
  const dataCount = masters.reduce((n, m) => n + 1 + m.replicas, 0);
  const redisBase = get<number>(ports, 'redis', 'ports.redis', 'number') ?? DEFAULTS.ports.redis;
  const sentinelBase = get<number>(ports, 'sentinel', 'ports.sentinel', 'number') ?? DEFAULTS.ports.sentinel;
  const redisLast = redisBase + dataCount - 1;
  const sentinelLast = sentinelBase + sentinelCount - 1;
  if (redisLast > 65535) {
    errors.push({
      path: 'ports.redis',
      value: redisBase,
      message: `the ${dataCount} data nodes would need ports ${redisBase}-${redisLast}, past 65535`,
      fix: `set ports.redis to ${65535 - dataCount + 1} or lower`,
    });
  }
  if (sentinelLast > 65535) {
    errors.push({
      path: 'ports.sentinel',
      value: sentinelBase,
      message: `the ${sentinelCount} sentinels would need ports ${sentinelBase}-${sentinelLast}, past 65535`,
      fix: `set ports.sentinel to ${65535 - sentinelCount + 1} or lower`,
    });
  }
  if (redisBase <= sentinelLast && sentinelBase <= redisLast) {
    errors.push({
      path: 'ports',
      value: { redis: `${redisBase}-${redisLast}`, sentinel: `${sentinelBase}-${sentinelLast}` },
      message: 'the data-node and sentinel port ranges overlap',
      fix: `move one range, for example ports.sentinel: ${Math.max(redisLast + 1, 26379)}`,
    });
  }

  // Addresses.
  const bindRaw = get<string>(root, 'bind', 'bind', 'string');
  const announceRaw = get<string>(root, 'announce', 'announce', 'string');
  const bind = bindRaw ?? (network === 'host' ? DEFAULTS.hostBind : DEFAULTS.bridgeBind);
  if (bindRaw !== undefined && net.isIP(bindRaw) === 0) {
    errors.push({ path: 'bind', value: bindRaw, message: 'is not an IP address', fix: 'use an address such as 127.0.0.1, or 0.0.0.0 for every interface' });
  }
  const bindsAll = bind === '0.0.0.0' || bind === '::';
  let announce: string;
  if (network === 'host') {
    announce = announceRaw ?? (bindsAll ? '127.0.0.1' : bind);
    if (announceRaw !== undefined && net.isIP(announceRaw) !== 0 && !bindsAll && announceRaw !== bind && net.isIP(bind) !== 0) {
      errors.push({
        path: 'announce',
        value: announceRaw,
        message: `nodes listen only on ${bind} (bind), so nothing answers at the announced address`,
        fix: `set bind to ${announceRaw} or 0.0.0.0, or drop announce`,
      });
    }
    if (announceRaw === 'localhost' && !bindsAll && bind !== '127.0.0.1') {
      errors.push({
        path: 'announce',
        value: announceRaw,
        message: `localhost is 127.0.0.1 (and ::1), but nodes listen only on ${bind} (bind), so nothing answers at the announced address`,
        fix: 'set bind to 127.0.0.1 or 0.0.0.0, or announce an address the nodes listen on',
      });
    }
    if (bindsAll && !get<string>(auth, 'password', 'auth.password', 'string')) {
      const loopbackAnnounce = /^(127\.|::1$|localhost$)/.test(announce);
      warnings.push(
        loopbackAnnounce
          ? {
              path: 'bind',
              value: bind,
              message: 'every node listens on all interfaces without a password: protected mode refuses clients from other machines, so only this machine can use them',
              fix: 'to serve other machines, set auth.password and announce this machine\'s address; otherwise bind to 127.0.0.1',
            }
          : {
              path: 'bind',
              value: bind,
              message: 'every node listens on all interfaces without a password, and the nodes reach each other at a non-loopback address, so protected mode is off: anyone on your network can read and write',
              fix: 'set auth.password, or bind to 127.0.0.1',
            },
      );
    }
  } else {
    // Ports published on one address are reachable (from the host and through the gateway)
    // only at that address, so that is what to announce.
    announce = announceRaw ?? (bindsAll ? DEFAULTS.bridgeAnnounce : bind);
    if (bindsAll && !get<string>(auth, 'password', 'auth.password', 'string')) {
      warnings.push({
        path: 'bind',
        value: bind,
        message: 'ports are published on every interface without a password: anyone on your network can read and write',
        fix: 'set auth.password (containers reach the published ports through the gateway, so they cannot be published on loopback)',
      });
    }
    if (/^(localhost|127\.\d+\.\d+\.\d+|::1)$/.test(announce)) {
      errors.push({
        path: 'announce',
        value: announce,
        message: 'in bridge mode each container has its own loopback, so a loopback address announced by the sentinels reaches the wrong place from every container',
        fix: `use the host's address as both the host and the containers see it: ${DEFAULTS.bridgeAnnounce} (Docker Desktop, or Linux with an /etc/hosts entry) or your machine's LAN IP`,
      });
    }
    if (/^(127\.|::1$)/.test(bind)) {
      errors.push({
        path: 'bind',
        value: bind,
        message: 'ports published on a loopback address cannot be reached by containers through the host gateway, so the nodes could not reach each other at their announced addresses',
        fix: 'use 0.0.0.0 (the default) or the LAN address you announce',
      });
    }
  }

  // ACL users: a name and a password each, never the default user, and only on top of a
  // password for the default user (otherwise anyone is the default user, with every permission).
  const password = get<string>(auth, 'password', 'auth.password', 'string');
  const sentinelPassword = get<string>(auth, 'sentinel-password', 'auth.sentinel-password', 'string');
  const aclUser = (key: 'user' | 'sentinel-user', needs: string | undefined, needsKey: string, what: string) => {
    const o = get<Obj>(auth, key, `auth.${key}`, 'object');
    if (!o) return undefined;
    const name = get<string>(o, 'name', `auth.${key}.name`, 'string');
    const pw = get<string>(o, 'password', `auth.${key}.password`, 'string');
    if (name === 'default') {
      errors.push({ path: `auth.${key}.name`, value: name, message: 'is the user everyone gets without logging in', fix: `choose another name, e.g. "${key === 'user' ? 'sentinel' : 'sentinel-peer'}"` });
    }
    if (needs === undefined && !bad.has(needsKey)) {
      errors.push({
        path: `auth.${key}`,
        message: `needs ${needsKey}: without it every connection to ${what} is the default user, with every permission, and the restricted user protects nothing`,
        fix: `set ${needsKey} as well (as \${VAR})`,
      });
    }
    return name !== undefined && pw !== undefined ? { name, password: pw } : undefined;
  };
  const user = aclUser('user', password, 'auth.password', 'the data nodes');
  const sentinelUser = aclUser('sentinel-user', sentinelPassword, 'auth.sentinel-password', 'the sentinels');
  if (user && sentinelUser && user.password === sentinelUser.password) {
    warnings.push({
      path: 'auth.sentinel-user.password',
      message: 'is the same as auth.user.password: one leaked secret opens both',
      fix: 'give each user its own password',
    });
  }

  const secretFields: Array<[string, string | undefined, string]> = [
    ['auth.password', password, DEFAULTS.redisPasswordVar],
    ['auth.sentinel-password', sentinelPassword, DEFAULTS.sentinelPasswordVar],
    ['auth.user.password', user?.password, DEFAULTS.dataUserPasswordVar],
    ['auth.sentinel-user.password', sentinelUser?.password, DEFAULTS.sentinelUserPasswordVar],
  ];

  // The schema lets `$` through so that editors accept `${VAR}`; after interpolation a `$` is
  // literal, and compose (v2) would expand it again when reading .env.
  for (const [key, v] of secretFields) {
    if (v?.includes('$')) {
      errors.push({
        path: key,
        message: 'contains "$", which Docker Compose would read as a variable reference in .env',
        fix: 'choose a password without "$"; to take it from a variable, write ${NAME}',
      });
    }
  }

  // Secrets: fine from ${VAR}; written literally they end up in version control.
  for (const [key, val, varName] of secretFields) {
    if (val !== undefined && !fromVariables.has(key)) {
      warnings.push({
        path: key,
        message: 'is written in the spec itself, so it ends up wherever the spec is committed',
        fix: `write \${${varName}} and put ${varName}=... in the .env beside the spec (or the environment)`,
      });
    }
  }

  const spec: Spec = {
    project: get<string>(root, 'project', 'project', 'string') ?? DEFAULTS.project,
    network,
    timezone: get<string>(root, 'timezone', 'timezone', 'string') ?? DEFAULTS.timezone,
    images: {
      redis: get<string>(images, 'redis', 'images.redis', 'string') ?? DEFAULTS.images.redis,
      node: get<string>(images, 'node', 'images.node', 'string') ?? DEFAULTS.images.node,
      sentinel: get<string>(images, 'sentinel', 'images.sentinel', 'string') ?? DEFAULTS.images.sentinel,
    },
    ports: { redis: redisBase, sentinel: sentinelBase },
    bind,
    announce,
    auth: {
      ...(password !== undefined ? { password } : {}),
      ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
      ...(user ? { user } : {}),
      ...(sentinelUser ? { sentinelUser } : {}),
    },
    masters,
    sentinels: {
      count: sentinelCount,
      implementation: (get<string>(sentinels, 'implementation', 'sentinels.implementation', 'string') ?? DEFAULTS.sentinels.implementation) as SentinelImplementation,
      downAfterMs: sDownAfter,
      failoverTimeoutMs: sFailover,
      parallelSyncs: sParallel,
    },
  };
  return { spec, errors, warnings };
}

function lowDownAfter(path: string, ms: number): Problem {
  return {
    path,
    value: ms,
    message: `${ms} ms is very low: a busy machine or a GC pause can look like a failure and trigger a needless failover`,
    fix: `use ${LOW_DOWN_AFTER_MS} or more`,
  };
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

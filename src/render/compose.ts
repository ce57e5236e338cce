/**
 * compose.yaml: one service per node. Values that come from .env are `${VAR:?...}` references so
 * that compose stops with a clear message if .env lost them; nothing secret is written here.
 */
import { DEFAULTS } from '../topology/defaults.js';
import type { RedisNode, SentinelNode, Topology } from '../topology/types.js';
import { renderTemplate } from './templates.js';

export const CONFIG_MOUNT = '/etc/sentinel-compose';
export const SENTINEL_IMAGE_DIR = 'sentinel-image';
/** Folder of start.sh in the output, and where services mount it. */
export const SCRIPTS_DIR = 'bin';
export const SCRIPTS_MOUNT = '/opt/sentinel-compose';

interface ServiceView {
  name: string;
  build: string | null;
  image: string;
  hostNetwork: boolean;
  command: string[];
  environment: { key: string; value: string }[];
  scriptsVolume: string;
  configVolume: string;
  dataVolume: string;
  ports: string[];
  extraHosts: string[];
  healthcheck: string[];
  dependsOn: string[];
}

const required = (name: string) => `\${${name}:?${name} is not set: it belongs in the .env beside compose.yaml (re-render to restore it)}`;

export function summarise(t: Topology): string {
  const groups = t.masters;
  const reps = [...new Set(groups.map((g) => g.nodes.length - 1))];
  const repText =
    reps.length === 1
      ? `${reps[0]} replica${reps[0] === 1 ? '' : 's'}${groups.length > 1 ? ' each' : ''}`
      : `${Math.min(...reps)} to ${Math.max(...reps)} replicas`;
  const names = groups.map((g) => g.name);
  const shown = names.length > 4 ? `${names.slice(0, 3).join(', ')}, ... ${names[names.length - 1]}` : names.join(', ');
  const masters = groups.length === 1 ? `1 master (${shown})` : `${groups.length} masters (${shown})`;
  return `${masters} with ${repText}, ${t.sentinels.length} sentinel${t.sentinels.length === 1 ? '' : 's'}`;
}

function healthHost(t: Topology, node: RedisNode | SentinelNode): string {
  if (t.network === 'bridge') return '127.0.0.1';
  const b = node.bind[0] ?? '127.0.0.1';
  return b === '0.0.0.0' || b === '::' ? '127.0.0.1' : b;
}

function publish(t: Topology, bind: string, node: RedisNode | SentinelNode): string[] {
  if (t.network !== 'bridge') return [];
  const prefix = bind === '0.0.0.0' ? '' : bind.includes(':') ? `[${bind}]:` : `${bind}:`;
  return [`${prefix}${node.hostPort}:${node.port}`];
}

export function renderCompose(t: Topology, opts: { specName: string }): string {
  const bridge = t.network === 'bridge';
  // Bridge mode publishes on every interface unless the spec named one address (validation
  // rejects loopback there: containers could not reach it through the gateway).
  const publishBind = t.clientHost === '127.0.0.1' ? '0.0.0.0' : t.clientHost;
  const baseEnv = (): { key: string; value: string }[] => {
    const env: { key: string; value: string }[] = [];
    if (t.timezone) env.push({ key: 'TZ', value: t.timezone });
    if (bridge) env.push({ key: DEFAULTS.announceVar, value: required(DEFAULTS.announceVar) });
    return env;
  };
  const common = (service: string) => ({
    name: service,
    hostNetwork: !bridge,
    scriptsVolume: `./${SCRIPTS_DIR}:${SCRIPTS_MOUNT}:ro`,
    configVolume: `./config/${service}:${CONFIG_MOUNT}:ro`,
    dataVolume: `./data/${service}:/data`,
    extraHosts: bridge ? ['host.docker.internal:host-gateway'] : [],
  });

  const services: ServiceView[] = [];
  const dataServices: string[] = [];
  for (const group of t.masters) {
    const master = group.nodes[0]!;
    for (const node of group.nodes) {
      dataServices.push(node.service);
      const env = baseEnv();
      if (t.auth.redisPassword) {
        env.push({ key: t.auth.redisPasswordVar, value: required(t.auth.redisPasswordVar) });
        // redis-cli in the healthcheck reads REDISCLI_AUTH.
        env.push({ key: 'REDISCLI_AUTH', value: required(t.auth.redisPasswordVar) });
      }
      // The sentinels' ACL user is declared in redis.conf with its password from the environment.
      if (t.auth.dataUser) env.push({ key: t.auth.dataUser.passwordVar, value: required(t.auth.dataUser.passwordVar) });
      services.push({
        ...common(node.service),
        build: null,
        image: t.images.redis,
        command: ['redis.conf', 'redis-server'],
        environment: env,
        ports: publish(t, publishBind, node),
        healthcheck: ['CMD-SHELL', `redis-cli -h ${healthHost(t, node)} -p ${node.port} ping | grep -q PONG`],
        dependsOn: node === master ? [] : [master.service],
      });
    }
  }
  const bundled = t.sentinel.implementation === 'bundled';
  for (const s of t.sentinels) {
    const env = baseEnv();
    // With an ACL user the sentinels never need the data nodes' default password.
    if (t.auth.dataUser) env.push({ key: t.auth.dataUser.passwordVar, value: required(t.auth.dataUser.passwordVar) });
    else if (t.auth.redisPassword) env.push({ key: t.auth.redisPasswordVar, value: required(t.auth.redisPasswordVar) });
    if (t.auth.sentinelUser) env.push({ key: t.auth.sentinelUser.passwordVar, value: required(t.auth.sentinelUser.passwordVar) });
    if (t.auth.sentinelPassword) {
      env.push({ key: t.auth.sentinelPasswordVar, value: required(t.auth.sentinelPasswordVar) });
      if (!bundled) env.push({ key: 'REDISCLI_AUTH', value: required(t.auth.sentinelPasswordVar) });
    }
    services.push({
      ...common(s.service),
      // Every sentinel service carries the build: compose 1.x would otherwise try to pull the
      // image for the ones without it. The layer cache makes the repeats free.
      build: bundled ? `./${SENTINEL_IMAGE_DIR}` : null,
      image: bundled ? t.images.sentinel : t.images.redis,
      command: bundled ? ['sentinel.conf', 'node', '/app/sentinel.mjs'] : ['sentinel.conf', 'redis-sentinel'],
      environment: env,
      ports: publish(t, publishBind, s),
      healthcheck: bundled
        ? ['CMD', 'sh', '/app/healthcheck.sh', healthHost(t, s), String(s.port)]
        : ['CMD-SHELL', `redis-cli -h ${healthHost(t, s)} -p ${s.port} ping | grep -q PONG`],
      dependsOn: dataServices.slice(),
    });
  }
  return renderTemplate('compose.yaml.hbs', {
    project: t.project,
    summary: summarise(t),
    specName: opts.specName,
    services,
    entrypoint: `${SCRIPTS_MOUNT}/start.sh`,
  });
}

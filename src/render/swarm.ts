/**
 * stack.yaml for `docker stack deploy`, and what it refers to under swarm/: one service per node,
 * each pinned to its swarm node (topology.swarm.placement), on one overlay network with
 * `endpoint_mode: dnsrr` (Sentinel needs each instance's own address, never a virtual IP), its
 * port published in `mode: host` on that node (no routing mesh), its config a Docker config,
 * passwords Docker secrets, data a named volume.
 *
 * Docker configs and secrets cannot change while a service uses them, so their names carry a hash
 * of their content: a re-render that changes one makes a new one, which `docker stack deploy`
 * swaps in by updating the service. No health check: Swarm replaces a task whose health check
 * fails, and a drill's paused master must stay paused, not be replaced; readiness is judged by
 * the same probes as the other runtimes (runtime/observe).
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { RedisNode, SentinelNode, Topology } from '../topology/types.js';
import { CONFIG_MOUNT, SCRIPTS_DIR, SCRIPTS_MOUNT, summarise } from './compose.js';
import { renderNodeConfig, type NodeSecrets } from './node-config.js';
import { readTemplate } from './templates.js';

export const STACK_FILE = 'stack.yaml';
export const SWARM_DIR = 'swarm';
/** Label on every service, with the service's own name: how the runtime finds its tasks' containers. */
export const SWARM_SERVICE_LABEL = 'sentinel-compose.service';

interface SwarmFile {
  path: string;
  content: string;
  mode: number;
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 10);

/** The secrets (variable names, as in .env) a service's config refers to. */
function secretsOf(t: Topology, node: RedisNode | SentinelNode): string[] {
  const vars: string[] = [];
  if (node.kind === 'redis') {
    if (t.auth.redisPassword) vars.push(t.auth.redisPasswordVar);
    if (t.auth.dataUser) vars.push(t.auth.dataUser.passwordVar);
  } else {
    if (t.auth.dataUser) vars.push(t.auth.dataUser.passwordVar);
    else if (t.auth.redisPassword) vars.push(t.auth.redisPasswordVar);
    if (t.auth.sentinelUser) vars.push(t.auth.sentinelUser.passwordVar);
    if (t.auth.sentinelPassword) vars.push(t.auth.sentinelPasswordVar);
  }
  return vars;
}

function secretValues(t: Topology, s: NodeSecrets): Map<string, string | undefined> {
  return new Map<string, string | undefined>([
    [t.auth.redisPasswordVar, s.redisPassword],
    [t.auth.sentinelPasswordVar, s.sentinelPassword],
    [t.auth.dataUser?.passwordVar ?? '', s.dataUserPassword],
    [t.auth.sentinelUser?.passwordVar ?? '', s.sentinelUserPassword],
  ]);
}

export function renderSwarmFiles(t: Topology, secrets: NodeSecrets, opts: { specName: string }): SwarmFile[] {
  const sw = t.swarm;
  if (!sw) return [];
  const files: SwarmFile[] = [];
  const project = t.project;
  const values = secretValues(t, secrets);
  const bundled = t.sentinel.implementation === 'bundled';

  const startSh = readTemplate('start.sh');
  const swarmStart = readTemplate('swarm-start.sh');
  files.push({ path: `${SWARM_DIR}/${SCRIPTS_DIR}/start.sh`, content: startSh, mode: 0o755 });
  files.push({ path: `${SWARM_DIR}/${SCRIPTS_DIR}/swarm-start.sh`, content: swarmStart, mode: 0o755 });
  const configs: Record<string, { name: string; file: string }> = {
    'start-sh': { name: `${project}-start-sh-${hash(startSh)}`, file: `./${SWARM_DIR}/${SCRIPTS_DIR}/start.sh` },
    'swarm-start-sh': { name: `${project}-swarm-start-sh-${hash(swarmStart)}`, file: `./${SWARM_DIR}/${SCRIPTS_DIR}/swarm-start.sh` },
  };
  const secretDefs: Record<string, { name: string; file: string }> = {};
  const volumes: Record<string, Record<string, never>> = {};
  const services: Record<string, unknown> = {};

  const nodes: (RedisNode | SentinelNode)[] = [...t.masters.flatMap((m) => m.nodes), ...t.sentinels];
  for (const node of nodes) {
    const conf = renderNodeConfig(t, node.service, 'swarm', {});
    const confPath = `${SWARM_DIR}/config/${node.service}/${conf.fileName}`;
    files.push({ path: confPath, content: conf.content, mode: 0o644 });
    const confKey = `${node.service}-conf`;
    configs[confKey] = { name: `${project}-${node.service}-conf-${hash(conf.content)}`, file: `./${confPath}` };

    const serviceSecrets = secretsOf(t, node);
    for (const v of serviceSecrets) {
      if (secretDefs[v]) continue;
      const value = values.get(v);
      if (value === undefined) throw new Error(`render: the topology uses ${v} but no value was given`);
      files.push({ path: `${SWARM_DIR}/secrets/${v}`, content: value, mode: 0o600 });
      // The name changes with the value (a secret cannot be updated in place); the hash is of
      // project, name and value, so it says nothing usable about the password.
      secretDefs[v] = { name: `${project}-${v.toLowerCase().replace(/_/g, '-')}-${hash(project, v, value)}`, file: `./${SWARM_DIR}/secrets/${v}` };
    }
    const volume = `${node.service}-data`;
    volumes[volume] = {};

    const sentinel = node.kind === 'sentinel';
    const image = sentinel && bundled ? t.images.sentinel : t.images.redis;
    const command = !sentinel ? ['redis.conf', 'redis-server'] : bundled ? ['sentinel.conf', 'node', '/app/sentinel.mjs'] : ['sentinel.conf', 'redis-sentinel'];
    const swarmNode = sw.placement[node.service]!;
    services[node.service] = {
      image,
      entrypoint: ['sh', `${SCRIPTS_MOUNT}/swarm-start.sh`],
      command,
      ...(t.timezone ? { environment: { TZ: t.timezone } } : {}),
      hostname: node.service,
      networks: [sw.network],
      ports: [{ target: node.hostPort, published: node.hostPort, protocol: 'tcp', mode: 'host' }],
      configs: [
        { source: 'start-sh', target: `${SCRIPTS_MOUNT}/start.sh`, mode: 0o555 },
        { source: 'swarm-start-sh', target: `${SCRIPTS_MOUNT}/swarm-start.sh`, mode: 0o555 },
        { source: confKey, target: `${CONFIG_MOUNT}/${conf.fileName}`, mode: 0o444 },
      ],
      ...(serviceSecrets.length ? { secrets: serviceSecrets.map((v) => ({ source: v, target: v, mode: 0o400 })) } : {}),
      volumes: [{ type: 'volume', source: volume, target: '/data' }],
      stop_grace_period: '10s',
      labels: { [SWARM_SERVICE_LABEL]: node.service },
      deploy: {
        mode: 'replicated',
        replicas: 1,
        endpoint_mode: 'dnsrr',
        placement: { constraints: [`node.hostname == ${swarmNode}`] },
        // A crash is restarted on the same node (the placement pins it); a stopped or killed-by-drill task is not replaced
        // while the drill holds it down (the runtime scales it to 0).
        restart_policy: { condition: 'on-failure', delay: '5s' },
        update_config: { parallelism: 1, order: 'stop-first' },
        labels: { [SWARM_SERVICE_LABEL]: node.service },
      },
    };
  }

  const stack = {
    version: '3.8',
    services,
    networks: { [sw.network]: { driver: 'overlay', attachable: true } },
    volumes,
    configs,
    ...(Object.keys(secretDefs).length ? { secrets: secretDefs } : {}),
  };
  const placement = nodes.map(
    (n) => `#   ${n.service} -> ${sw.placement[n.service]} (${sw.nodes.find((x) => x.name === sw.placement[n.service])!.address}:${n.hostPort})`,
  );
  const header = [
    `# ${project}: ${summarise(t)}, as a Docker Swarm stack.`,
    `# Rendered by sentinel-compose from ${opts.specName}; edit the spec and re-render instead of this file.`,
    `# Deploy: docker stack deploy -c ${STACK_FILE} ${project}   (from this folder, on a manager; or: sentinel-compose up --runtime swarm)`,
    '# Where each service runs, and the address it announces (the one the sentinels hand out):',
    ...placement,
    '',
  ].join('\n');
  files.push({ path: STACK_FILE, content: header + stringify(stack, { lineWidth: 0 }), mode: 0o644 });
  return files;
}

/**
 * Whether the Docker end-to-end tests can run here: an engine answers, docker-compose runs, and
 * this process shares the engine's network namespace (a dockerd started with
 * `offline-docker up --netns` publishes ports only inside that namespace: run the tests through
 * `offline-docker exec`). Otherwise they skip, saying why; with SC_E2E_REQUIRED=1 (what .ci/run
 * sets once it has started an engine) they fail instead, so that CI cannot pass by skipping them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { engineNetns, type EngineNetns } from '../../src/runtime/compose/netns.js';
import { freeServicePortBlock } from './ports.js';

// Generous: docker-compose v1 (Python) has taken over 15 s just to print its version on a busy
// 2-core machine, and with SC_E2E_REQUIRED=1 a slow answer fails the whole file.
function works(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

function probe(): { engine: boolean; netns: EngineNetns | null; ok: boolean; reason: string } {
  if (!works('docker', ['info'])) return { engine: false, netns: null, ok: false, reason: 'no Docker engine answers' };
  const netns = engineNetns();
  if (!works('docker-compose', ['version'])) return { engine: true, netns, ok: false, reason: 'docker-compose does not run' };
  if (netns && !netns.same) {
    const name = netns.name ?? `the one of pid ${netns.pid}`;
    return {
      engine: true,
      netns,
      ok: false,
      reason: `dockerd runs in another network namespace (${name}); run the tests inside it (offline-docker exec npx vitest run test/e2e)`,
    };
  }
  return { engine: true, netns, ok: true, reason: '' };
}

export const docker = probe();

/** For files that run containers and connect to them: false means skip (the name says why). */
export function dockerUsable(): boolean {
  if (!docker.ok && process.env.SC_E2E_REQUIRED === '1') {
    throw new Error(`SC_E2E_REQUIRED=1 but the Docker end-to-end tests cannot run here: ${docker.reason}`);
  }
  return docker.ok;
}

/** Appended to a suite's name when it is skipped, so that the run says why. */
export const skipNote = docker.ok ? '' : ` [skipped: ${docker.reason}]`;

const byProject = (what: 'ps' | 'network', project: string): string[] =>
  execFileSync('docker', [...(what === 'ps' ? ['ps', '-aq'] : ['network', 'ls', '-q']), '--filter', `label=com.docker.compose.project=${project}`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);

/** Containers (any state) of a compose project. */
export const containersOf = (project: string): string[] => byProject('ps', project);

/** Networks of a compose project. */
export const networksOf = (project: string): string[] => byProject('network', project);

function servicesWhere(project: string, field: string, value: string): string[] {
  const ids = containersOf(project);
  if (!ids.length) return [];
  return execFileSync('docker', ['inspect', '--format', `{{index .Config.Labels "com.docker.compose.service"}} ${field}`, ...ids], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.endsWith(` ${value}`))
    .map((line) => line.split(' ')[0]!);
}

/** Services of a compose project whose container is frozen (`docker pause`: State.Paused). */
export const pausedServices = (project: string): string[] => servicesWhere(project, '{{.State.Paused}}', 'true');

/** Services of a compose project whose container runs (and is not frozen). */
export const runningServices = (project: string): string[] => servicesWhere(project, '{{.State.Status}}', 'running');

/** A compose service's container, by label (for `docker pause` by hand). */
export function containerOf(project: string, service: string): string {
  const id = execFileSync(
    'docker',
    ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`],
    { encoding: 'utf8' },
  ).trim();
  if (!id) throw new Error(`no container of ${service} in ${project}`);
  return id;
}

/**
 * The "LAN" address that `offline-docker up --netns` gives its namespace (lan0), when this
 * process is in that namespace: what a Linux user would announce in bridge mode. Nothing else is
 * ever used: tests send traffic only to loopback or into a namespace made for them.
 */
export const LAN_ADDRESS = '10.254.254.1';
export const lanAddressHere = Object.values(os.networkInterfaces()).some((list) => list?.some((a) => a.address === LAN_ADDRESS));

export interface BridgeSpecOptions {
  project: string;
  implementation: 'redis' | 'bundled';
  /** Default: none, so host.docker.internal. */
  announce?: string;
  /** auth.password / auth.sentinel-password from REDIS_PASSWORD / SENTINEL_PASSWORD in .env. */
  password?: boolean;
  sentinelPassword?: boolean;
  /** Default 2. */
  replicas?: number;
  /** masters[0].quorum; default: the spec's (a majority). */
  quorum?: number;
  /** sentinels.down-after-milliseconds; default 1000 (drill-friendly). */
  downAfter?: number;
}

/** A bridge-mode spec on free published ports, with drill-friendly (short) sentinel timings. */
export async function bridgeSpecYaml(o: BridgeSpecOptions): Promise<string> {
  const replicas = o.replicas ?? 2;
  const redis = await freeServicePortBlock(replicas + 1);
  const sentinel = await freeServicePortBlock(3);
  const auth = [o.password ? 'password: "${REDIS_PASSWORD}"' : '', o.sentinelPassword ? 'sentinel-password: "${SENTINEL_PASSWORD}"' : ''].filter(Boolean);
  return (
    [
      `project: ${o.project}`,
      'network: bridge',
      ...(o.announce ? [`announce: ${o.announce}`] : []),
      `masters: [{name: mymaster, replicas: ${replicas}${o.quorum ? `, quorum: ${o.quorum}` : ''}}]`,
      `sentinels: {implementation: ${o.implementation}, down-after-milliseconds: ${o.downAfter ?? 1000}, failover-timeout: 20000}`,
      `ports: {redis: ${redis}, sentinel: ${sentinel}}`,
      ...(auth.length ? [`auth: {${auth.join(', ')}}`] : []),
    ].join('\n') + '\n'
  );
}

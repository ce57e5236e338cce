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

function works(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore', timeout: 15_000 }).status === 0;
}

function probe(): { engine: boolean; netns: EngineNetns | null; ok: boolean; reason: string } {
  if (!works('docker', ['info'])) return { engine: false, netns: null, ok: false, reason: 'no Docker engine answers' };
  const netns = engineNetns();
  if (!works('docker-compose', ['version'])) return { engine: true, netns, ok: false, reason: 'docker-compose does not run' };
  if (netns && !netns.same) {
    const name = netns.name ?? `the one of pid ${netns.pid}`;
    return { engine: true, netns, ok: false, reason: `dockerd runs in another network namespace (${name}); run the tests inside it (offline-docker exec npx vitest run test/e2e)` };
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
  execFileSync('docker', [...(what === 'ps' ? ['ps', '-aq'] : ['network', 'ls', '-q']), '--filter', `label=com.docker.compose.project=${project}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

/** Containers (any state) of a compose project. */
export const containersOf = (project: string): string[] => byProject('ps', project);

/** Networks of a compose project. */
export const networksOf = (project: string): string[] => byProject('network', project);

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
}

/** A bridge-mode spec on free published ports, with drill-friendly (short) sentinel timings. */
export async function bridgeSpecYaml(o: BridgeSpecOptions): Promise<string> {
  const redis = await freeServicePortBlock(3);
  const sentinel = await freeServicePortBlock(3);
  const auth = [o.password ? 'password: "${REDIS_PASSWORD}"' : '', o.sentinelPassword ? 'sentinel-password: "${SENTINEL_PASSWORD}"' : ''].filter(Boolean);
  return [
    `project: ${o.project}`,
    'network: bridge',
    ...(o.announce ? [`announce: ${o.announce}`] : []),
    'masters: [{name: mymaster, replicas: 2}]',
    `sentinels: {implementation: ${o.implementation}, down-after-milliseconds: 1000, failover-timeout: 20000}`,
    `ports: {redis: ${redis}, sentinel: ${sentinel}}`,
    ...(auth.length ? [`auth: {${auth.join(', ')}}`] : []),
  ].join('\n') + '\n';
}

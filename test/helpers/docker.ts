/**
 * Whether the Docker end-to-end tests can run here: an engine answers, docker-compose runs, and
 * this process shares the engine's network namespace (a dockerd started with
 * `offline-docker up --netns` publishes ports only inside that namespace: run the tests through
 * `offline-docker exec`). Otherwise they skip, saying why; with SC_E2E_REQUIRED=1 (what .ci/run
 * sets once it has started an engine) they fail instead, so that CI cannot pass by skipping them.
 */
import { spawnSync } from 'node:child_process';
import { engineNetns, type EngineNetns } from '../../src/runtime/compose/netns.js';

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

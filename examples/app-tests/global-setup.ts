/**
 * Starts one Redis Sentinel topology for the whole test run and stops it at the end. Test files
 * run in worker processes: they get what they need through vitest's provide/inject (plain data),
 * and open their own handle on the running topology with openTopology(dir).
 */
import { startTopology, type SpecObject } from 'sentinel-compose';
import type { TestProject } from 'vitest/node';
import type { SentinelConnection } from './src/ledger.js';

/** Sentinel timing of the topology: the tests' bounds are derived from it. */
export const timing = { downAfterMs: 1000, failoverTimeoutMs: 10_000 };

const spec: SpecObject = {
  // Free ports chosen at start: parallel runs and shared CI machines never collide.
  ports: 'auto',
  masters: [{ name: 'ledger', replicas: 2 }],
  sentinels: { count: 3, 'down-after-milliseconds': timing.downAfterMs, 'failover-timeout': timing.failoverTimeoutMs },
};

declare module 'vitest' {
  export interface ProvidedContext {
    topologyDir: string;
    redis: SentinelConnection;
    timing: typeof timing;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // local: redis-server processes on this machine; docker: Docker Compose; auto: Docker when an engine answers.
  const runtime = (process.env.SC_RUNTIME ?? 'local') as 'local' | 'docker' | 'auto';
  // Where the topology's files go: a temporary folder, removed at the end, unless you name one
  // (its compose.yaml, configs, topology.json and logs stay there to look at after the run).
  const dir = process.env.SC_TOPOLOGY_DIR || undefined;
  const topology = await startTopology({ spec, runtime, dir });
  try {
    project.provide('topologyDir', topology.dir);
    project.provide('redis', topology.clientOptions('ledger'));
    project.provide('timing', timing);
  } catch (err) {
    await topology.stop();
    throw err;
  }
  // A temporary folder is removed whole; a named one keeps its data and logs.
  return () => topology.stop();
}

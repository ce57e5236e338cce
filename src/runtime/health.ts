/**
 * Waiting for a topology to become healthy after `up`, and telling the user how to connect.
 */
import { systemClock, type Clock } from '../common/clock.js';
import { waitUntil } from '../common/retry.js';
import type { Topology } from '../topology/types.js';
import { missingForHealth, takeSnapshot, type ProbeTarget, type Secrets, type Snapshot } from './probe.js';

export interface WaitHealthyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  clock?: Clock;
  /** Called with what is still missing, at most once per `progressEveryMs`. */
  onProgress?: (missing: string[]) => void;
  progressEveryMs?: number;
  /** Stops waiting (InterruptedError) when aborted. */
  signal?: AbortSignal;
}

/** Resolves with the healthy snapshot; throws TimeoutError naming what is still missing. */
export async function waitHealthy(target: ProbeTarget, secrets: Secrets, opts: WaitHealthyOptions = {}): Promise<Snapshot> {
  const clock = opts.clock ?? systemClock;
  let last: Snapshot | undefined;
  let lastReport = -Infinity;
  await waitUntil(
    `${target.topology.project}: topology healthy`,
    async () => {
      last = await takeSnapshot(target, secrets);
      return missingForHealth(target.topology, last);
    },
    {
      timeoutMs: opts.timeoutMs ?? 60_000,
      intervalMs: opts.intervalMs ?? 500,
      clock,
      signal: opts.signal,
      onPending: (missing) => {
        const now = clock.monotonic();
        if (now - lastReport >= (opts.progressEveryMs ?? 2000)) {
          lastReport = now;
          opts.onProgress?.(missing);
        }
      },
    },
  );
  return last!;
}

/** Lines telling a user on this machine how to reach the topology; never prints a secret. */
export function connectionHelp(t: Topology, target: Pick<ProbeTarget, 'endpoint'>): string[] {
  const sentinels = t.sentinels.map((s) => target.endpoint(s.service));
  const first = sentinels[0];
  const lines: string[] = [];
  lines.push(`Sentinels: ${sentinels.map((e) => `${e.host}:${e.port}`).join(', ')}`);
  lines.push(`Masters:   ${t.masters.map((m) => m.name).join(', ')}`);
  if (!first) return lines;
  const name = t.masters[0]!.name;
  const secretNote = t.auth.redisPassword || t.auth.sentinelPassword ? ' (passwords are in .env of the output directory)' : '';
  const sentinelAuth = t.auth.sentinelPassword ? ` --pass "$${t.auth.sentinelPasswordVar}" --no-auth-warning` : '';
  lines.push('');
  lines.push(`Ask a sentinel for the master${secretNote}:`);
  lines.push(`  redis-cli -h ${first.host} -p ${first.port}${sentinelAuth} SENTINEL GET-MASTER-ADDR-BY-NAME ${name}`);
  const opts: string[] = [`sentinels: [${sentinels.map((e) => `{ host: '${e.host}', port: ${e.port} }`).join(', ')}]`, `name: '${name}'`];
  if (t.auth.redisPassword) opts.push(`password: process.env.${t.auth.redisPasswordVar}`);
  if (t.auth.sentinelPassword) opts.push(`sentinelPassword: process.env.${t.auth.sentinelPasswordVar}`);
  lines.push('ioredis:');
  lines.push(`  new Redis({ ${opts.join(', ')} })`);
  return lines;
}

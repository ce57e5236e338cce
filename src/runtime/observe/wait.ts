/**
 * Waiting for a topology to become healthy (health.ts), on one set of connections for the whole
 * wait: a node that does not answer keeps one question pending, not one per poll.
 */
import { systemClock, type Clock } from '../../common/clock.js';
import { waitUntil } from '../../common/retry.js';
import { missingForHealth } from './health.js';
import { lookAt, observerFor, type ProbeTarget, type Secrets, type Snapshot } from './observer.js';

export interface WaitHealthyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Deadline of each question to a node (ms). */
  probeTimeoutMs?: number;
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
  const observer = observerFor(target, secrets, opts.probeTimeoutMs);
  let last: Snapshot | undefined;
  let lastReport = -Infinity;
  try {
    await waitUntil(
      `${target.topology.project}: topology healthy`,
      async () => {
        last = await lookAt(target, observer);
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
  } finally {
    observer.close();
  }
  return last!;
}

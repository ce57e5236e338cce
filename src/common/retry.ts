import { systemClock, type Clock } from './clock.js';
import { TimeoutError } from './errors.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  clock?: Clock;
  /** Called after each failed attempt with what is still missing, for progress output. */
  onPending?: (missing: string[]) => void;
}

/**
 * Polls `probe` until it reports nothing missing. `probe` returns the list of things not yet
 * true; an empty list means done. On timeout the error names what was still missing.
 */
export async function waitUntil(what: string, probe: () => Promise<string[]>, opts: WaitOptions): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const interval = opts.intervalMs ?? 200;
  const deadline = clock.monotonic() + opts.timeoutMs;
  let missing: string[] = [];
  for (;;) {
    try {
      missing = await probe();
    } catch (err) {
      missing = [err instanceof Error ? err.message : String(err)];
    }
    if (missing.length === 0) return;
    opts.onPending?.(missing);
    if (clock.monotonic() >= deadline) {
      throw new TimeoutError(`${what}: not done after ${Math.round(opts.timeoutMs / 1000)} s; still missing:`, missing);
    }
    await clock.sleep(interval);
  }
}

/** Retries `fn` up to `attempts` times with a fixed delay; rethrows the last error. */
export async function retry<T>(fn: () => Promise<T>, attempts: number, delayMs: number, clock: Clock = systemClock): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      if (i < attempts - 1) await clock.sleep(delayMs);
    }
  }
  throw last;
}

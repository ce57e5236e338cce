import { systemClock, type Clock } from './clock.js';
import { InterruptedError, TimeoutError } from './errors.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  clock?: Clock;
  /** Called after each failed attempt with what is still missing, for progress output. */
  onPending?: (missing: string[]) => void;
  /** Stops waiting with an InterruptedError (reason: the signal's name). */
  signal?: AbortSignal;
  /**
   * Asked when the deadline has passed with something still missing: a later deadline (monotonic
   * ms) to keep waiting until, or anything not later to give up now. For waits that something
   * outside the caller's control is known to hold up (a sentinel in TILT mode).
   */
  extendTo?: (deadline: number) => number;
}

/**
 * Polls `probe` until it reports nothing missing. `probe` returns the list of things not yet
 * true; an empty list means done. On timeout the error names what was still missing.
 */
export async function waitUntil(what: string, probe: () => Promise<string[]>, opts: WaitOptions): Promise<void> {
  const clock = opts.clock ?? systemClock;
  const interval = opts.intervalMs ?? 200;
  const started = clock.monotonic();
  let deadline = started + opts.timeoutMs;
  let missing: string[] = [];
  const interrupted = () => new InterruptedError(String(opts.signal!.reason), `${what}: stopped waiting (interrupted by ${String(opts.signal!.reason)})`);
  for (;;) {
    if (opts.signal?.aborted) throw interrupted();
    try {
      missing = await probe();
    } catch (err) {
      missing = [err instanceof Error ? err.message : String(err)];
    }
    if (missing.length === 0) return;
    opts.onPending?.(missing);
    if (clock.monotonic() >= deadline) {
      const later = opts.extendTo?.(deadline) ?? deadline;
      if (later > deadline) deadline = later;
      else throw new TimeoutError(`${what}: not done after ${Math.round((deadline - started) / 1000)} s; still missing:`, missing);
    }
    if (opts.signal?.aborted) throw interrupted();
    await sleepOrAbort(clock, interval, opts.signal);
  }
}

/** `clock.sleep`, cut short when `signal` aborts (the caller checks which happened). */
export async function sleepOrAbort(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      clock.sleep(ms),
      new Promise<void>((resolve) => {
        onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
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

/**
 * What the client load saw, from its samples: latency, failures, and outage windows. An outage
 * starts when an operation issued after the fault fails, never settles, or takes longer than
 * `blockedAfterMs`; it ends when the first operation issued since it started is acknowledged.
 * Operations issued inside the window belong to it.
 */
import type { LoadStats, OpSample, Window } from './types.js';

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function latency(s: OpSample): number | null {
  return s.ok && s.settledAt !== null ? s.settledAt - s.issuedAt : null;
}

export function isDisrupted(s: OpSample, blockedAfterMs: number): boolean {
  if (!s.ok || s.settledAt === null) return true;
  return s.settledAt - s.issuedAt > blockedAfterMs;
}

/** Outage windows among operations issued at or after `from` (ms since the fault). */
export function outageWindows(samples: readonly OpSample[], blockedAfterMs: number, from = 0): Window[] {
  const ops = samples.filter((s) => s.issuedAt >= from).sort((a, b) => a.issuedAt - b.issuedAt || a.seq - b.seq);
  const windows: Window[] = [];
  let i = 0;
  while (i < ops.length) {
    const first = ops.findIndex((s, j) => j >= i && isDisrupted(s, blockedAfterMs));
    if (first < 0) break;
    const start = ops[first]!.issuedAt;
    let end: number | null = null;
    for (let j = first; j < ops.length; j++) {
      const s = ops[j]!;
      if (s.ok && s.settledAt !== null && (end === null || s.settledAt < end)) end = s.settledAt;
    }
    windows.push({ startMs: start, endMs: end, durationMs: (end ?? lastTime(ops)) - start });
    if (end === null) break;
    i = ops.findIndex((s) => s.issuedAt > end);
    if (i < 0) break;
  }
  return windows;
}

function lastTime(ops: readonly OpSample[]): number {
  let t = -Infinity;
  for (const s of ops) t = Math.max(t, s.settledAt ?? s.issuedAt);
  return t;
}

/** `faultFrom`: when the fault may first have taken effect (ms since t = 0, at most 0). */
export function loadStats(samples: readonly OpSample[], blockedAfterMs: number, faultFrom = 0): LoadStats {
  const acked = samples.filter((s) => s.ok && s.settledAt !== null);
  const pending = samples.filter((s) => s.settledAt === null);
  const failed = samples.filter((s) => !s.ok && s.settledAt !== null);
  const lat = acked.map((s) => latency(s)!).sort((a, b) => a - b);
  const baseline = acked
    .filter((s) => s.issuedAt < faultFrom)
    .map((s) => latency(s)!)
    .sort((a, b) => a - b);
  const windows = outageWindows(samples, blockedAfterMs, faultFrom);
  const outage = windows.reduce<Window | null>((best, w) => (best === null || w.durationMs > best.durationMs ? w : best), null);
  const errors = new Map<string, number>();
  for (const s of failed) {
    const m = s.error ?? 'error';
    errors.set(m, (errors.get(m) ?? 0) + 1);
  }
  return {
    issued: samples.length,
    acked: acked.length,
    failed: failed.length,
    pending: pending.length,
    latencyMs: {
      baselineP50: round(percentile(baseline, 50)),
      p50: round(percentile(lat, 50)),
      p99: round(percentile(lat, 99)),
      max: round(lat.length ? lat[lat.length - 1]! : null),
    },
    outage,
    windows,
    errors: [...errors.entries()].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count),
  };
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 100) / 100;
}

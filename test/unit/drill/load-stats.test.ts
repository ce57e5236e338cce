import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareWrites } from '../../../src/drill/load.js';
import { isDisrupted, loadStats, outageWindows, percentile } from '../../../src/drill/load-stats.js';
import type { OpSample } from '../../../src/drill/types.js';

const ok = (seq: number, issuedAt: number, latency = 1): OpSample => ({ seq, issuedAt, settledAt: issuedAt + latency, ok: true });
const fail = (seq: number, issuedAt: number, after = 1000, error = 'Command timed out'): OpSample => ({
  seq,
  issuedAt,
  settledAt: issuedAt + after,
  ok: false,
  error,
});
const pending = (seq: number, issuedAt: number): OpSample => ({ seq, issuedAt, settledAt: null, ok: false });

/** Writes every 20 ms from `from` to `to` with a fixed fate. */
function series(from: number, to: number, make: (seq: number, t: number) => OpSample, start = 0): OpSample[] {
  const out: OpSample[] = [];
  for (let t = from, i = start; t < to; t += 20, i++) out.push(make(i, t));
  return out;
}

describe('outageWindows', () => {
  it('is empty when every write is acknowledged promptly', () => {
    expect(
      outageWindows(
        series(-1000, 3000, (s, t) => ok(s, t)),
        250,
      ),
    ).toEqual([]);
  });

  it('spans from the first blocked write to the first acknowledgement (writes queued, then resent)', () => {
    // A paused master: writes issued 0..2000 are all acknowledged at 2300 when the client moves.
    const samples = [
      ...series(-500, 0, (s, t) => ok(s, t)),
      ...series(0, 2000, (s, t) => ({ seq: s, issuedAt: t, settledAt: 2300 + s * 0.01, ok: true }), 100),
      ...series(2300, 3000, (s, t) => ok(s, t), 500),
    ];
    const w = outageWindows(samples, 250);
    expect(w).toHaveLength(1);
    expect(w[0]!.startMs).toBe(0);
    expect(w[0]!.endMs).toBeCloseTo(2301, 0);
    expect(w[0]!.durationMs).toBeCloseTo(2301, 0);
  });

  it('ends at the first write that gets through after timeouts', () => {
    const samples = [...series(0, 3000, (s, t) => fail(s, t)), ok(999, 3000, 2)];
    const [w] = outageWindows(samples, 250);
    expect(w).toEqual({ startMs: 0, endMs: 3002, durationMs: 3002 });
  });

  it('reports a window that never ended with endMs null', () => {
    const samples = [ok(1, 0), fail(2, 20), pending(3, 40)];
    const w = outageWindows(samples, 250);
    expect(w).toEqual([{ startMs: 20, endMs: null, durationMs: 1000 }]);
  });

  it('finds separate windows and ignores writes before `from`', () => {
    const samples = [fail(0, -100), ok(1, 0), fail(2, 100, 50), ok(3, 200), ok(4, 300), fail(5, 400, 30), fail(6, 420, 30), ok(7, 500)];
    const w = outageWindows(samples, 250);
    expect(w.map((x) => [x.startMs, x.endMs])).toEqual([
      [100, 201],
      [400, 501],
    ]);
  });

  it('counts slow acknowledgements as blocked', () => {
    expect(isDisrupted(ok(1, 0, 300), 250)).toBe(true);
    expect(isDisrupted(ok(1, 0, 200), 250)).toBe(false);
    expect(outageWindows([ok(1, 0, 300), ok(2, 400)], 250)).toEqual([{ startMs: 0, endMs: 300, durationMs: 300 }]);
  });

  it('never overlaps, is ordered, and covers every disrupted write (property)', () => {
    const sample = fc.record({
      issuedAt: fc.integer({ min: 0, max: 10_000 }),
      latency: fc.integer({ min: 0, max: 3000 }),
      fate: fc.constantFrom('ok', 'fail', 'pending'),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 60 }), (raw) => {
        const samples: OpSample[] = raw.map((r, i) =>
          r.fate === 'ok' ? ok(i, r.issuedAt, r.latency) : r.fate === 'fail' ? fail(i, r.issuedAt, r.latency) : pending(i, r.issuedAt),
        );
        const w = outageWindows(samples, 250);
        for (let i = 1; i < w.length; i++) expect(w[i]!.startMs).toBeGreaterThan(w[i - 1]!.endMs!);
        for (const x of w) if (x.endMs !== null) expect(x.endMs).toBeGreaterThanOrEqual(x.startMs);
        for (const s of samples) {
          if (!isDisrupted(s, 250)) continue;
          expect(w.some((x) => s.issuedAt >= x.startMs && (x.endMs === null || s.issuedAt <= x.endMs))).toBe(true);
        }
      }),
    );
  });
});

describe('loadStats', () => {
  it('counts outcomes, baseline latency before the fault, and groups errors', () => {
    const samples = [ok(1, -40, 0.5), ok(2, -20, 0.7), fail(3, 0), fail(4, 20, 5, 'Connection is closed.'), fail(5, 40), pending(6, 60), ok(7, 1100, 2)];
    const s = loadStats(samples, 250);
    expect(s).toMatchObject({ issued: 7, acked: 3, failed: 3, pending: 1 });
    expect(s.latencyMs.baselineP50).toBe(0.5);
    expect(s.latencyMs.max).toBe(2);
    expect(s.errors).toEqual([
      { message: 'Command timed out', count: 2 },
      { message: 'Connection is closed.', count: 1 },
    ]);
    expect(s.outage).toEqual({ startMs: 0, endMs: 1102, durationMs: 1102 });
  });

  it('looks for the outage from when the fault step started (a slow runtime call)', () => {
    // docker-compose pause took 3 s: writes stalled at -2000, before the call returned at 0.
    const samples = [ok(1, -5000), ok(2, -2500), fail(3, -2000), fail(4, -1000), ok(5, 800, 2)];
    const s = loadStats(samples, 250, -3000);
    expect(s.outage).toEqual({ startMs: -2000, endMs: 802, durationMs: 2802 });
    expect(s.latencyMs.baselineP50).toBe(1);
    // Counted from t = 0 only, the stall would be missed.
    expect(loadStats(samples, 250).outage).toBeNull();
  });

  it('picks the longest window as the outage', () => {
    const s = loadStats([fail(1, 0, 10), ok(2, 50), fail(3, 100, 10), ok(4, 900)], 250);
    expect(s.windows).toHaveLength(2);
    expect(s.outage!.startMs).toBe(100);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
  });
});

describe('compareWrites', () => {
  const raw = (seq: number, good: boolean) => ({ seq, issuedAt: 0, settledAt: 1, ok: good });
  it('lists acknowledged writes missing, failed writes present, and duplicates', () => {
    const r = compareWrites([raw(1, true), raw(2, true), raw(3, false), raw(4, false), raw(5, true)], ['1', '3', '5', '5', 'junk']);
    expect(r).toEqual({ lost: [2], appliedDespiteError: [3], duplicates: [5] });
  });
});

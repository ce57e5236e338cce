import { describe, expect, it } from 'vitest';
import { judge, type GroupContext, type JudgeInput } from '../../../../src/drill/checks.js';
import type { RawSample } from '../../../../src/drill/load.js';
import { partitionBoundMs, partitionReport } from '../../../../src/drill/run/partition-report.js';
import type { OpSample } from '../../../../src/drill/types.js';

const ctx: GroupContext = {
  group: 'mymaster',
  nodes: ['redis-master', 'redis-replica-1', 'redis-replica-2'],
  sentinels: ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'],
  initialMaster: 'redis-master',
};

/** One write every 100 ms from t = -1000 to t = 20000 (monotonic = t + 5000), acknowledged while `ok(t)`. */
function samples(ok: (t: number) => boolean): RawSample[] {
  const out: RawSample[] = [];
  let seq = 0;
  for (let t = -1000; t < 20_000; t += 100)
    out.push({ seq: ++seq, issuedAt: t + 5000, settledAt: t + 5002, ok: ok(t), ...(ok(t) ? {} : { error: 'NOREPLICAS' }) });
  return out;
}
const toOps = (s: RawSample[]): OpSample[] => s.map((x) => ({ ...x, issuedAt: x.issuedAt - 5000, settledAt: x.settledAt! - 5000 }));

function report(side: RawSample[], stored: (s: RawSample) => boolean, minReplicasToWrite: number) {
  const record = {
    partition: { isolated: ['redis-master'], applying: 4900, at: 5000, healedAt: 5000 + 15_000 },
    masterSide: {
      service: 'redis-master',
      key: 'k',
      load: { samples: side, clientRestarts: 0 },
      stored: side.filter(stored).map((s) => String(s.seq)),
      checkedOn: 'redis-replica-1',
    },
  };
  return partitionReport(record, 5000, toOps(side), [], { minReplicasToWrite, minReplicasMaxLag: 2 })!;
}

function judgeLoss(p: ReturnType<typeof report>) {
  const input: JudgeInput = { ctx, final: null, events: [], faulted: ['redis-master'], writes: null, stepsEndedAt: 0, partition: p };
  return judge({ check: 'partition-loss' }, input);
}

describe('partition report', () => {
  it('bounds: max-lag + 2 s with min-replicas-to-write, none without', () => {
    expect(partitionBoundMs({ minReplicasToWrite: 1, minReplicasMaxLag: 10 })).toBe(12_000);
    expect(partitionBoundMs({ minReplicasToWrite: 0, minReplicasMaxLag: 10 })).toBeNull();
  });

  it('without min-replicas-to-write: the master acknowledges until the heal, every write after the cut is lost, shown as a warning naming the setting', () => {
    const side = samples(() => true);
    const p = report(side, (s) => s.issuedAt < 4900, 0);
    const m = p.masterSide!;
    expect(m.ackedAfterCut).toBe(m.issuedAfterCut);
    expect(m.ackWindow!.endMs).toBeGreaterThan(14_000);
    expect(m.lost).toEqual(side.filter((s) => s.issuedAt >= 4900).map((s) => s.seq));
    expect(m.lostPastBound).toEqual([]);
    expect(m.ackedPastBound).toEqual([]);
    const r = judgeLoss(p);
    expect(r).toMatchObject({ severity: 'warn', passed: false });
    expect(r.message).toContain('documented Redis behaviour');
    expect(r.message).toContain('min-replicas-to-write: 1');
  });

  it('with min-replicas-to-write: refused after max-lag, the loss within the bound passes', () => {
    const side = samples((t) => t < 3000);
    const p = report(side, (s) => s.issuedAt < 4900 || !s.ok, 1);
    const m = p.masterSide!;
    expect(m.failedAfterCut).toBeGreaterThan(0);
    expect(m.ackWindow!.endMs).toBeLessThan(3100);
    expect(m.lost.length).toBeGreaterThan(0);
    expect(m.lostPastBound).toEqual([]);
    expect(judgeLoss(p)).toMatchObject({ severity: 'fail', passed: true });
  });

  it('with min-replicas-to-write: a write sent before the bound whose reply came after it is within the bound', () => {
    // The master took it before the bound; a starved client read the reply 1.5 s later.
    const side = samples((t) => t <= 3900).map((s) => (s.issuedAt === 3900 + 5000 ? { ...s, settledAt: s.issuedAt + 1500 } : s));
    const p = report(side, (s) => s.issuedAt < 4900 || !s.ok, 1);
    expect(p.masterSide!.ackWindow!.endMs).toBe(5400);
    expect(p.masterSide!.lost).toContain(side.find((s) => s.issuedAt === 8900)!.seq);
    expect(p.masterSide!.lostPastBound).toEqual([]);
    expect(p.masterSide!.ackedPastBound).toEqual([]);
    expect(judgeLoss(p)).toMatchObject({ passed: true });
  });

  it('with min-replicas-to-write: a write sent past the bound, acknowledged and lost fails the check', () => {
    const side = samples((t) => t < 6000);
    const p = report(side, (s) => s.issuedAt < 4900 || !s.ok, 1);
    expect(p.masterSide!.lostPastBound.length).toBeGreaterThan(0);
    expect(p.masterSide!.ackedPastBound).toEqual(
      toOps(side)
        .filter((s) => s.ok && s.issuedAt > 4000)
        .map((s) => s.seq),
    );
    const r = judgeLoss(p);
    expect(r.passed).toBe(false);
    expect(r.message).toContain('did not bound the loss');
    expect(r.message).toMatch(/^\d+ write\(s\) sent more than 4000 ms after the cut were acknowledged and lost \(seq /);
  });
});

/**
 * What a partition cost, from the run's record: when the isolated master stopped acknowledging
 * writes (if it did), which acknowledged writes the final master does not have, and whether Redis's
 * bound held. Pure, like the rest of the report.
 */
import { compareWrites } from '../load.js';
import type { OpSample, PartitionReport } from '../types.js';
import type { RunRecord } from './record.js';

export interface PartitionSettings {
  minReplicasToWrite: number;
  /** Seconds, as in redis.conf. */
  minReplicasMaxLag: number;
}

/**
 * With min-replicas-to-write, a master counts a replica as good while its last REPLCONF ACK (sent
 * every second) is at most min-replicas-max-lag whole seconds old, and refreshes that count once
 * a second: writes may be acknowledged up to max-lag + 2 s after the last ack before the cut.
 */
export function partitionBoundMs(s: PartitionSettings): number | null {
  return s.minReplicasToWrite > 0 ? (s.minReplicasMaxLag + 2) * 1000 : null;
}

export function partitionReport(
  r: Pick<RunRecord, 'partition' | 'masterSide'>,
  t0: number,
  sideSamples: OpSample[] | null,
  sentinelClientLost: number[],
  s: PartitionSettings,
): PartitionReport | undefined {
  if (!r.partition) return undefined;
  const boundMs = partitionBoundMs(s);
  const healedAt = r.partition.healedAt === null ? null : r.partition.healedAt - t0;
  // The rules go in one container after another: the first links may fall before t = 0.
  const cutFrom = Math.min(0, r.partition.applying - t0);
  const side = r.masterSide;
  let masterSide: PartitionReport['masterSide'] = null;
  if (side && sideSamples) {
    // Not bounded by the heal: the old master answers as master until the sentinels convert it,
    // a moment after the heal, and what it acknowledges then is lost the same way.
    const after = sideSamples.filter((x) => x.issuedAt >= cutFrom);
    const acked = after.filter((x) => x.ok && x.settledAt !== null);
    const cmp = side.stored ? compareWrites(side.load.samples, side.stored) : { lost: [] as number[] };
    const bySeq = new Map(sideSamples.map((x) => [x.seq, x]));
    // By when the write was sent, not when its reply arrived: the master decided between the two,
    // and on a starved machine the reply can come seconds after the master accepted it.
    const lostPastBound = boundMs === null ? [] : cmp.lost.filter((q) => (bySeq.get(q)?.issuedAt ?? 0) > boundMs);
    const ackedPastBound = boundMs === null ? [] : acked.filter((x) => x.issuedAt > boundMs).map((x) => x.seq);
    masterSide = {
      service: side.service,
      key: side.key,
      issuedAfterCut: after.length,
      ackedAfterCut: acked.length,
      failedAfterCut: after.filter((x) => !x.ok).length,
      ackWindow: acked.length ? { startMs: acked[0]!.settledAt!, endMs: Math.max(...acked.map((x) => x.settledAt!)) } : null,
      lost: cmp.lost,
      lostPastBound,
      ackedPastBound,
      checkedOn: side.checkedOn,
      ...(side.error ? { error: side.error } : {}),
      samples: sideSamples,
    };
  }
  return {
    isolated: [...r.partition.isolated],
    cutFrom: Math.round(cutFrom),
    healedAt,
    minReplicasToWrite: s.minReplicasToWrite,
    minReplicasMaxLagMs: s.minReplicasMaxLag * 1000,
    boundMs,
    masterSide,
    sentinelClientLost: [...sentinelClientLost],
    note: noteFor(masterSide, s, sentinelClientLost.length),
  };
}

function noteFor(side: PartitionReport['masterSide'], s: PartitionSettings, sentinelLost: number): string {
  if (!side) return `cut off: no master was isolated, so no write was at risk (${sentinelLost} acknowledged write(s) of the Sentinel client lost)`;
  const window = side.ackWindow ? `${Math.round(side.ackWindow.endMs)} ms` : 'no time';
  if (s.minReplicasToWrite > 0) {
    return (
      `with min-replicas-to-write ${s.minReplicasToWrite} and min-replicas-max-lag ${s.minReplicasMaxLag} s, ${side.service} acknowledged writes for ${window} after the cut ` +
      `(${side.ackedAfterCut} writes), then refused them (NOREPLICAS); ${side.lost.length} acknowledged write(s) of the client on its side were lost, ` +
      `${side.lostPastBound.length} of them sent past Redis's bound (max-lag + 2 s); the Sentinel client lost ${sentinelLost}`
    );
  }
  return (
    `without min-replicas-to-write, ${side.service} acknowledged writes for ${window} after the cut (${side.ackedAfterCut} writes) and ` +
    `${side.lost.length} of the client's acknowledged writes were lost when it rejoined as a replica (the Sentinel client lost ${sentinelLost}). ` +
    'This is documented Redis behaviour: replication is asynchronous and a partitioned master keeps accepting writes that are discarded when it is demoted. ' +
    'Set redis.min-replicas-to-write: 1 (with redis.min-replicas-max-lag) in the spec to bound the loss to about min-replicas-max-lag seconds of writes.'
  );
}

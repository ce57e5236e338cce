import type { MasterGroup } from '../topology/types.js';
import type { Duration } from './types.js';

/** Milliseconds for a scenario duration, scaled by the group's own sentinel settings. */
export function resolveDuration(d: Duration, group: Pick<MasterGroup, 'downAfterMs' | 'failoverTimeoutMs'> & { minReplicasMaxLag?: number }): number {
  if (typeof d === 'number') return d;
  return Math.round(
    (d.downAfter ?? 0) * group.downAfterMs +
      (d.failoverTimeout ?? 0) * group.failoverTimeoutMs +
      (d.replicaMaxLag ?? 0) * (group.minReplicasMaxLag ?? 10) * 1000 +
      (d.ms ?? 0),
  );
}

export function describeDuration(d: Duration): string {
  if (typeof d === 'number') return `${d} ms`;
  const parts: string[] = [];
  if (d.downAfter) parts.push(`${d.downAfter} x down-after`);
  if (d.failoverTimeout) parts.push(`${d.failoverTimeout} x failover-timeout`);
  if (d.replicaMaxLag) parts.push(`${d.replicaMaxLag} x min-replicas-max-lag`);
  if (d.ms) parts.push(`${d.ms} ms`);
  return parts.join(' + ') || '0 ms';
}

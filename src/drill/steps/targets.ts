/** Which services a step's target is, resolved against the group as it was when the run started. */
import type { RunRecord } from '../run/record.js';
import type { Target } from '../types.js';

export function targetLabel(t: Target): string {
  if (t.node === 'master') return 'the master';
  if (t.node === 'replica') return `replica ${t.index ?? 1}`;
  return t.count === 'majority' ? 'a majority of the sentinels' : t.count === 'minority' ? 'a minority of the sentinels' : `${t.count} sentinel(s)`;
}

/** How many sentinels a count means out of `total`: a majority is ceil(n/2), a minority floor((n-1)/2). */
export function sentinelCount(count: number | 'majority' | 'minority', total: number): number {
  return count === 'majority' ? Math.ceil(total / 2) : count === 'minority' ? Math.floor((total - 1) / 2) : count;
}

export function resolveTarget(t: Target, r: Pick<RunRecord, 'group' | 'nodes' | 'sentinels' | 'initialMaster'>): string[] {
  const master = r.initialMaster ?? '';
  if (t.node === 'master') return [master];
  if (t.node === 'replica') {
    const replicas = r.nodes.filter((n) => n !== master).sort();
    const replica = replicas[(t.index ?? 1) - 1];
    if (!replica) throw new Error(`${r.group} has no replica ${t.index ?? 1} (it has ${replicas.length})`);
    return [replica];
  }
  const n = sentinelCount(t.count, r.sentinels.length);
  if (n > r.sentinels.length) throw new Error(`cannot take ${n} sentinels: the topology has ${r.sentinels.length}`);
  // From the last one down, so that redis-sentinel-1 (the one people look at first) keeps running.
  return r.sentinels.slice(r.sentinels.length - n).reverse();
}

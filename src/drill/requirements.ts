/** Whether a scenario can run on a master group at all; when not, why (the run is skipped). */
import type { MasterGroup } from '../topology/types.js';
import type { Scenario } from './types.js';

/** Sentinels a scenario pauses at most at once (for `requires.failoverPossible`). */
export function sentinelsPaused(scenario: Scenario, total: number): number {
  let max = 0;
  for (const s of scenario.steps) {
    if ((s.do === 'pause' || s.do === 'kill') && s.target.node === 'sentinels') {
      max = Math.max(max, s.target.count === 'majority' ? Math.ceil(total / 2) : s.target.count);
    }
  }
  return max;
}

/** Why the scenario cannot run on this group, or null. */
export function unmetRequirement(scenario: Scenario, group: MasterGroup, sentinels: number): string | null {
  const replicas = group.nodes.length - 1;
  const r = scenario.requires ?? {};
  if (r.replicas !== undefined && replicas < r.replicas) {
    return `needs ${r.replicas} replica(s); ${group.name} has ${replicas}`;
  }
  const paused = sentinelsPaused(scenario, sentinels);
  if (paused > sentinels) return `pauses ${paused} sentinels; the topology has ${sentinels}`;
  if (r.failoverPossible) {
    const left = sentinels - paused;
    const majority = Math.floor(sentinels / 2) + 1;
    if (left < majority || left < group.quorum) {
      return `with ${paused} of ${sentinels} sentinels paused, ${left} are left: a failover needs a majority (${majority}) and the quorum (${group.quorum})`;
    }
  }
  return null;
}

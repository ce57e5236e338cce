/** Whether a scenario can run on a master group at all; when not, why (the run is skipped). */
import type { MasterGroup } from '../topology/types.js';
import { sentinelCount } from './steps/targets.js';
import type { Scenario } from './types.js';

/** Sentinels a scenario pauses at most at once (for `requires.failoverPossible`). */
export function sentinelsPaused(scenario: Scenario, total: number): number {
  let max = 0;
  for (const s of scenario.steps) {
    if ((s.do === 'pause' || s.do === 'kill') && s.target.node === 'sentinels') {
      max = Math.max(max, sentinelCount(s.target.count, total));
    }
  }
  return max;
}

/** Whether the scenario cuts network links (a `partition` step). */
export function cutsLinks(scenario: Scenario): boolean {
  return scenario.requires?.links === true || scenario.steps.some((s) => s.do === 'partition');
}

/**
 * Why the scenario cannot run on this group, or null. `linksUnsupported`: why the runtime cannot
 * cut links (null: it can).
 */
export function unmetRequirement(scenario: Scenario, group: MasterGroup, sentinels: number, linksUnsupported: string | null = null): string | null {
  const replicas = group.nodes.length - 1;
  const r = scenario.requires ?? {};
  if (linksUnsupported && cutsLinks(scenario)) return linksUnsupported;
  for (const s of scenario.steps) {
    if (s.do === 'partition' && s.isolate.node === 'sentinels') {
      const n = sentinelCount(s.isolate.count, sentinels);
      if (n < 1) return `cuts off ${n} sentinels: the topology has ${sentinels}, too few for a minority`;
      if (n >= sentinels) return `cuts off ${n} sentinels; the topology has ${sentinels}`;
    }
  }
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

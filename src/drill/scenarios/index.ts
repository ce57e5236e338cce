import { UsageError, type Problem } from '../../common/errors.js';
import { closest } from '../../common/suggest.js';
import type { Scenario } from '../types.js';
import { manualFailover } from './manual-failover.js';
import { masterKillRestart } from './master-kill-restart.js';
import { masterPause } from './master-pause.js';
import { noQuorum } from './no-quorum.js';
import { masterPartition, replicaPartition, sentinelMinorityPartition } from './partitions.js';
import { replicaPause } from './replica-pause.js';
import { sentinelAndMasterPause } from './sentinel-and-master-pause.js';

export { validateScenarios } from './validate.js';

/** Built-in scenarios, in the order `drill all` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  masterPause,
  sentinelAndMasterPause,
  noQuorum,
  replicaPause,
  manualFailover,
  masterKillRestart,
  // Docker with bridge networking only; skipped elsewhere under `all`, refused when named.
  masterPartition,
  sentinelMinorityPartition,
  replicaPartition,
];

export const DEFAULT_SCENARIO = masterPause.name;

/**
 * Scenarios by name, in the order given; `all` means every one in `available`. Unknown names are
 * one UsageError listing every problem, each with a did-you-mean when there is a close name.
 */
export function selectScenarios(names: readonly string[], available: readonly Scenario[] = SCENARIOS): Scenario[] {
  const wanted = names.length ? names : [DEFAULT_SCENARIO];
  const byName = new Map(available.map((s) => [s.name, s]));
  const known = [...byName.keys()];
  const problems: Problem[] = [];
  const out: Scenario[] = [];
  for (const [i, name] of wanted.entries()) {
    if (name === 'all') {
      for (const s of available) if (!out.includes(s)) out.push(s);
      continue;
    }
    const s = byName.get(name);
    if (s) {
      if (!out.includes(s)) out.push(s);
      continue;
    }
    const guess = closest(name, [...known, 'all']);
    problems.push({
      path: `scenario[${i}]`,
      message: `unknown scenario "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
      fix: `use one of: ${known.join(', ')}, or all`,
    });
  }
  if (problems.length) throw new UsageError(problems);
  return out;
}

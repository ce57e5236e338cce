/**
 * The checks that involve more than one field, run on the typed read (../read.ts) after the
 * shape check. Each is a function of the whole spec that returns its problems, so each can be
 * read, changed and tested on its own; all of them run, so one run reports every problem.
 * The order is the order problems are listed in.
 */
import type { Problem } from '../../common/errors.js';
import type { SpecRead } from '../read.js';
import { addresses } from './addresses.js';
import { aclUsers, secrets } from './auth.js';
import type { Check } from './finding.js';
import { masterNames, serviceNames } from './names.js';
import { ports } from './ports.js';
import { quorum, sentinelCount } from './quorum.js';
import { canFailOver, minReplicasToWrite, persistence, replicaPriorities } from './replicas.js';
import { swarm } from './swarm.js';
import { downAfter } from './timing.js';

export const CHECKS: readonly Check[] = [
  replicaPriorities,
  quorum,
  canFailOver,
  minReplicasToWrite,
  persistence,
  downAfter,
  sentinelCount,
  masterNames,
  serviceNames,
  ports,
  addresses,
  aclUsers,
  secrets,
  swarm,
];

/** Errors stop rendering; warnings are printed. */
export function checkSpec(spec: SpecRead): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  for (const check of CHECKS) {
    for (const { severity, ...problem } of check(spec)) (severity === 'error' ? errors : warnings).push(problem);
  }
  return { errors, warnings };
}

/**
 * master-partition with the pairings test/e2e/partition-drill.test.ts does not run, so that each
 * sentinel implementation is drilled both with and without min-replicas-to-write 1 (max-lag 2 s):
 * bundled sentinels without it (the loss shown as a warning naming the setting), redis-sentinel
 * with it (no write sent past Redis's bound acknowledged). Both with quorum 1, below a majority,
 * for sentinel-minority-partition's other case. A file of its own so that vitest runs it beside the
 * other; the case is test/helpers/partition.ts.
 *
 * Runs inside the offline-docker namespace (`offline-docker exec npx vitest run test/e2e/partition-min-replicas.test.ts`).
 */
import { afterEach, describe, it } from 'vitest';
import { dockerUsable, skipNote } from '../helpers/docker.js';
import { noBundle, partitionCase, partitionCaseTitle, type PartitionCase } from '../helpers/partition.js';
import { removeDir } from '../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

// Quorum 1 here: the cut-off sentinel reaches +odown on its own and starts a failover that the
// majority side never elects (with a majority quorum, partition-drill.test.ts, it never +odown).
// With quorum 1 any one sentinel that misses the master for down-after fails it over, and on a
// loaded CI runner a sentinel stalls for over a second (CI: a bundled sentinel failed a healthy
// master over before the minority run's cut, which the drill rightly reported): down-after 5000
// keeps such stalls from counting as the master being down.
const SCENARIOS = ['master-partition', 'sentinel-minority-partition'];
const cases: PartitionCase[] = [
  { implementation: 'bundled', minReplicas: false, quorum: 1, downAfter: 5000, scenarios: SCENARIOS, skip: noBundle },
  { implementation: 'redis', minReplicas: true, quorum: 1, downAfter: 5000, scenarios: SCENARIOS, skip: null },
];

describe.skipIf(!dockerUsable())(`master-partition with and without min-replicas-to-write, under Docker Compose${skipNote}`, () => {
  for (const c of cases) it.skipIf(c.skip !== null)(partitionCaseTitle(c), () => partitionCase(c, dirs), 900_000);
});

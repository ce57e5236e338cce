/**
 * Partition drills for real (issue 17): under Docker Compose in bridge mode, links cut with
 * iptables from helper containers sharing each target's network namespace. `drill --up` runs
 * master-partition, sentinel-minority-partition and replica-partition with both sentinel
 * implementations:
 *   - bundled sentinels with min-replicas-to-write 1 (max-lag 2 s): the partitioned master stops
 *     acknowledging writes: none sent past Redis's bound is acknowledged, so none of them is lost;
 *   - redis-sentinel without it: the loss is shown (a warning naming the setting), not hidden.
 * test/e2e/partition-min-replicas.test.ts runs master-partition with the other two pairings; the
 * case itself (and the HTML chart it checks) is test/helpers/partition.ts.
 *
 * Runs inside the offline-docker namespace (`offline-docker exec npx vitest run test/e2e/partition-drill.test.ts`).
 */
import { afterEach, describe, it } from 'vitest';
import { dockerUsable, skipNote } from '../helpers/docker.js';
import { noBundle, PARTITION_SCENARIOS, partitionCase, partitionCaseTitle, type PartitionCase } from '../helpers/partition.js';
import { removeDir } from '../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const cases: PartitionCase[] = [
  { implementation: 'bundled', minReplicas: true, scenarios: PARTITION_SCENARIOS, skip: noBundle },
  { implementation: 'redis', minReplicas: false, scenarios: PARTITION_SCENARIOS, skip: null },
];

describe.skipIf(!dockerUsable())(`partition drills under Docker Compose, bridge networking${skipNote}`, () => {
  for (const c of cases) it.skipIf(c.skip !== null)(partitionCaseTitle(c), () => partitionCase(c, dirs), 1_200_000);
});

/**
 * Network partitions (Docker runtime, bridge networking): the fault that loses data with Redis
 * Sentinel. A paused master stops answering everyone; a partitioned one keeps answering the
 * clients on its side while the other side elects a new master.
 */
import type { Scenario } from '../types.js';
import { waitHealthy } from './failover-common.js';

/**
 * The master cut off from every sentinel and replica while a client on its side keeps writing to
 * it. Held until the other side has failed over and past min-replicas-max-lag, so that a master
 * bounded by min-replicas-to-write has stopped accepting writes; then healed.
 */
export const masterPartition: Scenario = {
  name: 'master-partition',
  summary: 'cut the master off from every sentinel and replica while a client on its side keeps writing; fail over; heal; count the acknowledged writes lost',
  requires: { replicas: 1, links: true },
  steps: [
    { do: 'partition', isolate: { node: 'master' }, mark: 'fault' },
    { do: 'wait', until: 'failed-over', timeout: { downAfter: 2, ms: 60_000 } },
    { do: 'hold', for: { replicaMaxLag: 1, ms: 3000 } },
    { do: 'heal', mark: 'heal' },
    waitHealthy,
  ],
  expect: [
    { check: 'fault-detected' },
    { check: 'failover-happened' },
    { check: 'one-master' },
    { check: 'replicas-follow' },
    { check: 'sentinels-agree' },
    { check: 'old-master-replica' },
    { check: 'writes-resumed' },
    { check: 'partition-loss' },
  ],
};

/** A minority of the sentinels cut off from everything: they see the master down, nobody fails over. */
export const sentinelMinorityPartition: Scenario = {
  name: 'sentinel-minority-partition',
  summary: 'cut a minority of the sentinels off from everything; they reach +sdown but not +odown; no failover; heal; they rejoin',
  requires: { links: true },
  steps: [
    { do: 'partition', isolate: { node: 'sentinels', count: 'minority' }, mark: 'fault' },
    // Long enough for +sdown, and for a failover had the cut-off side been able to start one.
    { do: 'hold', for: { downAfter: 3, ms: 6000 } },
    { do: 'heal', mark: 'heal' },
    waitHealthy,
  ],
  expect: [
    { check: 'minority-no-odown' },
    { check: 'no-failover' },
    { check: 'one-master' },
    { check: 'replicas-follow' },
    { check: 'sentinels-agree' },
    { check: 'writes-resumed' },
    { check: 'no-lost-writes' },
  ],
};

/** A replica cut off: marked down, no failover; it resynchronises after the heal. */
export const replicaPartition: Scenario = {
  name: 'replica-partition',
  summary: 'cut a replica off from everything; sentinels mark it down and keep the master; heal; it resynchronises',
  requires: { replicas: 1, links: true },
  steps: [
    { do: 'partition', isolate: { node: 'replica', index: 1 }, mark: 'fault' },
    { do: 'wait', until: 'sdown', timeout: { downAfter: 2, ms: 30_000 } },
    { do: 'hold', for: { downAfter: 1, ms: 1000 } },
    { do: 'heal', mark: 'heal' },
    waitHealthy,
  ],
  expect: [
    { check: 'fault-detected' },
    { check: 'no-failover' },
    { check: 'one-master' },
    { check: 'replicas-follow' },
    { check: 'sentinels-agree' },
    { check: 'writes-resumed' },
    { check: 'no-lost-writes' },
  ],
};

import type { Scenario } from '../types.js';

/** One sentinel down before the master goes: the sentinels left must still fail over. */
export const sentinelAndMasterPause: Scenario = {
  name: 'sentinel-and-master-pause',
  summary: 'pause one sentinel, then the master; the remaining sentinels fail over; resume both',
  requires: { replicas: 1, failoverPossible: true },
  steps: [
    { do: 'pause', target: { node: 'sentinels', count: 1 } },
    { do: 'hold', for: 500 },
    { do: 'pause', target: { node: 'master' }, mark: 'fault' },
    { do: 'wait', until: 'failed-over', timeout: { downAfter: 2, ms: 60_000 } },
    // Clients move to the new master on +switch-master; give them that moment before the old
    // master returns. (One that returns while clients still have writes queued on it answers
    // them as master, and those acknowledged writes are lost when it is turned into a replica.)
    { do: 'hold', for: 2000 },
    { do: 'heal', mark: 'heal' },
    { do: 'wait', until: 'healthy', timeout: { downAfter: 2, ms: 60_000 } },
  ],
  expect: [
    { check: 'fault-detected' },
    { check: 'failover-happened' },
    { check: 'one-master' },
    { check: 'replicas-follow' },
    { check: 'sentinels-agree' },
    { check: 'old-master-replica' },
    { check: 'writes-resumed' },
    { check: 'no-lost-writes' },
  ],
};

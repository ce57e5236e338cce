import type { Scenario } from '../types.js';

/** The seed's drill: `docker-compose pause redis-master`, watch the failover, unpause. */
export const masterPause: Scenario = {
  name: 'master-pause',
  summary: 'pause the master; a replica is promoted; unpause; the old master rejoins as a replica of the new one',
  requires: { replicas: 1, failoverPossible: true },
  steps: [
    { do: 'pause', target: { node: 'master' }, mark: 'fault' },
    { do: 'wait', until: 'failed-over', timeout: { downAfter: 2, ms: 60_000 } },
    // Clients move to the new master on +switch-master; give them that moment before the old
    // master returns. (One that returns while clients still have writes queued on it answers
    // them as master, and those acknowledged writes are lost when it is turned into a replica.)
    { do: 'hold', for: 2000 },
    { do: 'unpause', target: { node: 'master' }, mark: 'heal' },
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

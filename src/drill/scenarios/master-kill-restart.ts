import type { Scenario } from '../types.js';

/** A crash rather than a hang: the connection is refused at once instead of timing out. */
export const masterKillRestart: Scenario = {
  name: 'master-kill-restart',
  summary: 'kill the master (SIGKILL); a replica is promoted; restart it; it comes back as a replica',
  requires: { replicas: 1, failoverPossible: true },
  steps: [
    { do: 'kill', target: { node: 'master' }, mark: 'fault' },
    { do: 'wait', until: 'failed-over', timeout: { downAfter: 2, ms: 60_000 } },
    // Clients move to the new master on +switch-master; give them that moment before the old
    // master returns. (One that returns while clients still have writes queued on it answers
    // them as master, and those acknowledged writes are lost when it is turned into a replica.)
    { do: 'hold', for: 2000 },
    { do: 'restart', target: { node: 'master' }, mark: 'heal' },
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

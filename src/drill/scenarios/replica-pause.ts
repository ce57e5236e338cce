import type { Scenario } from '../types.js';

/** A replica going away must be noticed and must not move the master. */
export const replicaPause: Scenario = {
  name: 'replica-pause',
  summary: 'pause a replica; sentinels mark it down and keep the master; unpause; it catches up',
  requires: { replicas: 1 },
  steps: [
    { do: 'pause', target: { node: 'replica', index: 1 }, mark: 'fault' },
    { do: 'wait', until: 'sdown', timeout: { downAfter: 2, ms: 30_000 } },
    { do: 'hold', for: { downAfter: 1, ms: 1_000 } },
    { do: 'unpause', target: { node: 'replica', index: 1 }, mark: 'heal' },
    { do: 'wait', until: 'healthy', timeout: { downAfter: 2, ms: 60_000 } },
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

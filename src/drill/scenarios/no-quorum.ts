import type { Scenario } from '../types.js';

/**
 * The master and enough sentinels paused that no majority is left: Sentinel must not promote
 * anything (that is what keeps a partitioned minority from making a second master).
 */
export const noQuorum: Scenario = {
  name: 'no-quorum',
  summary: 'pause a majority of the sentinels and the master; no failover may happen; resume and recover',
  steps: [
    { do: 'pause', target: { node: 'sentinels', count: 'majority' } },
    { do: 'hold', for: 500 },
    { do: 'pause', target: { node: 'master' }, mark: 'fault' },
    // Long enough that a failover would have finished had the sentinels been able to elect a
    // leader (down-after, plus the election and promotion, plus slack).
    { do: 'hold', for: { downAfter: 3, ms: 6_000 } },
    // The master first: sentinels resuming while it is still paused could start a failover.
    { do: 'unpause', target: { node: 'master' }, mark: 'heal' },
    { do: 'heal' },
    { do: 'wait', until: 'healthy', timeout: { downAfter: 2, ms: 60_000 } },
  ],
  expect: [
    { check: 'no-failover' },
    { check: 'one-master' },
    { check: 'replicas-follow' },
    { check: 'sentinels-agree' },
    { check: 'writes-resumed' },
    { check: 'no-lost-writes' },
  ],
};

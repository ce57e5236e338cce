import type { Scenario } from '../types.js';
import { failOverThenHold, failoverChecks, waitHealthy } from './failover-common.js';

/** One sentinel down before the master goes: the sentinels left must still fail over. */
export const sentinelAndMasterPause: Scenario = {
  name: 'sentinel-and-master-pause',
  summary: 'pause one sentinel, then the master; the remaining sentinels fail over; resume both',
  requires: { replicas: 1, failoverPossible: true },
  steps: [
    { do: 'pause', target: { node: 'sentinels', count: 1 } },
    { do: 'hold', for: 500 },
    { do: 'pause', target: { node: 'master' }, mark: 'fault' },
    ...failOverThenHold,
    { do: 'heal', mark: 'heal' },
    waitHealthy,
  ],
  expect: failoverChecks,
};

import type { Scenario } from '../types.js';
import { failOverThenHold, failoverChecks, waitHealthy } from './failover-common.js';

/** The seed's drill: `docker-compose pause redis-master`, watch the failover, unpause. */
export const masterPause: Scenario = {
  name: 'master-pause',
  summary: 'pause the master; a replica is promoted; unpause; the old master rejoins as a replica of the new one',
  requires: { replicas: 1, failoverPossible: true },
  steps: [
    { do: 'pause', target: { node: 'master' }, mark: 'fault' },
    ...failOverThenHold,
    { do: 'unpause', target: { node: 'master' }, mark: 'heal' },
    waitHealthy,
  ],
  expect: failoverChecks,
};

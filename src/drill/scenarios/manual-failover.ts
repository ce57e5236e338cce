import type { Scenario } from '../types.js';
import { afterSwitchChecks, waitHealthy } from './failover-common.js';

/** SENTINEL FAILOVER: a planned switch with the old master still running. */
export const manualFailover: Scenario = {
  name: 'manual-failover',
  summary: 'SENTINEL FAILOVER on a sentinel; a replica is promoted; the old master is demoted to a replica',
  requires: { replicas: 1 },
  steps: [{ do: 'failover', mark: 'fault' }, { do: 'wait', until: 'failed-over', timeout: { ms: 60_000 } }, waitHealthy],
  expect: [
    ...afterSwitchChecks,
    {
      check: 'no-lost-writes',
      severity: 'warn',
      why:
        'the old master keeps accepting writes until clients move and Sentinel demotes it; what it acknowledged after the ' +
        'promotion is discarded when it resyncs (Redis documents this; min-replicas-to-write bounds it)',
    },
  ],
};

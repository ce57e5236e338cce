import type { Scenario } from '../types.js';
import { failOverThenHold, failoverChecks, waitHealthy } from './failover-common.js';

/** A crash rather than a hang: the connection is refused at once instead of timing out. */
export const masterKillRestart: Scenario = {
  name: 'master-kill-restart',
  summary: 'kill the master (SIGKILL); a replica is promoted; restart it; it comes back as a replica',
  requires: { replicas: 1, failoverPossible: true },
  steps: [
    { do: 'kill', target: { node: 'master' }, mark: 'fault' },
    ...failOverThenHold,
    { do: 'restart', target: { node: 'master' }, mark: 'heal' },
    waitHealthy,
  ],
  expect: failoverChecks,
};

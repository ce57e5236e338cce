import type { Scenario } from '../types.js';

type Step = Scenario['steps'][number];
type Check = Scenario['expect'][number];

/** Waiting for the failover, then the pause before the old master is brought back. */
export const failOverThenHold: Step[] = [
  { do: 'wait', until: 'failed-over', timeout: { downAfter: 2, ms: 60_000 } },
  // Clients move to the new master on +switch-master; give them that moment before the old
  // master returns. (One that returns while clients still have writes queued on it answers
  // them as master, and those acknowledged writes are lost when it is turned into a replica.)
  { do: 'hold', for: 2000 },
];

export const waitHealthy: Step = { do: 'wait', until: 'healthy', timeout: { downAfter: 2, ms: 60_000 } };

/** What must hold once a replica has replaced the master and the old master is back. */
export const afterSwitchChecks: Check[] = [
  { check: 'failover-happened' },
  { check: 'one-master' },
  { check: 'replicas-follow' },
  { check: 'sentinels-agree' },
  { check: 'old-master-replica' },
  { check: 'writes-resumed' },
];

/** What every drill that loses its master and gets it back must show. */
export const failoverChecks: Check[] = [{ check: 'fault-detected' }, ...afterSwitchChecks, { check: 'no-lost-writes' }];

/**
 * Fault operations on a running topology, for the CLI's fault commands and the library API:
 * - services.ts: pause, unpause, kill, restart of named services (recorded in run/faults.json);
 * - failover.ts: SENTINEL FAILOVER through a sentinel that can do it, and the wait for the new master;
 * - wait.ts: until healthy, or until a group's master changed;
 * - names.ts: services, groups and masters as the user names them (did-you-mean on a typo);
 * - session.ts: the folder, its runtime, and its lock for the moment a command changes something;
 * - observe.ts: the one file that looks at the topology (snapshots, health, masters named).
 * Nothing here prints or parses arguments: progress goes to a logger, cancellation comes through
 * an AbortSignal, failures are the typed errors of common/errors.ts.
 */
export { failover, type FailoverAttempt, type FailoverOptions, type FailoverResult } from './failover.js';
export { masterLabel } from './master.js';
export { resolveGroup, resolveMasterRef, resolveServices } from './names.js';
export type { MasterRef, SentinelSays } from './observe.js';
export { changeServices, type ServiceChange, type ServiceOp, type ServiceOpResult } from './services.js';
export { type ControlOptions } from './session.js';
export { waitForHealthy, waitForMasterChange, type HealthyResult, type MasterChange, type MasterChangedOptions, type WaitOptions } from './wait.js';

/**
 * Looking at a running topology, for `up`, `status`, the drill and every health wait:
 * - view.ts: what a look returns (Observation: nodes and what each sentinel believes);
 * - observer.ts: asks the nodes (one Prober each: deadlines, one question in flight);
 * - addresses.ts: which service an `ip:port` is;
 * - health.ts: the one definition of healthy, as functions returning what is missing;
 * - wait.ts: waiting until healthy.
 */
export { AddressBook } from './addresses.js';
export {
  badFlags,
  disagreements,
  DOWN_FLAGS,
  FAILOVER_FLAGS,
  healthyMissing,
  masterMissing,
  missingForHealth,
  namedMaster,
  replicasMissing,
  scopeOf,
  sentinelsAgreeMissing,
  silenceOf,
  soleMaster,
  TILT_ALLOWANCE_MS,
  type GroupScope,
} from './health.js';
export { lookAt, Observer, observerFor, takeSnapshot, type ObserverOptions, type ProbeTarget, type Secrets, type Snapshot } from './observer.js';
export { NoReply, Prober } from './prober.js';
export { errorText, pairs, parseFields, parseInfo } from './replies.js';
export type { NodeView, Observation, ProcessState, SentinelMasterView, SentinelPeerView, SentinelView } from './view.js';
export { waitHealthy, type WaitHealthyOptions } from './wait.js';

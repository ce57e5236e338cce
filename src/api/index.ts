/**
 * The library: `import { startTopology } from 'sentinel-compose'`. A real Redis Sentinel
 * topology for a test suite: start it (from a spec file, a spec object or the defaults, with
 * free ports), put faults in the middle of the application's traffic, run the drills, stop it.
 * Prints nothing unless given a logger; throws the CLI's typed errors with the CLI's messages.
 */
export { startTopology, openTopology, type Topology } from './topology.js';
export type {
  Addr,
  ClientOptions,
  Endpoint,
  FailoverOptions,
  Logger,
  MasterChangeOptions,
  OpenOptions,
  SpecObject,
  StartOptions,
  StopOptions,
  WaitHealthyOptions,
} from './types.js';
export type {
  FailoverAttempt,
  FailoverResult,
  HealthyResult,
  MasterChange,
  MasterRef,
  SentinelSays,
  ServiceChange,
  ServiceOpResult,
} from '../runtime/control/index.js';
export type { StatusReport } from '../runtime/status.js';
export type { DrillOptions } from '../drill/options.js';
export type { DrillReport, RunReport, Scenario } from '../drill/types.js';
export type { Problem } from '../common/errors.js';
export {
  CheckFailedError,
  ExternalToolError,
  FileSystemError,
  InterruptedError,
  MissingDependencyError,
  ScError,
  TimeoutError,
  UsageError,
} from '../common/errors.js';
export { SCENARIOS } from '../drill/scenarios/index.js';

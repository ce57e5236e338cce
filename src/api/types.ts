/** The library's public types: what `startTopology` takes and what a `Topology` handle returns. */
import type { BringUpLogger } from '../runtime/bring-up/index.js';

/** Where progress goes (one line each, for a person); the library prints nothing without one. */
export type Logger = BringUpLogger;

/**
 * A topology spec as data: the same shape as sentinel-compose.yaml (see the README's spec
 * reference and schema/sentinel-compose.schema.json), checked the same way. `${VAR}` is not
 * interpolated in an object.
 */
export interface SpecObject {
  version?: 1;
  project?: string;
  network?: 'host' | 'bridge';
  ports?: 'auto' | { redis?: number | 'auto'; sentinel?: number | 'auto' };
  auth?: { password?: string; 'sentinel-password'?: string; [field: string]: unknown };
  masters?: Array<{ name?: string; replicas?: number; quorum?: number; [field: string]: unknown }>;
  sentinels?: { count?: number; implementation?: 'bundled' | 'redis'; [field: string]: unknown };
  [field: string]: unknown;
}

export interface StartOptions {
  /** A spec file path, or a spec object. Default: the built-in default (what `init` writes) with `ports: auto` and a project name of its own. */
  spec?: string | SpecObject;
  /** As the CLI's --runtime (default 'auto': Docker when an engine answers and can run it, else local processes). */
  runtime?: 'auto' | 'local' | 'docker' | 'swarm';
  /** Where the rendered files and the run's state go. Default: a new temporary folder, removed by stop(). */
  dir?: string;
  /** Default: silent. */
  logger?: Logger;
  /** How long to wait until healthy (default 90 000 ms). */
  timeoutMs?: number;
  /** Aborting it stops the start: what was started is stopped again, and startTopology rejects with an InterruptedError. */
  signal?: AbortSignal;
}

export interface OpenOptions {
  logger?: Logger;
}

/** A node as a client on this machine reaches it, and its service name as in `status`. */
export interface Addr {
  host: string;
  port: number;
  /** Undefined when the sentinels name an address that is no service of the topology. */
  service?: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** Options for ioredis in Sentinel mode: `new Redis(topology.clientOptions())`. */
export interface ClientOptions {
  sentinels: Endpoint[];
  name: string;
  password?: string;
  sentinelPassword?: string;
  /** Bridge networks: the addresses the sentinels hand out, mapped to where this machine reaches them. */
  natMap?: Record<string, Endpoint>;
}

export interface MasterChangeOptions {
  /** The master to wait for a change from: an address or a service name. Default: the one the sentinels name when the wait starts. */
  from?: Endpoint | string;
  /** Default 60 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface FailoverOptions {
  /** Wait until every running sentinel names the new master (default true). */
  wait?: boolean;
  /** For the whole failover (default 60 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WaitHealthyOptions {
  /** Default 60 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface StopOptions {
  /** Also delete the data sentinel-compose created in `dir` (a temporary folder is removed whole anyway). */
  volumes?: boolean;
}

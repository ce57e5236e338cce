/**
 * One interface over Docker Compose and local processes. Service names are the topology's
 * (`redis-master`, `redis-sentinel-1`, ...). Implementations: `compose/` and `local/`; when
 * neither can run, `open.ts` (selectRuntime) throws a MissingDependencyError saying what to install.
 */
import type { Topology } from '../topology/types.js';
import type { FaultCommand } from './faults.js';

/** `swarm`: Docker Swarm (`docker stack deploy`), only when asked for: `auto` never chooses it. */
export type RuntimeKind = 'docker' | 'local' | 'swarm';
/** What the user asks for with `--runtime`. */
export type RuntimeChoice = RuntimeKind | 'auto';

export interface ServiceState {
  service: string;
  /** running, paused (SIGSTOP / docker pause), stopped (exited or killed), missing (never started). */
  state: 'running' | 'paused' | 'stopped' | 'missing';
  /** The container's health check (docker only): healthy means the node answered inside its own network. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  pid?: number;
  containerId?: string;
}

export interface LogLine {
  service: string;
  /** Wall-clock ms when read or as stamped by the source. */
  time: number;
  line: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

export interface UpOptions {
  /** Build the bundled sentinel image even if it exists (docker). */
  build?: boolean;
  onProgress?: (message: string) => void;
  /**
   * Aborted (reason: the signal's name) when the user interrupts: up stops what it started and
   * throws an InterruptedError.
   */
  signal?: AbortSignal;
}

/** Who puts a fault in place: a fault command records itself, so that the fault outlives it (see faults.ts). */
export interface FaultOptions {
  command?: FaultCommand;
  /** What the node was just before, for the record (a `wait --master-changed` started after the failover can say so). */
  role?: 'master' | 'replica';
}

/** A node's config file as the local runtime starts it (render's `renderNodeConfig`, target local). */
export type { NodeConfig } from '../render/node-config.js';

/**
 * Cutting network links between services (Docker, bridge networking: compose/partition.ts). The
 * local runtime and host networking share this machine's network stack, where cutting a link
 * takes root: they have none (see `linksUnsupported`).
 */
export interface LinkControl {
  /** Cuts every link between a service in `a` and one in `b`, both ways; recorded until healed. */
  cut(a: readonly string[], b: readonly string[], opts?: { onApplying?: () => void }): Promise<void>;
  /** Removes exactly the rules the recorded cut put in place; returns the services healed. */
  heal(): Promise<string[]>;
  /** Removes what cutting needed besides the rules (helper containers); after `heal`. */
  dispose(): Promise<void>;
}

export interface Runtime {
  readonly kind: RuntimeKind;
  readonly topology: Topology;
  /** Starts every service; on failure stops what it started and rethrows with the failing service's logs. */
  up(opts?: UpOptions): Promise<void>;
  /** Stops every service it owns; `volumes` also removes data. */
  down(opts?: { volumes?: boolean }): Promise<void>;
  pause(service: string, opts?: FaultOptions): Promise<void>;
  unpause(service: string): Promise<void>;
  /** SIGKILL by default (a crash); the service stays down until `restart`. */
  kill(service: string, signal?: NodeJS.Signals, opts?: FaultOptions): Promise<void>;
  /** Starts a killed/stopped service again with its persisted config and data. */
  restart(service: string): Promise<void>;
  ps(): Promise<ServiceState[]>;
  logs(opts?: { services?: string[]; follow?: boolean; signal?: AbortSignal }): AsyncIterable<LogLine>;
  /** Where a client on this machine reaches a service. */
  endpoint(service: string): Endpoint;
  /** Network partitions, where this runtime and network mode can make them. */
  readonly links?: LinkControl;
}

/** Why `runtime` cannot cut network links (null: it can), with what can. */
export function linksUnsupported(runtime: Pick<Runtime, 'kind' | 'links' | 'topology'>): string | null {
  if (runtime.links) return null;
  const what =
    'partitions need the Docker runtime with bridge networking (`network: bridge` in the spec, e.g. `sentinel-compose init --network bridge`, and `--runtime docker`)';
  if (runtime.kind === 'local') return `the local runtime cannot cut network links without root on this machine; ${what}`;
  return `with network: ${runtime.topology.network} the containers share this machine's network stack, where cutting a link takes root; ${what}`;
}

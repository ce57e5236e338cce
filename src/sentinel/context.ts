/**
 * What the monitoring, failure-detection and failover functions share: state, timers, time, the
 * outgoing connector, and the one `event()` through which every visible change goes. Passing it
 * explicitly (rather than module globals, as sentinel.c has) lets unit tests build a sentinel with
 * a fake clock and in-memory connections.
 */
import type { HostResolver } from './state/addr.js';
import type { Instance } from './state/instance.js';
import type { LinkFactory } from './state/link.js';
import type { SentinelState } from './state/sentinel-state.js';
import type { Timing } from './state/timing.js';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

export interface SentinelCtx {
  state: SentinelState;
  timing: Timing;
  /** Wall-clock milliseconds, like Redis's mstime(); TILT watches it for jumps. */
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
  links: LinkFactory;
  resolver: HostResolver;
  /** The port this sentinel listens on (announced in hello when announce-port is 0). */
  listenPort(): number;
  /**
   * Logs, publishes on the channel named `type`, and runs the notification script. A `fmt`
   * starting with `%@` is prefixed with the instance description
   * (`<type> <name> <ip> <port> [@ <master> <ip> <port>]`).
   */
  event(level: LogLevel, type: string, ri: Instance | null, fmt: string): void;
  log(level: LogLevel, message: string): void;
  /** Persists the state into the config file; false (and a logged warning) on failure. */
  flushConfig(): boolean;
  /** Runs the timer handler again soon, to act on a reply without waiting for the next tick. */
  kick(): void;
  /** Queues a user script (notification / client reconfig). */
  scheduleScript(path: string, args: string[]): void;
  /** SENTINEL SIMULATE-FAILURE: exit as a crash would. */
  crash(): void;
}

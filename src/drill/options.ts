/** What a drill run can be told, and its defaults. */
import type { Clock } from '../common/clock.js';
import type { ClientSettings } from './load.js';

export interface DrillOptions {
  /** Writes per second. */
  rate: number;
  /** Reads per second (from replicas); 0 turns the reader off. */
  readRate: number;
  /** Client command timeout; 0 = none. */
  commandTimeoutMs: number;
  /** Client: how long a graceful close may take when moving to a new master (see load.ts). */
  disconnectTimeoutMs: number;
  /** A write slower than this counts as blocked (part of an outage). */
  blockedAfterMs: number;
  /** Load before the fault, for baseline latency. */
  baselineMs: number;
  /** Load after the last step, to show the recovery. */
  settleMs: number;
  /** How long a run waits for its group to be healthy (src/runtime/observe/health.ts) before starting. */
  readyTimeoutMs: number;
  pollMs: number;
  probeTimeoutMs: number;
  /** Only these master groups (default: all). */
  groups?: string[];
  password?: string;
  sentinelPassword?: string;
  natMap?: ClientSettings['natMap'];
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  clock?: Clock;
  runId?: string;
}

export const DEFAULT_OPTIONS: Omit<DrillOptions, 'groups'> = {
  rate: 50,
  readRate: 20,
  commandTimeoutMs: 1000,
  disconnectTimeoutMs: 200,
  blockedAfterMs: 250,
  baselineMs: 2000,
  settleMs: 1500,
  readyTimeoutMs: 90_000,
  pollMs: 200,
  probeTimeoutMs: 500,
};

/** The drill's signal was aborted; `by` is its reason when that is a signal's name (the CLI's). */
export class DrillAborted extends Error {
  readonly by: string | null;
  constructor(signal: AbortSignal) {
    const by = typeof signal.reason === 'string' ? signal.reason : null;
    super(by ? `interrupted by ${by}` : 'interrupted');
    this.by = by;
  }
}

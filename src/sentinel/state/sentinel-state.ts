/** The sentinel's global state: identity, epoch, monitored masters, TILT, global options. */
import type { Instance } from './instance.js';

export const SIMFAILURE_CRASH_AFTER_ELECTION = 1 << 0;
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 1 << 1;

export interface ScriptJob {
  argv: string[];
  running: boolean;
  retryNum: number;
  /** Running: start time. Not running: do not run before this time (0 = any time). */
  startTime: number;
  pid: number;
  kill?: () => void;
}

/** A freeze of this process long enough to matter to the candidate ordering (ticks are ~100 ms). */
export const STALL_MS = 250;

export class SentinelState {
  /** 40 hex characters; '' until generated or loaded. */
  myid = '';
  currentEpoch = 0;
  /** Monitored masters by name. */
  masters = new Map<string, Instance>();
  tilt = false;
  tiltStartTime = 0;
  previousTime: number;
  /**
   * The last time this process itself was frozen (a blocking config save, or a gap between ticks)
   * for longer than STALL_MS: peers it marked SDOWN then had only gone unheard because it was not
   * listening. See smallerReachablePeers.
   */
  lastStall: { from: number; to: number } | null = null;
  runningScripts = 0;
  scriptsQueue: ScriptJob[] = [];
  announceIp: string | null = null;
  announcePort = 0;
  simFailureFlags = 0;
  denyScriptsReconfig = true;
  sentinelAuthPass: string | null = null;
  sentinelAuthUser: string | null = null;
  resolveHostnames = false;
  announceHostnames = false;
  /** This sentinel's own `requirepass`; also sent to peers when sentinel-pass is not set (Redis's fallback). */
  requirePass: string | null = null;

  constructor(now: number) {
    this.previousTime = now;
  }
}

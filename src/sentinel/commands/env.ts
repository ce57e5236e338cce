/** What the command handlers need from the running sentinel besides the shared context. */
import type { SentinelCtx } from '../context.js';
import type { SentinelServer } from '../server/types.js';

export interface ProcessInfo {
  /** Redis version we report, e.g. "7.0.15". */
  version: string;
  /** Per-process random id (INFO run_id), distinct from the persistent sentinel id. */
  runId: string;
  startTime: number;
  configFile: string;
  executable: string;
  port: number;
}

export interface CommandEnv {
  ctx: SentinelCtx;
  server: SentinelServer;
  proc: ProcessInfo;
}

export const ADMIN = { flags: ['admin' as const], categories: ['@admin', '@slow', '@dangerous'] };

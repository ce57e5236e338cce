/**
 * User scripts: `notification-script` (run for every warning-level event of a master) and
 * `client-reconfig-script` (run when a failover changes the master address). As in Redis: a queue
 * of at most 256 jobs, at most 16 running, a job that exits 1 or dies from a signal is retried up
 * to 10 times with a doubling delay, a job running longer than the maximum runtime is killed.
 */
import { spawn } from 'node:child_process';
import type { SentinelCtx } from '../context.js';
import type { Instance } from '../state/instance.js';
import type { ScriptJob, SentinelState } from '../state/sentinel-state.js';

const MAX_QUEUE = 256;
const MAX_RUNNING = 16;
const MAX_RETRY = 10;

export function scheduleScript(state: SentinelState, path: string, args: string[]): void {
  state.scriptsQueue.push({ argv: [path, ...args], running: false, retryNum: 0, startTime: 0, pid: 0 });
  if (state.scriptsQueue.length > MAX_QUEUE) {
    // Drop the oldest job that is not running.
    const i = state.scriptsQueue.findIndex((j) => !j.running);
    if (i >= 0) state.scriptsQueue.splice(i, 1);
  }
}

export function callClientReconfScript(
  ctx: SentinelCtx,
  master: Instance,
  role: 'leader' | 'observer',
  state: string,
  fromHost: string,
  fromPort: number,
  toHost: string,
  toPort: number,
): void {
  if (!master.clientReconfigScript) return;
  ctx.scheduleScript(master.clientReconfigScript, [master.name, role, state, fromHost, String(fromPort), toHost, String(toPort)]);
}

function retryDelay(ctx: SentinelCtx, retryNum: number): number {
  let delay = ctx.timing.scriptRetryDelay;
  while (retryNum-- > 1) delay *= 2;
  return delay;
}

function finished(ctx: SentinelCtx, job: ScriptJob, code: number | null, signal: NodeJS.Signals | null): void {
  const st = ctx.state;
  const exitCode = code ?? 0;
  ctx.event('debug', '-script-child', null, `${job.pid} ${exitCode} ${signal ? 1 : 0}`);
  st.runningScripts--;
  if ((signal || exitCode === 1) && job.retryNum !== MAX_RETRY) {
    job.running = false;
    job.pid = 0;
    job.startTime = ctx.now() + retryDelay(ctx, job.retryNum);
    return;
  }
  if (signal || exitCode !== 0) ctx.event('warning', '-script-error', null, `${job.argv[0]} ${signal ? 1 : 0} ${exitCode}`);
  const i = st.scriptsQueue.indexOf(job);
  if (i >= 0) st.scriptsQueue.splice(i, 1);
}

export function runPendingScripts(ctx: SentinelCtx): void {
  const st = ctx.state;
  const now = ctx.now();
  for (const job of st.scriptsQueue) {
    if (st.runningScripts >= MAX_RUNNING) break;
    if (job.running) continue;
    if (job.startTime && job.startTime > now) continue;
    job.running = true;
    job.startTime = now;
    job.retryNum++;
    st.runningScripts++;
    try {
      const child = spawn(job.argv[0]!, job.argv.slice(1), { stdio: 'ignore' });
      job.pid = child.pid ?? 0;
      job.kill = () => child.kill('SIGKILL');
      child.once('error', () => {
        // Could not execute at all: like Redis's child that fails execve (exit 2, no retry).
        if (job.running) finished(ctx, job, 2, null);
        job.running = false;
      });
      child.once('exit', (code, signal) => {
        if (job.running) finished(ctx, job, code, signal);
        job.running = false;
      });
      ctx.event('debug', '+script-child', null, `${job.pid}`);
    } catch {
      st.runningScripts--;
      job.running = false;
      ctx.event('warning', '-script-error', null, `${job.argv[0]} 99 0`);
    }
  }
}

export function killTimedOutScripts(ctx: SentinelCtx): void {
  const now = ctx.now();
  for (const job of ctx.state.scriptsQueue) {
    if (job.running && now - job.startTime > ctx.timing.scriptMaxRuntime) {
      ctx.event('warning', '-script-timeout', null, `${job.argv[0]} ${job.pid}`);
      job.kill?.();
    }
  }
}

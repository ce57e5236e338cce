/**
 * What every fault command starts from: the rendered folder, the runtime that runs it, and the
 * folder's lock for the moment it changes something.
 */
import path from 'node:path';
import { InterruptedError, UsageError } from '../../common/errors.js';
import { sleepOrAbort } from '../../common/retry.js';
import { systemClock } from '../../common/clock.js';
import type { BringUpLogger } from '../bring-up/index.js';
import { checkServices, nothingRuns, type ServicesCheck } from '../leftovers.js';
import { acquireLock, describeReplaced, holderAlive, readLock, type Lock } from '../lock.js';
import { loadRendered, runtimeForExisting, type RenderedDir } from '../open.js';
import type { Runtime, RuntimeChoice } from '../types.js';

export interface ControlOptions {
  /** The output folder (relative paths are taken from the current directory). */
  outDir: string;
  /** The folder as the user named it, for messages and the commands they suggest (default: outDir). */
  outLabel?: string;
  /** Default: the runtime recorded by the `up` that started it. */
  runtime?: RuntimeChoice;
  logger?: BringUpLogger;
  /** Aborted (reason: the signal's name): waits stop with an InterruptedError; a change under way is finished first. */
  signal?: AbortSignal;
}

export interface Session {
  dir: RenderedDir;
  runtime: Runtime;
  outLabel: string;
  log: BringUpLogger;
}

export const quietLogger: BringUpLogger = { info() {}, warn() {} };

export async function openSession(opts: ControlOptions): Promise<Session> {
  const dir = loadRendered(path.resolve(opts.outDir));
  const { runtime } = await runtimeForExisting(dir, opts.runtime);
  return { dir, runtime, outLabel: opts.outLabel ?? opts.outDir, log: opts.logger ?? quietLogger };
}

/** The services' states, or a UsageError (exit 2) when nothing of the topology runs. */
export async function requireRunning(s: Session): Promise<ServicesCheck> {
  const c = await checkServices(s.runtime, s.dir.outDir);
  if (nothingRuns(c)) {
    throw new UsageError([
      {
        path: '--out',
        message: `nothing of ${s.dir.topology.project} is running in ${s.outLabel} (${s.runtime.kind})`,
        fix: `start it with \`sentinel-compose up --out ${s.outLabel}\``,
      },
    ]);
  }
  return c;
}

/** Commands that hold the lock for a moment only: another one waits for them rather than giving up. */
const BRIEF = ['pause', 'unpause', 'kill', 'restart', 'failover'];
const WAIT_FOR_BRIEF_MS = 30_000;

/**
 * The folder's lock for `command`. Held by another fault command (`pause a & pause b`), it is
 * waited for; held by `up`, `down` or a drill, it is refused at once (UsageError naming the holder).
 */
export async function lockFor(s: Session, command: string, signal?: AbortSignal): Promise<Lock> {
  const deadline = systemClock.monotonic() + WAIT_FOR_BRIEF_MS;
  for (;;) {
    try {
      const lock = acquireLock(s.dir.outDir, command, s.outLabel);
      if (lock.replaced) s.log.info(describeReplaced(lock.replaced));
      return lock;
    } catch (err) {
      const busy = err instanceof UsageError && /is in use by/.test(err.message);
      const holder = readLock(s.dir.outDir);
      // No holder any more: it let go since; try again.
      const brief = busy && (holder === null || (BRIEF.includes(holder.command) && holderAlive(holder)));
      if (!brief || systemClock.monotonic() > deadline) throw err;
    }
    await sleepOrAbort(systemClock, 50, signal);
    if (signal?.aborted)
      throw new InterruptedError(
        String(signal.reason),
        `${command}: interrupted by ${String(signal.reason)} while waiting for the folder's lock; nothing was changed`,
      );
  }
}

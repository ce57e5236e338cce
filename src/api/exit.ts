/**
 * What the library does when the process that started topologies is stopped, so that a test run
 * interrupted half-way leaves nothing running:
 *
 * - SIGINT, SIGTERM, SIGHUP: every topology this process started (and any start under way) is
 *   stopped; then, when nobody else listens for that signal, the signal is raised again, so the
 *   process ends as it would have without the library (exit code 128 + the signal's number). When
 *   the application (or its test runner) has handlers of its own, the process is theirs to end:
 *   the library only stops its topologies. A second SIGINT/SIGTERM while stopping (not the same
 *   one delivered twice within a second, see cli/interrupt.ts) kills what is left at once and exits.
 * - 'exit' (process.exit(), the event loop running dry, a signal raised again): nothing
 *   asynchronous can run any more, so local processes are killed (a paused one resumed first) and
 *   a temporary folder is removed; under Docker a detached `sentinel-compose down` is left to
 *   finish the job.
 *
 * Handlers are installed while at least one topology is live, and removed after the last stops.
 */
import { signalExitCode } from '../common/errors.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SAME_REQUEST_MS = 1000;

export interface Guarded {
  /** Stops the topology (what stop() does); must not throw. */
  stop(): Promise<void>;
  /** Synchronous last resort, from the 'exit' handler. */
  killNow(): void;
  /** Aborted with the signal's name when a signal arrives (cancels a start under way). */
  abort(reason: string): void;
}

const live = new Set<Guarded>();
let installed: { handlers: [string, () => void][]; onExit: () => void } | null = null;
let first: { sig: string; at: number } | null = null;

export function guard(g: Guarded): () => void {
  live.add(g);
  install();
  return () => {
    live.delete(g);
    if (!live.size && !first) uninstall();
  };
}

function install(): void {
  if (installed) return;
  const handlers = SIGNALS.map((sig) => {
    const h = () => void onSignal(sig);
    process.on(sig, h);
    return [sig, h] as [string, () => void];
  });
  const onExit = () => {
    for (const g of [...live]) {
      try {
        g.killNow();
      } catch {
        /* best effort */
      }
    }
    live.clear();
  };
  process.on('exit', onExit);
  installed = { handlers, onExit };
}

function uninstall(): void {
  if (!installed) return;
  for (const [sig, h] of installed.handlers) process.off(sig, h);
  process.off('exit', installed.onExit);
  installed = null;
}

async function onSignal(sig: string): Promise<void> {
  if (first) {
    if (sig === 'SIGHUP' || (sig === first.sig && Date.now() - first.at < SAME_REQUEST_MS)) return;
    // "Quit now": the exit handler kills what is left.
    process.exit(signalExitCode(sig));
  }
  first = { sig, at: Date.now() };
  const ours = installed?.handlers.find(([s]) => s === sig)?.[1];
  // Whether someone else will handle it: decided now, before anything else changes the listeners.
  const othersListen = process.listeners(sig as NodeJS.Signals).some((l) => l !== ours);
  const stopping = [...live];
  for (const g of stopping) g.abort(sig);
  await Promise.all(stopping.map((g) => g.stop()));
  first = null;
  if (othersListen) {
    if (!live.size) uninstall();
    return;
  }
  uninstall();
  // Ends the process as the signal would have without the library.
  process.kill(process.pid, sig);
}

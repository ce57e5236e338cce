/**
 * Stopping a command from outside. `up`, `drill` and `down` change what runs, so a signal must
 * not kill them half-way: the first SIGINT (Ctrl-C), SIGTERM (`kill`, CI cancelling a step) or
 * SIGHUP (terminal closed, ssh dropped), or the reader of stdout/stderr going away (`| head`),
 * aborts `signal` with the signal's name as reason, and the command brings back what it paused
 * and stops what it must before it returns.
 *
 * The same signal again within a second is the same request delivered twice: npx forwards Ctrl-C
 * to its child, which also gets it from the terminal; a closed terminal hangs up the shell, which
 * hangs up its jobs. A later SIGINT or SIGTERM means "quit now": the command says what it leaves
 * behind and exits. A later SIGHUP or closed pipe never does: nobody is watching any more, and
 * finishing the clean-up is all that is left to do.
 */
import { signalExitCode } from '../common/errors.js';
import { outputClosed } from '../common/log.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SAME_REQUEST_MS = 1000;

export interface Interrupts {
  /** Aborted on the first interrupt; `reason` is the signal's name (SIGPIPE for a closed output). */
  readonly signal: AbortSignal;
  dispose(): void;
}

export interface InterruptOptions {
  /** The first interrupt: say what happens now (stderr may be gone already). */
  onStop(signal: string): void;
  /** A second SIGINT/SIGTERM: what is left behind and how to finish, printed before exiting. */
  onQuit?(signal: string): string | undefined;
}

export function catchInterrupts(opts: InterruptOptions): Interrupts {
  const abort = new AbortController();
  let firstAt = 0;
  let first: string | null = null;
  const interrupt = (sig: string) => {
    if (first === null) {
      first = sig;
      firstAt = Date.now();
      abort.abort(sig);
      opts.onStop(sig);
      return;
    }
    if (sig === 'SIGHUP' || sig === 'SIGPIPE') return;
    if (sig === first && Date.now() - firstAt < SAME_REQUEST_MS) return;
    const left = opts.onQuit?.(sig);
    if (left) process.stderr.write(`${sig} again: quitting now. ${left}\n`);
    process.exit(signalExitCode(sig));
  };
  const handlers = SIGNALS.map((sig) => {
    const h = () => interrupt(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  const stopOnClosed = onOutputClosed(() => interrupt('SIGPIPE'));
  return {
    signal: abort.signal,
    dispose() {
      for (const [sig, h] of handlers) process.off(sig, h);
      stopOnClosed();
    },
  };
}

/**
 * Calls `stop` once stdout or stderr can no longer be written (EPIPE: the reader of a pipe went
 * away; EIO: the terminal was closed), until the returned function is called.
 */
export function onOutputClosed(stop: () => void): () => void {
  const closed = outputClosed();
  if (closed.aborted) {
    stop();
    return () => {};
  }
  closed.addEventListener('abort', stop, { once: true });
  return () => closed.removeEventListener('abort', stop);
}

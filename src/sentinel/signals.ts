/**
 * SIGTERM / SIGINT caught from the first moment of the process. Node only stops a signal's default
 * action (terminate) once a listener exists, and in a container the sentinel is PID 1, where a
 * signal with no handler is dropped altogether: a SIGTERM that arrived while the program was still
 * loading or reading its config either killed it (exit by signal, not 0) or was lost (docker
 * waited 10 s). The latch holds a signal until the program is ready to shut down cleanly.
 * Node built-ins only: this is loaded before anything else.
 */
export class SignalLatch {
  /** The first signal that arrived before a handler was set. */
  received: NodeJS.Signals | null = null;
  private handler: ((signal: NodeJS.Signals) => void) | null = null;
  private readonly listener = (signal: NodeJS.Signals): void => {
    if (this.handler) this.handler(signal);
    else this.received ??= signal;
  };

  constructor(private readonly signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']) {
    for (const s of signals) process.on(s, this.listener);
  }

  /** From now on signals go to `handler`; one that came earlier is handed over at once. */
  onSignal(handler: (signal: NodeJS.Signals) => void): void {
    this.handler = handler;
    if (this.received) handler(this.received);
  }

  dispose(): void {
    for (const s of this.signals) process.off(s, this.listener);
    this.handler = null;
  }
}

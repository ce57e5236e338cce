/**
 * The application's traffic during a test: postings at a steady pace, each issued on schedule
 * whether or not earlier ones came back (as requests from many users would), with what happened
 * to each one kept for the asserts.
 */
import { performance } from 'node:perf_hooks';
import type { Ledger, Posting } from '../src/ledger.js';

export interface Outcome {
  posting: Posting;
  /** performance.now() when it was issued and when it settled. */
  issuedAt: number;
  settledAt: number;
  acked: boolean;
  error?: string;
}

export class Traffic {
  readonly outcomes: Outcome[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly ledger: Ledger,
    private readonly account: string,
    private readonly everyMs = 10,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.issue(), this.everyMs);
  }

  /** Stops issuing and waits for every posting in flight to settle (each is bounded by the ledger's timeouts). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  get acked(): Outcome[] {
    return this.outcomes.filter((o) => o.acked);
  }

  /** Resolves once `count` postings issued after `since` were acknowledged; rejects after `timeoutMs`. */
  async ackedAfter(since: number, count: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.outcomes.filter((o) => o.acked && o.issuedAt >= since).length < count) {
      if (performance.now() > deadline) {
        const settled = this.outcomes.filter((o) => o.issuedAt >= since);
        const last = settled.filter((o) => !o.acked).at(-1);
        throw new Error(
          `${settled.filter((o) => o.acked).length} of ${settled.length} postings issued since then acknowledged within ${Math.round(timeoutMs)} ms, ` +
            `not ${count}${last ? `; the last refused one: ${last.error}` : ''}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private issue(): void {
    const seq = ++this.seq;
    // The amount is the sequence number, so that a posting applied twice or lost shows in the balance.
    const posting: Posting = { id: `${this.account}-${seq}`, account: this.account, amountCents: seq };
    const issuedAt = performance.now();
    const p = this.ledger.post(posting).then(
      () => {
        this.outcomes.push({ posting, issuedAt, settledAt: performance.now(), acked: true });
      },
      (err: unknown) => {
        this.outcomes.push({ posting, issuedAt, settledAt: performance.now(), acked: false, error: err instanceof Error ? err.message : String(err) });
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

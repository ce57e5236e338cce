/**
 * Every sentinel's pub/sub events, stamped on receipt. One PSUBSCRIBE * connection per sentinel;
 * a paused sentinel simply says nothing until it resumes, and a reconnect resubscribes.
 */
import { Redis } from 'ioredis';
import type { Clock } from '../common/clock.js';
import type { Endpoint } from '../runtime/types.js';

export interface RawEvent {
  /** Clock.monotonic() at receipt. */
  at: number;
  sentinel: string;
  channel: string;
  message: string;
}

export class EventRecorder {
  readonly events: RawEvent[] = [];
  private readonly clients: Redis[] = [];
  private readonly listeners = new Set<(e: RawEvent) => void>();

  constructor(private readonly clock: Clock) {}

  /** Subscribes to every sentinel; resolves when each one confirmed (or failed: it keeps retrying). */
  async start(sentinels: { service: string; endpoint: Endpoint }[], password?: string, timeoutMs = 5000): Promise<string[]> {
    const failures: string[] = [];
    await Promise.all(
      sentinels.map(async ({ service, endpoint }) => {
        const client = new Redis({
          host: endpoint.host,
          port: endpoint.port,
          password,
          enableReadyCheck: false,
          retryStrategy: () => 200,
          maxRetriesPerRequest: null,
        });
        client.on('error', () => {
          /* reconnects on its own; a missing sentinel shows up in the checks */
        });
        client.on('pmessage', (_pattern: string, channel: string, message: string) => {
          if (channel.startsWith('__')) return;
          const e = { at: this.clock.monotonic(), sentinel: service, channel, message };
          this.events.push(e);
          for (const l of this.listeners) l(e);
        });
        this.clients.push(client);
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            client.psubscribe('*'),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
        } catch (err) {
          failures.push(`${service}: cannot subscribe to events (${err instanceof Error ? err.message : String(err)})`);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return failures;
  }

  onEvent(listener: (e: RawEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events received in [from, to] (monotonic ms). */
  between(from: number, to: number): RawEvent[] {
    return this.events.filter((e) => e.at >= from && e.at <= to);
  }

  stop(): void {
    for (const c of this.clients) c.disconnect();
    this.clients.length = 0;
    this.listeners.clear();
  }
}

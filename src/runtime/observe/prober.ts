/**
 * Asking one node or sentinel questions, on one connection kept across looks. Paused processes
 * (SIGSTOP, docker pause) accept TCP connections but never answer, so every question has a
 * deadline, and a node that has not answered the last one is not asked again until it does: its
 * replies would otherwise pile up and arrive out of step, and a slow node would collect one
 * pending question per look. A connection that stays silent for long is dropped and made again:
 * behind Docker's port publishing (docker-proxy) a connection made while a container restarts is
 * accepted by the proxy, whose own connection to the container may then wait a minute on SYN
 * retransmits.
 */
import { Redis } from 'ioredis';
import type { Endpoint } from '../types.js';
import { errorText } from './replies.js';

/** The question got no answer: no connection, the deadline passed, or the previous one is still pending. */
export class NoReply extends Error {
  override name = 'NoReply';
}

export class Prober {
  private client: Redis;
  private inflight: Promise<unknown> | null = null;
  /** Why the last connection attempt failed (ECONNREFUSED ...), for a question that could not be sent. */
  private connectError: unknown = null;
  private inflightSince = 0;
  /** How long an unanswered question may hold the connection before it is made again. */
  private readonly staleMs: number;

  constructor(
    readonly service: string,
    private readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
    private readonly password?: string,
  ) {
    this.staleMs = Math.max(4 * timeoutMs, 2000);
    this.client = this.connect();
  }

  private connect(): Redis {
    const client = new Redis({
      host: this.endpoint.host,
      port: this.endpoint.port,
      password: this.password,
      connectTimeout: Math.max(this.timeoutMs, 1000),
      enableReadyCheck: false,
      // Queued while (re)connecting; with maxRetriesPerRequest 0 a node that refuses connections
      // fails the question at the first retry instead of holding it.
      enableOfflineQueue: true,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
      lazyConnect: false,
    });
    client.on('error', (err: unknown) => {
      this.connectError = err;
    });
    client.on('ready', () => (this.connectError = null));
    return client;
  }

  /**
   * Why a question failed. One that never left because there is no connection fails with the
   * client's "max retries per request" (see maxRetriesPerRequest above): say what is wrong instead.
   */
  explain(err: unknown): string {
    if (neverSent(err)) return this.connectError ? errorText(this.connectError) : 'not connected';
    return errorText(err);
  }

  /** Runs `fn` on the connection, within the deadline; throws NoReply when there is no answer. */
  async ask<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
    if (this.inflight) {
      if (performance.now() - this.inflightSince < this.staleMs) throw new NoReply('has not answered the previous question');
      // The socket is destroyed, not ended: the silent peer would never finish a graceful close.
      this.client.stream?.destroy();
      this.client.disconnect();
      this.client = this.connect();
      this.inflight = null;
    }
    const p = fn(this.client);
    this.inflight = p;
    this.inflightSince = performance.now();
    const clear = () => {
      if (this.inflight === p) this.inflight = null;
    };
    p.then(clear, clear);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p.catch((err: unknown) => {
          throw neverSent(err) ? new NoReply(this.explain(err)) : err;
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NoReply(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    // Destroyed, not ended (as above): a paused peer never answers the FIN, and the half-closed
    // socket would keep the process alive for seconds after a command is done.
    this.client.stream?.destroy();
    this.client.disconnect();
  }
}

/** ioredis' MaxRetriesPerRequestError (not exported; its class name may change in a bundle). */
export function neverSent(err: unknown): boolean {
  return err instanceof Error && (err.name === 'MaxRetriesPerRequestError' || /max retries per request/i.test(err.message));
}

/**
 * The application a drill stands in for: a Sentinel-aware client (ioredis with `sentinels` and
 * `name`) that writes sequence numbers at a steady rate, and a second one reading from replicas.
 * Each operation is issued on schedule whether or not the previous one came back, so a blocked
 * master shows up as rising latency and a refused one as errors, never as a pause in the load.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Clock } from '../common/clock.js';
import type { Endpoint } from '../runtime/types.js';

export interface RawSample {
  seq: number;
  /** Clock.monotonic() values. */
  issuedAt: number;
  settledAt: number | null;
  ok: boolean;
  error?: string;
}

export interface ClientSettings {
  sentinels: Endpoint[];
  group: string;
  password?: string;
  sentinelPassword?: string;
  /** Address sentinels hand out -> address this machine reaches it at (bridge networks). */
  natMap?: Record<string, { host: string; port: number }>;
  /** 0: no client-side timeout (a write to a paused master waits until the client reconnects). */
  commandTimeoutMs: number;
  /**
   * How long the client waits for a graceful close before dropping the connection when it moves
   * to a new master. A paused master never completes the close, so this adds directly to the
   * outage (ioredis's default is 2000).
   */
  disconnectTimeoutMs: number;
}

/**
 * ioredis as an application would configure it for Sentinel: ask the sentinels for the master,
 * watch `+switch-master` to reconnect at once (failoverDetector), queue commands while
 * reconnecting. Reconnects are retried every 100 ms rather than with ioredis's growing backoff,
 * and the old connection is dropped quickly (`disconnectTimeoutMs`), so that the outage measured
 * is the topology's rather than the client's backoff schedule; both are in the report.
 */
export function sentinelClientOptions(s: ClientSettings, role: 'master' | 'slave'): RedisOptions {
  return {
    sentinels: s.sentinels.map((e) => ({ host: e.host, port: e.port })),
    name: s.group,
    role,
    password: s.password,
    sentinelPassword: s.sentinelPassword,
    natMap: s.natMap,
    failoverDetector: true,
    disconnectTimeout: s.disconnectTimeoutMs,
    commandTimeout: s.commandTimeoutMs > 0 ? s.commandTimeoutMs : undefined,
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
    sentinelReconnectStrategy: () => 100,
    enableOfflineQueue: true,
    lazyConnect: true,
  };
}

function errorText(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  // Keep error kinds countable: drop addresses and counts that vary per occurrence.
  return m
    .replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR')
    .split('\n')[0]!
    .slice(0, 200);
}

export class SteadyLoad {
  readonly samples: RawSample[] = [];
  /**
   * Times ioredis gave up on its connection for good (status `end`) and the drill reconnected
   * it. ioredis 5 does this when its failover detector disconnects while a reconnect is still
   * asking the sentinels (a killed master): an application would stay without Redis until
   * restarted. The drill reconnects, as a supervisor would, and reports it.
   */
  clientRestarts = 0;
  private readonly client: Redis;
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    options: RedisOptions,
    private readonly op: (c: Redis, seq: number) => Promise<unknown>,
    private readonly rate: number,
    private readonly clock: Clock,
  ) {
    this.client = new Redis(options);
    this.client.on('error', () => {
      /* every failed operation is recorded with its error */
    });
    this.client.on('end', () => {
      if (this.stopped || !this.started) return;
      this.clientRestarts++;
      setTimeout(() => {
        if (!this.stopped) this.client.connect().catch(() => undefined);
      }, 100);
    });
  }

  private started = false;

  /** Connects; rejects when the client cannot reach a usable node within `timeoutMs`. */
  async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not connected after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  start(): void {
    this.started = true;
    const period = 1000 / this.rate;
    let due = this.clock.monotonic();
    const tick = () => {
      if (this.stopped) return;
      const now = this.clock.monotonic();
      // Behind by more than a period (a busy machine): skip the missed slots rather than burst.
      if (now - due > period) due = now;
      this.issue();
      due += period;
      this.timer = setTimeout(tick, Math.max(0, due - this.clock.monotonic()));
    };
    tick();
  }

  private issue(): void {
    const seq = ++this.seq;
    const sample: RawSample = { seq, issuedAt: this.clock.monotonic(), settledAt: null, ok: false };
    this.samples.push(sample);
    const p = this.op(this.client, seq).then(
      () => {
        sample.settledAt = this.clock.monotonic();
        sample.ok = true;
      },
      (err: unknown) => {
        sample.settledAt = this.clock.monotonic();
        sample.error = errorText(err);
      },
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Stops issuing; waits up to `timeoutMs` for what is in flight. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client.disconnect();
  }
}

/** The key a run writes to; unique per run so that runs never see each other's data. */
export function drillKey(runId: string, group: string, scenario: string): string {
  return `sc-drill:${runId}:${group}:${scenario}`;
}

export function writer(settings: ClientSettings, key: string, rate: number, clock: Clock): SteadyLoad {
  return new SteadyLoad(sentinelClientOptions(settings, 'master'), (c, seq) => c.rpush(key, String(seq)), rate, clock);
}

export function reader(settings: ClientSettings, key: string, rate: number, clock: Clock): SteadyLoad {
  return new SteadyLoad(sentinelClientOptions(settings, 'slave'), (c) => c.llen(key), rate, clock);
}

/**
 * A client that does not ask the sentinels: connected to one node and staying with it, the way
 * an application on the far side of a partition keeps writing to the master it has (a
 * partitioned master answers it as long as it believes it is master).
 */
export function directWriter(
  node: Endpoint,
  settings: Pick<ClientSettings, 'password' | 'commandTimeoutMs'>,
  key: string,
  rate: number,
  clock: Clock,
): SteadyLoad {
  const options: RedisOptions = {
    host: node.host,
    port: node.port,
    password: settings.password,
    commandTimeout: settings.commandTimeoutMs > 0 ? settings.commandTimeoutMs : undefined,
    retryStrategy: () => 100,
    enableOfflineQueue: true,
    lazyConnect: true,
  };
  return new SteadyLoad(options, (c, seq) => c.rpush(key, String(seq)), rate, clock);
}

/** Sequence numbers in the final list, compared with what the writer was told. */
export function compareWrites(
  samples: readonly RawSample[],
  stored: readonly string[],
): { lost: number[]; appliedDespiteError: number[]; duplicates: number[] } {
  const counts = new Map<number, number>();
  for (const v of stored) {
    const n = Number(v);
    if (Number.isInteger(n)) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const lost: number[] = [];
  const applied: number[] = [];
  for (const s of samples) {
    const present = counts.has(s.seq);
    if (s.ok && !present) lost.push(s.seq);
    if (!s.ok && present) applied.push(s.seq);
  }
  const duplicates = [...counts.entries()]
    .filter(([, c]) => c > 1)
    .map(([n]) => n)
    .sort((a, b) => a - b);
  return { lost, appliedDespiteError: applied, duplicates };
}

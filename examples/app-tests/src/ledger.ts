/**
 * The application under test: a small ledger service that records postings (an amount of money
 * to an account) in Redis, found through Sentinel with ioredis. A posting is acknowledged only
 * once Redis has it on every replica, so an acknowledged posting survives any single failover.
 *
 * Nothing in here knows about tests or sentinel-compose: this is the code a service would ship.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Where the sentinels are: what `topology.clientOptions()` gives, or your service's config. */
export interface SentinelConnection {
  sentinels: Array<{ host: string; port: number }>;
  /** The master group the sentinels monitor. */
  name: string;
  password?: string;
  sentinelPassword?: string;
  /** Addresses the sentinels hand out -> where this process reaches them (Docker bridge networks). */
  natMap?: Record<string, { host: string; port: number }>;
}

export interface LedgerOptions {
  /** Replicas that must hold a posting before it is acknowledged (Redis WAIT). Use the number of replicas: see below. */
  replicas: number;
  /** How long one posting waits for them before it is reported as not acknowledged (default 500 ms). */
  replicationTimeoutMs?: number;
  /** Bound on every Redis command (default 1000 ms): a master that hangs must not hang the callers. */
  commandTimeoutMs?: number;
  /** Key prefix (default `ledger:`). */
  prefix?: string;
}

export interface Posting {
  /** Chosen by the caller, unique per posting: posting the same id again is safe (idempotent). */
  id: string;
  account: string;
  amountCents: number;
}

export interface Receipt {
  id: string;
  /** True when this id was already recorded (a retry): the balance was not changed again. */
  duplicate: boolean;
  /** The account's balance after the posting. */
  balanceCents: number;
}

/** The posting may or may not have been recorded: retry it with the same id. */
export class NotAcknowledgedError extends Error {
  override name = 'NotAcknowledgedError';
}

// Records the posting under its id unless that id is there already, and moves the balance once.
// A retried id is written again with the same content, so that the WAIT after it covers the
// posting on this master too (WAIT waits for this connection's last write, and a script that
// writes nothing would leave it at an earlier one).
const POST_SCRIPT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  if existing ~= ARGV[4] then
    return redis.error_reply('ERR posting ' .. ARGV[1] .. ' was recorded with other content')
  end
  redis.call('HSET', KEYS[1], ARGV[1], existing)
  return {1, tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return {0, redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])}
`;

type LedgerRedis = Redis & {
  ledgerPost(postings: string, balances: string, id: string, account: string, amount: number, json: string): Promise<[number, number]>;
};

/**
 * ioredis in Sentinel mode, set up for failover:
 *
 * - `failoverDetector`: subscribe to the sentinels' +switch-master and leave the old master as
 *   soon as one is announced, instead of waiting for the connection to fail (a paused master
 *   never closes it).
 * - `sentinelRetryStrategy`: when no sentinel answers, keep asking (every 100 ms, up to every
 *   second). Returning null would make the client give up for good.
 * - `retryStrategy`: the connection to the master was lost; reconnect, which asks the sentinels
 *   for the master again, soon (50 ms, growing to 500 ms): a failover takes about a second.
 * - `reconnectOnError`: a demoted master answers writes with READONLY; reconnect (asking the
 *   sentinels again) and resend the command (2) rather than fail it.
 * - `enableOfflineQueue: true` (ioredis's default, kept on purpose): a posting made while the
 *   client is between masters waits in the queue and goes to the new one, rather than failing at
 *   once with "Stream isn't writeable". `commandTimeout` bounds that wait, and a posting is
 *   idempotent, so a queued or resent one (ioredis resends what was in flight when a connection
 *   dropped) can never be applied twice.
 * - `commandTimeout`: a paused master accepts connections and commands and answers nothing;
 *   without a bound every caller would hang until the sentinels moved the master.
 */
export function redisOptions(conn: SentinelConnection, commandTimeoutMs = 1000): RedisOptions {
  return {
    sentinels: conn.sentinels,
    name: conn.name,
    role: 'master',
    password: conn.password,
    sentinelPassword: conn.sentinelPassword,
    natMap: conn.natMap,
    failoverDetector: true,
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    retryStrategy: (attempt) => Math.min(attempt * 50, 500),
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    enableOfflineQueue: true,
    commandTimeout: commandTimeoutMs,
    lazyConnect: true,
  };
}

export class Ledger {
  private readonly redis: LedgerRedis;
  private readonly opts: Required<LedgerOptions>;
  private readonly postings: string;
  private readonly balances: string;
  /** Connections lost so far: an acknowledgement is trusted only when none was lost during the posting. */
  private connectionsLost = 0;
  private closing = false;
  /** Times ioredis gave up its connection for good (status `end`) and the ledger started it again. */
  restarts = 0;

  private constructor(conn: SentinelConnection, opts: LedgerOptions) {
    this.opts = { replicationTimeoutMs: 500, commandTimeoutMs: 1000, prefix: 'ledger:', ...opts };
    this.postings = `${this.opts.prefix}postings`;
    this.balances = `${this.opts.prefix}balances`;
    this.redis = new Redis(redisOptions(conn, this.opts.commandTimeoutMs)) as LedgerRedis;
    this.redis.defineCommand('ledgerPost', { numberOfKeys: 2, lua: POST_SCRIPT });
    // Failed commands reach their callers; the 'error' events of reconnecting are not news.
    this.redis.on('error', () => {});
    this.redis.on('close', () => {
      this.connectionsLost++;
    });
    // ioredis 5 can end its connection for good when the failover detector disconnects it while
    // a reconnect is still asking the sentinels. A service keeps going: start it again.
    this.redis.on('end', () => {
      if (this.closing) return;
      this.restarts++;
      setTimeout(() => {
        if (!this.closing) this.redis.connect().catch(() => {});
      }, 100);
    });
  }

  /** Connects through the sentinels; rejects when no master is reachable. */
  static async connect(conn: SentinelConnection, opts: LedgerOptions): Promise<Ledger> {
    const ledger = new Ledger(conn, opts);
    try {
      await ledger.redis.connect();
    } catch (err) {
      ledger.close();
      throw err;
    }
    return ledger;
  }

  /**
   * Records a posting and acknowledges it once every replica has it (WAIT). Rejects when that is
   * not certain: a command failed or timed out, fewer replicas confirmed in time, or the
   * connection changed in between (a WAIT resent on a new connection would confirm nothing).
   *
   * Why every replica and not one: in a failover Sentinel promotes one replica, and the old master
   * keeps taking writes until the clients leave it (and, in a manual failover, until it is
   * demoted). A replica that has not yet been moved to the new master still confirms those
   * writes, and loses them when it resyncs from the new one. With WAIT for every replica, a write
   * after the promotion can never be confirmed (the promoted one no longer replicates from the
   * old master), and one before it is on whichever replica is promoted. The price: while a
   * replica is down, postings are refused.
   */
  async post(p: Posting): Promise<Receipt> {
    const lostBefore = this.connectionsLost;
    const json = JSON.stringify({ account: p.account, amountCents: p.amountCents });
    const [duplicate, balance] = await this.redis.ledgerPost(this.postings, this.balances, p.id, p.account, p.amountCents, json);
    const confirmed = await this.redis.wait(this.opts.replicas, this.opts.replicationTimeoutMs);
    if (this.connectionsLost !== lostBefore) {
      throw new NotAcknowledgedError(`posting ${p.id}: the connection to Redis changed while it was written; post it again (same id)`);
    }
    if (confirmed < this.opts.replicas) {
      throw new NotAcknowledgedError(
        `posting ${p.id}: ${confirmed} of ${this.opts.replicas} replicas confirmed it within ${this.opts.replicationTimeoutMs} ms; post it again (same id)`,
      );
    }
    return { id: p.id, duplicate: duplicate === 1, balanceCents: Number(balance) };
  }

  /** A recorded posting, or null. Read from the master. */
  async get(id: string): Promise<Posting | null> {
    const json = await this.redis.hget(this.postings, id);
    if (json === null) return null;
    const { account, amountCents } = JSON.parse(json) as { account: string; amountCents: number };
    return { id, account, amountCents };
  }

  async balance(account: string): Promise<number> {
    return Number((await this.redis.hget(this.balances, account)) ?? 0);
  }

  close(): void {
    this.closing = true;
    this.redis.disconnect();
  }
}

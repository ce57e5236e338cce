/**
 * Redis's defaults for a monitored master's settings, defined once: the config parser starts every
 * `sentinel monitor` from them and the rewrite leaves out values equal to them. The first two also
 * seed `Timing` below, which SENTINEL MONITOR at run time reads and SENTINEL DEBUG may change.
 */
export const SENTINEL_DEFAULT_DOWN_AFTER = 30_000;
export const SENTINEL_DEFAULT_FAILOVER_TIMEOUT = 180_000;
export const SENTINEL_DEFAULT_PARALLEL_SYNCS = 1;

/**
 * The named millisecond timers of Sentinel, with Redis's defaults. All of them can be changed at
 * run time with `SENTINEL DEBUG <name> <ms>` (Redis's own tests shrink them that way), so code
 * reads them from this object on every use instead of copying them.
 */
export interface Timing {
  infoPeriod: number;
  pingPeriod: number;
  askPeriod: number;
  publishPeriod: number;
  defaultDownAfter: number;
  defaultFailoverTimeout: number;
  tiltTrigger: number;
  tiltPeriod: number;
  slaveReconfTimeout: number;
  minLinkReconnectPeriod: number;
  electionTimeout: number;
  scriptMaxRuntime: number;
  scriptRetryDelay: number;
}

export function defaultTiming(): Timing {
  return {
    infoPeriod: 10_000,
    pingPeriod: 1_000,
    askPeriod: 1_000,
    publishPeriod: 2_000,
    defaultDownAfter: SENTINEL_DEFAULT_DOWN_AFTER,
    defaultFailoverTimeout: SENTINEL_DEFAULT_FAILOVER_TIMEOUT,
    tiltTrigger: 2_000,
    tiltPeriod: 30_000,
    slaveReconfTimeout: 10_000,
    minLinkReconnectPeriod: 15_000,
    electionTimeout: 10_000,
    scriptMaxRuntime: 60_000,
    scriptRetryDelay: 30_000,
  };
}

/** SENTINEL DEBUG names, in the order `SENTINEL DEBUG` lists them. */
export const DEBUG_NAMES: Array<[string, keyof Timing]> = [
  ['INFO-PERIOD', 'infoPeriod'],
  ['PING-PERIOD', 'pingPeriod'],
  ['ASK-PERIOD', 'askPeriod'],
  ['PUBLISH-PERIOD', 'publishPeriod'],
  ['DEFAULT-DOWN-AFTER', 'defaultDownAfter'],
  ['DEFAULT-FAILOVER-TIMEOUT', 'defaultFailoverTimeout'],
  ['TILT-TRIGGER', 'tiltTrigger'],
  ['TILT-PERIOD', 'tiltPeriod'],
  ['SLAVE-RECONF-TIMEOUT', 'slaveReconfTimeout'],
  ['MIN-LINK-RECONNECT-PERIOD', 'minLinkReconnectPeriod'],
  ['ELECTION-TIMEOUT', 'electionTimeout'],
  ['SCRIPT-MAX-RUNTIME', 'scriptMaxRuntime'],
  ['SCRIPT-RETRY-DELAY', 'scriptRetryDelay'],
];

/** Fixed constants that SENTINEL DEBUG does not change. */
export const SENTINEL_DEFAULT_SLAVE_PRIORITY = 100;
export const SENTINEL_MAX_PENDING_COMMANDS = 100;
/** Random delay (0..this) added after voting for another sentinel, so that the next try is desynchronised. */
export const SENTINEL_MAX_DESYNC = 1000;
export const HELLO_CHANNEL = '__sentinel__:hello';

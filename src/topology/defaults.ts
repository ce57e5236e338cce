/** The spec file commands read when --spec is not given (and `init` writes). */
export const DEFAULT_SPEC_FILE = 'sentinel-compose.yaml';

/**
 * Defaults: the one place they are defined. They reproduce the seed's layout (1 master `mymaster`, 2 replicas, 3 sentinels,
 * quorum 2, host networking) with drill-friendly sentinel timings. ./read.ts applies them, `init`
 * offers them as its flags' defaults and writes them into the spec it makes. The schema states
 * the same values as `default` for editors (it must be plain JSON they can read); a unit test
 * keeps the two equal.
 */
export const DEFAULTS = {
  project: 'sentinel-compose',
  network: 'host',
  timezone: null,
  images: {
    redis: 'redis:7.0',
    node: 'node:20-bookworm-slim',
    sentinel: 'sentinel-compose/sentinel:local',
    /** Helper containers that cut links for partition drills (iptables, iproute2). */
    nettools: 'nicolaka/netshoot:latest',
  },
  ports: { redis: 6379, sentinel: 26379 },
  hostBind: '127.0.0.1',
  bridgeBind: '0.0.0.0',
  /** Bridge mode: what containers (via host-gateway) and Docker Desktop hosts can both resolve. */
  bridgeAnnounce: 'host.docker.internal',
  masterName: 'mymaster',
  replicas: 2,
  persistence: 'rdb',
  minReplicasToWrite: 0,
  minReplicasMaxLag: 10,
  replicaPriority: 100,
  sentinels: {
    count: 3,
    implementation: 'bundled',
    downAfterMs: 5000,
    failoverTimeoutMs: 60000,
    parallelSyncs: 1,
  },
  /** Inside a bridge network every node uses the standard port. */
  standardRedisPort: 6379,
  standardSentinelPort: 26379,
  redisPasswordVar: 'REDIS_PASSWORD',
  sentinelPasswordVar: 'SENTINEL_PASSWORD',
  /** auth.user.password: what the sentinels log in to the data nodes with (auth-pass). */
  dataUserPasswordVar: 'SENTINEL_AUTH_PASSWORD',
  /** auth.sentinel-user.password: what the sentinels log in to each other with (sentinel-pass). */
  sentinelUserPasswordVar: 'SENTINEL_PEER_PASSWORD',
  announceVar: 'SC_ANNOUNCE_HOST',
} as const;

/** Below this, ordinary GC pauses or a busy laptop trigger false failovers. */
export const LOW_DOWN_AFTER_MS = 1000;

/** A majority of `count` sentinels: the default quorum, and the votes a failover leader needs. */
export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

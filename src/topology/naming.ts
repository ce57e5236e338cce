/**
 * Service names. One master: redis-master, redis-replica-N. Several: prefixed by the master's
 * name (orders-master, orders-replica-1). Sentinels: redis-sentinel-N in both cases, because
 * one sentinel group monitors every master.
 */
export function masterService(masterName: string, single: boolean): string {
  return `${single ? 'redis' : masterName}-master`;
}

export function replicaService(masterName: string, single: boolean, index: number): string {
  return `${single ? 'redis' : masterName}-replica-${index}`;
}

export function sentinelService(index: number): string {
  return `redis-sentinel-${index}`;
}

/** Bridge-mode local runtime: node N (2, 3, ...) gets 127.0.0.N, continuing into 127.0.1.x. */
export function loopbackAddress(n: number): string {
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Host name resolution for `resolve-hostnames yes` (Docker service names). Redis resolves
 * synchronously; Node cannot, so lookups fill a cache that the state code reads synchronously,
 * and every use of an unresolved name starts a new lookup.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostResolver } from './state/addr.js';

export function createDnsResolver(): HostResolver {
  const cache = new Map<string, string>();
  const inflight = new Map<string, Promise<string | null>>();
  const resolve = (host: string): Promise<string | null> => {
    if (isIP(host)) return Promise.resolve(host);
    const running = inflight.get(host);
    if (running) return running;
    const p = lookup(host)
      .then((r) => {
        cache.set(host.toLowerCase(), r.address);
        return r.address;
      })
      .catch(() => null)
      .finally(() => inflight.delete(host));
    inflight.set(host, p);
    return p;
  };
  return {
    cached: (host) => (isIP(host) ? host : (cache.get(host.toLowerCase()) ?? null)),
    refresh: (host) => void resolve(host),
    resolve,
  };
}

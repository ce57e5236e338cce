/**
 * Instance addresses. Like Redis, an address keeps the name it was given (`hostname`, which may be
 * an IP literal) and the IP it resolved to (`ip`). Without `resolve-hostnames` only IP literals are
 * accepted. With it, names are resolved through a cache that the resolver fills asynchronously
 * (Node has no synchronous DNS): an unresolved name has `ip` '' and is connected to by name.
 */
import { isIP } from 'node:net';

export interface Addr {
  hostname: string;
  ip: string;
  port: number;
}

export interface HostResolver {
  /** The cached IP for `host`, or null when not (yet) known. */
  cached(host: string): string | null;
  /** Starts a lookup so that later `cached` calls may answer. */
  refresh(host: string): void;
  /** Looks `host` up now (and caches the answer); null when it does not resolve. */
  resolve(host: string): Promise<string | null>;
}

/** A resolver that knows nothing: only IP literals resolve. */
export const noResolver: HostResolver = {
  cached: () => null,
  refresh: () => {},
  resolve: async (host) => (isIP(host) ? host : null),
};

export type AddrError = 'EINVAL' | 'ENOENT';

/**
 * Builds an address. Returns an error code like Redis's createSentinelAddr: EINVAL for a bad
 * port, ENOENT for a name that cannot be used (not an IP while resolve-hostnames is off, or not
 * resolvable and `acceptUnresolved` false).
 */
export function createAddr(
  hostname: string,
  port: number,
  opts: { resolveHostnames: boolean; resolver: HostResolver; acceptUnresolved: boolean },
): Addr | AddrError {
  if (!Number.isInteger(port) || port < 0 || port > 65535) return 'EINVAL';
  if (isIP(hostname)) return { hostname, ip: hostname, port };
  if (!opts.resolveHostnames) return 'ENOENT';
  const ip = opts.resolver.cached(hostname);
  if (ip) return { hostname, ip, port };
  opts.resolver.refresh(hostname);
  if (!opts.acceptUnresolved) return 'ENOENT';
  return { hostname, ip: '', port };
}

export function isAddrError(a: Addr | AddrError): a is AddrError {
  return typeof a === 'string';
}

/** Same port and same IP (case-insensitive, for IPv6). */
export function addrEqual(a: Addr, b: Addr): boolean {
  return a.port === b.port && a.ip.toLowerCase() === b.ip.toLowerCase();
}

/** Same port and the same IP, or the same name when one of them could not be resolved. */
export function addrOrHostnameEqual(a: Addr, b: Addr): boolean {
  return a.port === b.port && ((a.ip !== '' && a.ip === b.ip) || a.hostname.toLowerCase() === b.hostname.toLowerCase());
}

/** Does `host` (a name or IP, as a replica reports it) designate the address `a`? */
export function addrMatchesHost(a: Addr, host: string | null, resolveHostnames: boolean, resolver: HostResolver): boolean {
  if (host === null) return false;
  let ip: string | null = isIP(host) ? host : null;
  if (!ip && resolveHostnames) ip = resolver.cached(host);
  if (!ip) {
    // Not resolvable right now: fall back to comparing names, which is what an unresolved
    // address (ip '') can offer.
    return a.ip === '' && a.hostname.toLowerCase() === host.toLowerCase();
  }
  return a.ip.toLowerCase() === ip.toLowerCase();
}

/** The address as announced: the name when announce-hostnames is on, else the IP. */
export function announceHost(a: Addr, announceHostnames: boolean): string {
  if (announceHostnames) return a.hostname;
  return a.ip !== '' ? a.ip : a.hostname;
}

/** `host:port`, with IPv6 literals bracketed (Redis names replicas this way). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where to connect: the IP, or the name when it has not been resolved yet. */
export function connectHost(a: Addr): string {
  return a.ip !== '' ? a.ip : a.hostname;
}

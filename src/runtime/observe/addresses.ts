/**
 * Sentinels and replicas talk in `ip:port`; people read service names. The book knows every
 * address a node can be seen under: where the runtime says this machine reaches it, where it
 * listens locally, what it announces, where the host publishes it, and `service:port` for
 * hostname announcements (resolve-hostnames). Plus the sentinels' run ids, for votes.
 */
import { allNodes, type Topology } from '../../topology/types.js';
import type { Endpoint } from '../types.js';

export class AddressBook {
  private readonly byAddr = new Map<string, string>();
  private readonly sentinelIds = new Map<string, string>();

  constructor(
    readonly topology: Topology,
    endpoint?: (service: string) => Endpoint,
  ) {
    for (const n of allNodes(topology)) {
      if (endpoint) {
        try {
          const e = endpoint(n.service);
          this.add(e.host, e.port, n.service);
        } catch {
          /* the runtime cannot say; the static addresses below still apply */
        }
      }
      if (n.announce) this.add(n.announce.ip, n.announce.port, n.service);
      this.add(n.local.host, n.local.port, n.service);
      this.add(topology.clientHost, n.hostPort, n.service);
      this.add(n.service, n.port, n.service);
    }
  }

  /** The first service added for an address keeps it (the runtime's endpoint wins). */
  add(host: string, port: number | string, service: string): void {
    const key = `${host}:${port}`;
    if (!this.byAddr.has(key)) this.byAddr.set(key, service);
  }

  addSentinelId(id: string, service: string): void {
    this.sentinelIds.set(id, service);
  }

  /** The service at `host:port`, or null. Accepts `host:port` or separate parts. */
  service(host: string, port?: number | string): string | null {
    const key = port === undefined ? host : `${host}:${port}`;
    return this.byAddr.get(key) ?? (key.startsWith('localhost:') ? (this.byAddr.get(`127.0.0.1:${key.slice(10)}`) ?? null) : null);
  }

  /** The sentinel with this run id (SENTINEL MYID), or null. */
  sentinelById(id: string): string | null {
    return this.sentinelIds.get(id) ?? null;
  }

  ids(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, service] of this.sentinelIds) out[service] = id;
    return out;
  }
}

/**
 * `ports: auto`: choosing a free host port for every node of an auto range at `up` time.
 *
 * A topology that ran before keeps its ports while they are free (clients and scripts may have
 * them); a port taken since is replaced, and the caller says so. New ports are drawn at random
 * below the kernel's ephemeral range (where outgoing connections take their local ports, and
 * could take a chosen one before the node binds it) and checked by binding, on every address.
 *
 * Two `up`s at the same moment must not choose the same port in the window between choosing and
 * the node binding it: each chosen port is reserved machine-wide (a file named after it, holding
 * the pid, created exclusively) until the bring-up has started its nodes. What is left from a
 * process that died is taken over.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PortChoice {
  /** The host port of every auto node, by service. */
  ports: Map<string, number>;
  /** Nodes that had a port before which is taken now, so got another one. */
  moved: { service: string; from: number; to: number }[];
  /** Gives up the reservations (once the nodes listen, or the bring-up failed). */
  release(): void;
}

/** How ports are tried: real sockets and files by default, fakes in unit tests. */
export interface PortSource {
  /** Nothing listens on `port` on any address of this machine. */
  isFree(port: number): Promise<boolean>;
  /** A candidate to try (not necessarily free). */
  candidate(): number;
  /** Reserves `port` machine-wide for this process; false when another live process has. */
  reserve(port: number): boolean;
  unreserve(port: number): void;
}

export interface ChooseOptions {
  /** The port each service had, when the topology ran before. */
  previous?: ReadonlyMap<string, number>;
  /** Ports not to choose: the fixed ports of the same topology, ports that just failed. */
  avoid?: Iterable<number>;
  source?: PortSource;
}

const MAX_TRIES = 200;

export async function choosePorts(services: readonly string[], opts: ChooseOptions = {}): Promise<PortChoice> {
  const source = opts.source ?? systemPortSource();
  const avoid = new Set(opts.avoid ?? []);
  const reserved: number[] = [];
  const release = () => {
    for (const p of reserved.splice(0)) source.unreserve(p);
  };
  const take = async (port: number): Promise<boolean> => {
    if (avoid.has(port) || !source.reserve(port)) return false;
    if (await source.isFree(port)) {
      avoid.add(port);
      reserved.push(port);
      return true;
    }
    source.unreserve(port);
    return false;
  };

  const ports = new Map<string, number>();
  const moved: PortChoice['moved'] = [];
  try {
    for (const service of services) {
      const before = opts.previous?.get(service);
      if (before !== undefined && (await take(before))) {
        ports.set(service, before);
        continue;
      }
      let port: number | undefined;
      for (let i = 0; i < MAX_TRIES && port === undefined; i++) {
        const c = source.candidate();
        if (await take(c)) port = c;
      }
      if (port === undefined) throw new Error(`no free port found for ${service} in ${MAX_TRIES} tries`);
      ports.set(service, port);
      if (before !== undefined) moved.push({ service, from: before, to: port });
    }
  } catch (err) {
    release();
    throw err;
  }
  return { ports, moved, release };
}

/**
 * Candidates: [10000, start of the ephemeral range), or when that range starts too low to leave
 * room, the ports above it.
 */
export function candidateRange(ephemeral: [number, number]): [number, number] {
  const [lo, hi] = ephemeral;
  if (lo - 10000 >= 1000) return [10000, lo];
  return [Math.min(hi + 1, 65000), 65536];
}

export function systemPortSource(dir = reservationDir()): PortSource {
  const [lo, hi] = candidateRange(ephemeralRange());
  return {
    isFree: canListenEverywhere,
    candidate: () => lo + Math.floor(Math.random() * (hi - lo)),
    reserve: (port) => reservePort(dir, port),
    unreserve: (port) => rmSync(path.join(dir, String(port)), { force: true }),
  };
}

function reservationDir(): string {
  return path.join(os.tmpdir(), 'sentinel-compose-ports');
}

/** A reservation older than this belongs to a bring-up that hung: starting never takes so long. */
const STALE_MS = 10 * 60_000;

export function reservePort(dir: string, port: number, pid = process.pid): boolean {
  try {
    // Shared by every user of the machine, like /tmp itself (the umask would narrow the mode).
    if (mkdirSync(dir, { recursive: true })) chmodSync(dir, 0o1777);
  } catch {
    return true;
  }
  const file = path.join(dir, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return true;
    } catch (err) {
      // No reservations where the folder cannot be written (read-only, another user's): the
      // check by binding and the retry at start still hold.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return true;
    }
    if (!isStale(file)) return false;
    rmSync(file, { force: true });
  }
  return false;
}

function isStale(file: string): boolean {
  try {
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Date.now() - statSync(file).mtimeMs > STALE_MS) return true;
    if (!Number.isInteger(owner) || owner <= 0) return true;
    process.kill(owner, 0);
    return false;
  } catch (err) {
    // ESRCH: the owner is gone. EPERM: it lives (another user's). Gone file: free again.
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH' || code === 'ENOENT';
  }
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    /* not Linux */
  }
  // macOS and Windows: IANA's dynamic range.
  return [49152, 65535];
}

/**
 * Bound on `::` (both families where IPv6 is on, which conflicts with a listener on any address),
 * else on 0.0.0.0: free there means free for 127.0.0.1, 127.0.0.N and published ports alike.
 */
async function canListenEverywhere(port: number): Promise<boolean> {
  const r = await tryListen('::', port);
  if (r === 'unsupported') return (await tryListen('0.0.0.0', port)) === 'ok';
  return r === 'ok';
}

function tryListen(host: string, port: number): Promise<'ok' | 'taken' | 'unsupported'> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL' ? 'unsupported' : 'taken'));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve('ok')));
  });
}

/**
 * Is an address free before a process is started on it? Asked by connecting, not by binding a
 * test socket: a bind can be refused for a moment after a SIGKILL (sockets of the dead process
 * linger) even though redis-server itself binds fine.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { MissingDependencyError, UsageError } from '../common/errors.js';

/** A port this topology needs is taken: which, by what (when it can be found), and the fix. */
export class PortInUseError extends UsageError {
  constructor(
    readonly service: string,
    readonly host: string,
    readonly port: number,
    readonly holder: PortHolder | null,
    fix: string,
    options?: { cause?: unknown },
  ) {
    super([{ path: service, message: `${host}:${port} is already in use${holder ? ` by ${describeHolder(holder)}` : ' by another process'}`, fix }], options);
  }
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * `auto`: the port was chosen by `up` (a PortInUseError then means another program took it since,
 * and up chooses again); otherwise the spec fixed it, and the fix says how to change that.
 */
export async function assertPortFree(service: string, host: string, port: number, opts: { auto?: boolean } = {}): Promise<void> {
  if (!(await waitNotListening(host, port, 1000))) {
    const holder = findPortHolder(port);
    const stop = stopHolder(holder);
    const fix = opts.auto
      ? `${stop}, or start again: up chooses other free ports`
      : `${stop}, or change the ports in the spec (\`ports: auto\` lets up choose free ones) and render again`;
    throw new PortInUseError(service, host, port, holder, fix);
  }
  if (process.platform !== 'linux' && host !== '127.0.0.1' && !(await canBind(host))) {
    throw new MissingDependencyError(
      `the loopback address ${host} (bridge mode gives every local node its own 127.0.0.N)`,
      `Add it with \`sudo ifconfig lo0 alias ${host} up\` (one per node), or use network: host in the spec.`,
    );
  }
}

/** How to free a port: stop what holds it. */
export function stopHolder(holder: PortHolder | null): string {
  return holder?.pid !== undefined
    ? `stop ${holder.name ?? 'it'} (pid ${holder.pid})${holder.container ? `, in container ${holder.container}` : ''}`
    : 'stop whatever listens there (`ss -ltnp` shows it)';
}

/**
 * The kernel closes a killed process's listening socket a moment after the process is reported
 * gone (the leader of a multi-threaded process turns zombie first); wait for that.
 */
export async function waitNotListening(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await canConnect(host, port))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether this machine has `host` (macOS has only 127.0.0.1 on lo0 unless aliases are added). */
function canBind(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRNOTAVAIL'));
    srv.listen({ host, port: 0 }, () => srv.close(() => resolve(true)));
  });
}

export interface PortHolder {
  pid?: number;
  /** The program's name (/proc/PID/comm). */
  name?: string;
  /** A Docker container's short id, when the process runs in one. */
  container?: string;
}

export function describeHolder(h: PortHolder): string {
  if (h.pid === undefined) return 'another process';
  const what = h.name === 'docker-proxy' ? `docker-proxy (pid ${h.pid}, a port a Docker container publishes)` : `${h.name ?? 'a process'} (pid ${h.pid})`;
  return h.container ? `${what} in container ${h.container}` : what;
}

/**
 * Who listens on `port` (Linux): the socket's inode from /proc/net/tcp{,6}, then the process
 * with a descriptor on it. Null when that cannot be found out (another OS, another user's process
 * without the right to read its fds, another network namespace).
 */
export function findPortHolder(port: number, proc = '/proc'): PortHolder | null {
  const inodes = new Set<string>();
  for (const file of ['net/tcp', 'net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${proc}/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const inode of listeningInodes(text, port)) inodes.add(inode);
  }
  if (!inodes.size) return null;
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((d) => /^\d+$/.test(d));
  } catch {
    return {};
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) return { pid: Number(pid), ...optionalName(proc, pid), ...optionalContainer(proc, pid) };
    }
  }
  return {};
}

/** Inodes of the LISTEN sockets on `port` in a /proc/net/tcp{,6} table. */
export function listeningInodes(table: string, port: number): string[] {
  const found: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    if (f.length < 10 || f[3] !== '0A') continue;
    const hexPort = f[1]!.split(':').pop()!;
    if (parseInt(hexPort, 16) === port && f[9] !== '0') found.push(f[9]!);
  }
  return found;
}

function optionalName(proc: string, pid: string): { name?: string } {
  try {
    return { name: readFileSync(`${proc}/${pid}/comm`, 'utf8').trim() };
  } catch {
    return {};
  }
}

function optionalContainer(proc: string, pid: string): { container?: string } {
  try {
    const m = /(?:docker[-/]|containerd[-/])([0-9a-f]{64})/.exec(readFileSync(`${proc}/${pid}/cgroup`, 'utf8'));
    return m ? { container: m[1]!.slice(0, 12) } : {};
  } catch {
    return {};
  }
}

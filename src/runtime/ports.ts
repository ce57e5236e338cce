/**
 * Is an address free before a process is started on it? Asked by connecting, not by binding a
 * test socket: a bind can be refused for a moment after a SIGKILL (sockets of the dead process
 * linger) even though redis-server itself binds fine.
 */
import net from 'node:net';
import { MissingDependencyError, UsageError } from '../common/errors.js';

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

export async function assertPortFree(service: string, host: string, port: number): Promise<void> {
  if (!(await waitNotListening(host, port, 1000))) {
    throw new UsageError([
      {
        path: service,
        message: `${host}:${port} is already in use by another process`,
        fix: 'stop whatever listens there (`ss -ltnp` shows it), or change the ports in the spec and render again',
      },
    ]);
  }
  if (process.platform !== 'linux' && host !== '127.0.0.1' && !(await canBind(host))) {
    throw new MissingDependencyError(
      `the loopback address ${host} (bridge mode gives every local node its own 127.0.0.N)`,
      `Add it with \`sudo ifconfig lo0 alias ${host} up\` (one per node), or use network: host in the spec.`,
    );
  }
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

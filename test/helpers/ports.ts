import net from 'node:net';

const handedOut = new Set<number>();

/**
 * A port that was free on `host` a moment ago. Ports handed out in this process are not handed
 * out again, and the range is random per worker, so parallel test files rarely race.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, host, () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    // Redis cluster bus / sentinel never use port+10000 here, but keep below 55535 so that
    // callers that add an offset stay in range.
    if (port > 0 && port < 55535 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port on ${host}`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort(host));
  return ports;
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ port, host });
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports (topologies number their nodes' ports from a base). Taken from
 * 20000-32000, below the kernel's ephemeral range, so that ports other workers get from
 * freePort() (port 0: ephemeral) and outgoing connections never land inside the range.
 */
export async function freePortRange(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (12000 - count));
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = !handedOut.has(p) && (await canListen(p, host));
    if (ok) {
      for (let p = base; p < base + count; p++) handedOut.add(p);
      return base;
    }
  }
  throw new Error(`no ${count} consecutive free ports on ${host}`);
}

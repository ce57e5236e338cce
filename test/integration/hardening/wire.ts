/**
 * Raw socket exchanges and process probes for the hardening tests: send bytes, collect every
 * byte the server sends back until it closes or stays quiet, and read a process's RSS and open
 * file descriptors from /proc.
 */
import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';

export interface Exchange {
  bytes: Buffer;
  closed: boolean;
}

/**
 * Connects, writes `input` (in `chunks` pieces when given, to cut frames at random places),
 * and returns what came back once the server closed or sent nothing for `quietMs`.
 */
export function exchange(port: number, input: Buffer, opts: { quietMs?: number; chunks?: number[]; host?: string } = {}): Promise<Exchange> {
  const quietMs = opts.quietMs ?? 150;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: opts.host ?? '127.0.0.1' });
    const got: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ bytes: Buffer.concat(got), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    };
    sock.on('data', (d: Buffer) => {
      got.push(d);
      arm();
    });
    sock.on('close', () => finish(true));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the server closed is still "closed"; failing to connect is not.
      if (err.code === 'ECONNREFUSED') {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    const sendAll = async () => {
      let at = 0;
      for (const n of opts.chunks ?? []) {
        if (at >= input.length) break;
        sock.write(input.subarray(at, at + n));
        at += n;
        await new Promise((r) => setImmediate(r));
      }
      if (at < input.length) sock.write(input.subarray(at));
      arm();
    };
    sock.once('connect', () => {
      sendAll().catch(reject);
    });
  });
}

/** Resident set size of a process, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) * 1024;
}

/** Open file descriptors of a process, sockets included. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns true or the deadline passes; returns the last verdict. */
export async function eventually(probe: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(stepMs);
  }
}

/** Bytes as a readable string for failure messages: printable ASCII kept, the rest escaped. */
export function show(b: Buffer, max = 400): string {
  let s = '';
  for (const c of b.subarray(0, max)) {
    if (c === 0x0d) s += '\\r';
    else if (c === 0x0a) s += '\\n';
    else if (c >= 0x20 && c < 0x7f && c !== 0x5c) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return b.length > max ? `${s}... (${b.length} bytes)` : s;
}

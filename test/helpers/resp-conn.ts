/**
 * A bare RESP connection for tests: send raw bytes or commands, read replies one by one with
 * the sentinel's own reply parser, see when the server closes. Used to compare our server with
 * a real redis-sentinel byte for byte where it matters.
 */
import net from 'node:net';
import { ReplyParser } from '../../src/sentinel/resp/reply-parser.js';
import { encodeCommand } from '../../src/sentinel/resp/encoder.js';
import type { Reply } from '../../src/sentinel/resp/types.js';

export class RespConn {
  private readonly parser = new ReplyParser();
  private readonly replies: Reply[] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  rawBytes = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.rawBytes = Buffer.concat([this.rawBytes, d]);
      this.parser.feed(d);
      for (let r = this.parser.next(); r !== undefined; r = this.parser.next()) this.replies.push(r);
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** To host:port, or to a unix socket when `port` is a path. */
  static connect(port: number | string, host = '127.0.0.1'): Promise<RespConn> {
    return new Promise((resolve, reject) => {
      const s = typeof port === 'string' ? net.connect({ path: port }) : net.connect({ port, host });
      s.once('connect', () => resolve(new RespConn(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(...args: Array<string | Buffer | number>): void {
    this.write(encodeCommand(args));
  }

  /** Next reply; rejects on timeout or when the connection closed first. */
  async next(timeoutMs = 3000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no reply in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies.shift()!;
  }

  async call(...args: Array<string | Buffer | number>): Promise<Reply> {
    this.send(...args);
    return this.next();
  }

  /** Resolves once the server closed the connection (or after timeoutMs with false). */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /** Replies received and not yet taken. */
  pending(): Reply[] {
    return [...this.replies];
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A Reply as plain JSON-able data: buffers as strings, so that tests can compare shapes. */
export function plain(r: Reply): unknown {
  switch (r.type) {
    case 'bulk':
      return Buffer.isBuffer(r.value) ? r.value.toString('utf8') : r.value;
    case 'array':
    case 'set':
    case 'push':
      return { [r.type]: r.value.map(plain) };
    case 'map':
      return { map: r.value.map(([k, v]) => [plain(k), plain(v)]) };
    case 'null':
      return { null: r.kind };
    case 'verbatim':
      return { verbatim: r.value, format: r.format };
    default:
      return { [r.type]: r.value };
  }
}

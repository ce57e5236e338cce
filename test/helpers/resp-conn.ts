/**
 * A bare RESP client for tests that need replies exactly as sent (bulk vs integer vs status, map
 * vs array), which ioredis and node-redis hide, and the bytes themselves: send raw bytes or
 * commands, read replies one by one with the sentinel's own reply parser, see when the server
 * closes. Used to compare our server with a real redis-sentinel byte for byte where it matters.
 */
import net from 'node:net';
import { ReplyParser } from '../../src/sentinel/resp/reply-parser.js';
import { encodeCommand } from '../../src/sentinel/resp/encoder.js';
import type { Reply } from '../../src/sentinel/resp/types.js';

export class RespConn {
  private readonly parser = new ReplyParser();
  private readonly replies: Reply[] = [];
  private waiters: Array<() => void> = [];
  private onPush: ((r: Reply) => void) | null = null;
  private subscribed = false;
  private callsInFlight = 0;
  closed = false;
  rawBytes = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.rawBytes = Buffer.concat([this.rawBytes, d]);
      this.parser.feed(d);
      for (let r = this.parser.next(); r !== undefined; r = this.parser.next()) {
        // Once psubscribe()d, messages go to its handler; replies to calls still come back in order.
        if (this.onPush && (r.type === 'push' || (this.subscribed && this.callsInFlight === 0))) this.onPush(r);
        else this.replies.push(r);
      }
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

  /**
   * Sends a command and waits for its reply. A reply that does not come within `timeoutMs` (a
   * paused server never answers) rejects and closes the connection: a late reply would otherwise
   * be taken as the answer to the next command.
   */
  async call(...args: Array<string | Buffer | number>): Promise<Reply> {
    return this.callWithin(5000, ...args);
  }

  async callWithin(timeoutMs: number, ...args: Array<string | Buffer | number>): Promise<Reply> {
    if (this.closed) throw new Error('connection closed');
    this.callsInFlight++;
    try {
      this.send(...args);
      return await this.next(timeoutMs);
    } catch (err) {
      if (this.closed) throw err;
      this.socket.destroy();
      throw new Error(`no reply to ${args.join(' ')} within ${timeoutMs} ms`);
    } finally {
      this.callsInFlight--;
    }
  }

  /** PSUBSCRIBE; every later message (pmessage) goes to `onMessage`, not to next(). */
  async psubscribe(pattern: string, onMessage: (channel: string, message: string) => void): Promise<void> {
    this.onPush = (r) => {
      if ((r.type === 'array' || r.type === 'push') && r.value.length === 4) {
        const [kind, , ch, msg] = r.value.map(text);
        if (kind === 'pmessage') onMessage(ch!, msg!);
      }
    };
    await this.call('PSUBSCRIBE', pattern);
    this.subscribed = true;
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

/** A Reply as plain JSON-able data, its RESP type kept: buffers as strings, so that tests can compare shapes. */
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

export function text(r: Reply | undefined): string {
  if (!r) return '';
  switch (r.type) {
    case 'bulk':
      return typeof r.value === 'string' ? r.value : r.value.toString('utf8');
    case 'simple':
    case 'error':
    case 'verbatim':
      return r.value;
    case 'integer':
    case 'double':
      return String(r.value);
    default:
      return JSON.stringify(toJs(r));
  }
}

/** Plain JS: strings for bulk/status, numbers for integers, {error} for errors, pairs for maps. */
export function toJs(r: Reply): unknown {
  switch (r.type) {
    case 'bulk':
      return typeof r.value === 'string' ? r.value : r.value.toString('utf8');
    case 'simple':
    case 'verbatim':
      return r.value;
    case 'error':
      return { error: r.value };
    case 'integer':
    case 'double':
    case 'bool':
      return r.value;
    case 'null':
      return null;
    case 'array':
    case 'set':
    case 'push':
      return r.value.map(toJs);
    case 'map':
      return r.value.map(([k, v]) => [toJs(k), toJs(v)]);
  }
}

/** A RESP2 flat field/value array (or RESP3 map) as ordered [field, value] pairs. */
export function pairs(r: Reply): Array<[string, string]> {
  if (r.type === 'map') return r.value.map(([k, v]) => [text(k), text(v)]);
  if (r.type !== 'array') throw new Error(`expected an array, got ${r.type}: ${text(r)}`);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < r.value.length; i += 2) out.push([text(r.value[i]), text(r.value[i + 1])]);
  return out;
}

export function record(r: Reply): Record<string, string> {
  return Object.fromEntries(pairs(r));
}

export function records(r: Reply): Array<Record<string, string>> {
  if (r.type !== 'array') throw new Error(`expected an array, got ${r.type}: ${text(r)}`);
  return r.value.map(record);
}

/**
 * A tiny RESP client for tests that need replies exactly as sent (bulk vs integer vs status,
 * map vs array), which ioredis and node-redis hide. Built on the sentinel's own parser/encoder.
 */
import net from 'node:net';
import { encodeCommand } from '../../../src/sentinel/resp/encoder.js';
import { ReplyParser } from '../../../src/sentinel/resp/reply-parser.js';
import type { Reply } from '../../../src/sentinel/resp/types.js';

export class RespClient {
  private readonly parser = new ReplyParser();
  private readonly waiting: Array<(r: Reply) => void> = [];
  private readonly failures: Array<(e: Error) => void> = [];
  private pushes: Array<(r: Reply) => void> = [];
  private subscribed = false;
  closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.parser.feed(d);
      for (let r = this.parser.next(); r !== undefined; r = this.parser.next()) {
        if (r.type === 'push' || (this.subscribed && this.waiting.length === 0)) {
          for (const p of this.pushes) p(r);
          continue;
        }
        const w = this.waiting.shift();
        this.failures.shift();
        if (w) w(r);
        else for (const p of this.pushes) p(r);
      }
    });
    sock.on('close', () => {
      this.closed = true;
      for (const f of this.failures.splice(0)) f(new Error('connection closed'));
      this.waiting.splice(0);
    });
    sock.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      s.once('connect', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  /** Rejects after `timeoutMs` (a paused server never answers); the connection is then unusable. */
  call(...args: Array<string | number>): Promise<Reply> {
    return this.callWithin(5000, ...args);
  }

  callWithin(timeoutMs: number, ...args: Array<string | number>): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      const timer = setTimeout(() => {
        reject(new Error(`no reply to ${args.join(' ')} within ${timeoutMs} ms`));
        this.sock.destroy();
      }, timeoutMs);
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.failures.push((e) => {
        clearTimeout(timer);
        reject(e);
      });
      this.sock.write(encodeCommand(args));
    });
  }

  /** PSUBSCRIBE; every later message (pmessage) goes to `onMessage`. */
  async psubscribe(pattern: string, onMessage: (channel: string, message: string) => void): Promise<void> {
    this.pushes.push((r) => {
      if ((r.type === 'array' || r.type === 'push') && r.value.length === 4) {
        const [kind, , ch, msg] = r.value.map(text);
        if (kind === 'pmessage') onMessage(ch!, msg!);
      }
    });
    await this.call('PSUBSCRIBE', pattern);
    this.subscribed = true;
  }

  close(): void {
    this.sock.destroy();
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

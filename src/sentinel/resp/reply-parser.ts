/**
 * Reads replies on the sentinel's outgoing links: every RESP2 and RESP3 type (+ - : $ * and
 * % ~ > _ , # = ( ! plus | attributes, which are read and dropped). Feed it bytes; `next()` hands
 * out complete replies in order. Malformed input throws ReplyProtocolError (the link then drops
 * the connection, as hiredis does on a protocol error).
 */
import type { Reply } from './types.js';
import { DEFAULT_PROTO_MAX_BULK_LEN } from './request-parser.js';

export class ReplyProtocolError extends Error {}

const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: Reply; end: number } | typeof INCOMPLETE;

/** Redis nests replies only a few levels deep; this bounds recursion on hostile input. */
const MAX_DEPTH = 64;
/** A larger count is not a reply any Redis would send: refuse instead of allocating. */
const MAX_AGGREGATE = 1024 * 1024 * 64;

export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Bytes needed before a retry can succeed (known when waiting for a large bulk). */
  private need = 0;

  constructor(private readonly maxBulkLen = DEFAULT_PROTO_MAX_BULK_LEN) {}

  get buffered(): number {
    return this.buf.length - this.pos;
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const rest = this.buf.length - this.pos;
    this.buf = rest === 0 ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
  }

  /** The next complete reply, or undefined when more bytes are needed. */
  next(): Reply | undefined {
    if (this.buf.length - this.pos === 0 || this.buf.length - this.pos < this.need) return undefined;
    this.need = 0;
    const r = this.parse(this.pos, 0);
    if (r === INCOMPLETE) return undefined;
    this.pos = r.end;
    if (this.pos === this.buf.length) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
    return r.value;
  }

  private line(start: number): { text: string; end: number } | typeof INCOMPLETE {
    const cr = this.buf.indexOf('\r\n', start);
    if (cr < 0) {
      if (this.buf.length - start > 64 * 1024) throw new ReplyProtocolError('reply line longer than 64 KB');
      return INCOMPLETE;
    }
    return { text: this.buf.toString('utf8', start, cr), end: cr + 2 };
  }

  private int(text: string, what: string): number {
    if (!/^[-+]?\d+$/.test(text)) throw new ReplyProtocolError(`bad ${what} ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text);
  }

  private body(start: number, len: number): { data: Buffer; end: number } | typeof INCOMPLETE {
    if (len > this.maxBulkLen) throw new ReplyProtocolError(`bulk of ${len} bytes is over the limit`);
    if (this.buf.length < start + len + 2) {
      this.need = start + len + 2 - this.pos;
      return INCOMPLETE;
    }
    if (this.buf[start + len] !== 0x0d || this.buf[start + len + 1] !== 0x0a) {
      throw new ReplyProtocolError('bulk not followed by CRLF');
    }
    return { data: Buffer.from(this.buf.subarray(start, start + len)), end: start + len + 2 };
  }

  private parse(start: number, depth: number): Parsed {
    if (depth > MAX_DEPTH) throw new ReplyProtocolError('reply nested too deeply');
    if (start >= this.buf.length) return INCOMPLETE;
    const type = String.fromCharCode(this.buf[start]!);
    const l = this.line(start + 1);
    if (l === INCOMPLETE) return INCOMPLETE;
    const { text, end } = l;
    switch (type) {
      case '+':
        return { value: { type: 'simple', value: text }, end };
      case '-':
        return { value: { type: 'error', value: text }, end };
      case ':':
        return { value: { type: 'integer', value: this.int(text, 'integer') }, end };
      case '_':
        return { value: { type: 'null', kind: 'bulk' }, end };
      case '#':
        if (text !== 't' && text !== 'f') throw new ReplyProtocolError(`bad boolean ${JSON.stringify(text)}`);
        return { value: { type: 'bool', value: text === 't' }, end };
      case ',': {
        const v = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : text === 'nan' ? NaN : Number(text);
        if (Number.isNaN(v) && text !== 'nan') throw new ReplyProtocolError(`bad double ${JSON.stringify(text)}`);
        return { value: { type: 'double', value: v }, end };
      }
      case '(':
        // A big number: kept as its digits.
        if (!/^-?\d+$/.test(text)) throw new ReplyProtocolError(`bad big number ${JSON.stringify(text)}`);
        return { value: { type: 'bulk', value: text }, end };
      case '$':
      case '!':
      case '=': {
        const len = this.int(text, 'length');
        if (len === -1 && type === '$') return { value: { type: 'null', kind: 'bulk' }, end };
        if (len < 0) throw new ReplyProtocolError(`bad length ${len}`);
        const b = this.body(end, len);
        if (b === INCOMPLETE) return INCOMPLETE;
        if (type === '$') return { value: { type: 'bulk', value: b.data }, end: b.end };
        if (type === '!') return { value: { type: 'error', value: b.data.toString('utf8') }, end: b.end };
        const s = b.data.toString('utf8');
        if (s.length < 4 || s[3] !== ':') throw new ReplyProtocolError('bad verbatim string');
        return { value: { type: 'verbatim', format: s.slice(0, 3), value: s.slice(4) }, end: b.end };
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        const n = this.int(text, 'count');
        if (n === -1 && type === '*') return { value: { type: 'null', kind: 'array' }, end };
        if (n < 0 || n > MAX_AGGREGATE) throw new ReplyProtocolError(`bad aggregate count ${n}`);
        const items = type === '%' || type === '|' ? n * 2 : n;
        const values: Reply[] = [];
        let p = end;
        for (let i = 0; i < items; i++) {
          const r = this.parse(p, depth + 1);
          if (r === INCOMPLETE) return INCOMPLETE;
          values.push(r.value);
          p = r.end;
        }
        if (type === '|') {
          // Attributes describe the reply that follows; nothing on a sentinel link uses them.
          return this.parse(p, depth + 1);
        }
        if (type === '%') {
          const pairs: Array<[Reply, Reply]> = [];
          for (let i = 0; i < values.length; i += 2) pairs.push([values[i]!, values[i + 1]!]);
          return { value: { type: 'map', value: pairs }, end: p };
        }
        const t = type === '*' ? 'array' : type === '~' ? 'set' : 'push';
        return { value: { type: t, value: values }, end: p };
      }
      default:
        throw new ReplyProtocolError(`unknown reply type byte 0x${this.buf[start]!.toString(16)}`);
    }
  }
}

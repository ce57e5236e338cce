/**
 * Reads client requests the way Redis 7.0's networking.c does: a buffer starting with `*` is a
 * multibulk request, anything else an inline command split like sdssplitargs. The limits and the
 * error texts are Redis's; after a protocol error Redis replies with the error and closes the
 * connection, so `next()` reports the error once and the parser stays failed.
 *
 * Memory stays bounded: a line without a newline may grow to 64 KB (PROTO_INLINE_MAX_SIZE), a
 * bulk argument to proto-max-bulk-len, and unauthenticated clients get Redis's tighter limits
 * (10 arguments, 16 KB per bulk) so that an anonymous peer cannot make us buffer much.
 */
import { splitArgs } from './splitargs.js';

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
export const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;
const INT_MAX = 2 ** 31 - 1;
const UNAUTH_MAX_MULTIBULK = 10;
const UNAUTH_MAX_BULK = 16384;

export class ProtocolError {
  /**
   * The whole error line, e.g. "ERR Protocol error: invalid bulk length". One byte per
   * character (latin1): "expected '$', got '%c'" quotes a raw byte of the client's input.
   */
  constructor(readonly message: string) {}

  /** The line as the bytes Redis sends. */
  get bytes(): Buffer {
    return Buffer.from(this.message, 'latin1');
  }
}

export interface RequestParserOptions {
  protoMaxBulkLen?: number;
  /** True while the client must still AUTH (Redis's authRequired()). */
  authRequired?: () => boolean;
  /**
   * Called for each empty command (blank inline line, `*0`, `*-1`), which yields nothing but
   * still ends a command for Redis: it uses up a CLIENT REPLY SKIP.
   */
  onEmptyCommand?: () => void;
}

const CR = 0x0d;
const LF = 0x0a;

export class RequestParser {
  private chunks: Buffer[] = [];
  private length = 0;
  private failed: ProtocolError | null = null;
  // Multibulk state, kept across feeds like Redis's c->multibulklen / c->bulklen.
  private multibulkLen = 0;
  private bulkLen = -1;
  private argv: Buffer[] = [];
  private readonly maxBulk: number;
  private readonly authRequired: () => boolean;
  private readonly onEmptyCommand: () => void;

  constructor(opts: RequestParserOptions = {}) {
    this.maxBulk = opts.protoMaxBulkLen ?? DEFAULT_PROTO_MAX_BULK_LEN;
    this.authRequired = opts.authRequired ?? (() => false);
    this.onEmptyCommand = opts.onEmptyCommand ?? (() => {});
  }

  /** Bytes buffered and not yet parsed (Redis's qbuf). */
  get buffered(): number {
    return this.length;
  }

  feed(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /**
   * The next complete command, null when more bytes are needed, or a ProtocolError (reply with
   * it and close). An empty inline line or `*0` yields nothing, as in Redis.
   */
  next(): Buffer[] | ProtocolError | null {
    if (this.failed) return this.failed;
    for (;;) {
      if (this.length === 0) return null;
      // Waiting for the body of a large bulk: do not concatenate the chunks on every read.
      if (this.multibulkLen > 0 && this.bulkLen >= 0 && this.length < this.bulkLen + 2) return null;
      const buf = this.flatten();
      let res: Buffer[] | ProtocolError | null | 'skip';
      if (this.multibulkLen > 0 || buf[0] === 0x2a) res = this.multibulk(buf);
      else res = this.inline(buf);
      if (res === 'skip') {
        this.onEmptyCommand();
        continue;
      }
      if (res instanceof ProtocolError) {
        this.failed = res;
        this.chunks = [];
        this.length = 0;
      }
      return res;
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0]!;
  }

  private consume(n: number): void {
    const buf = this.chunks[0]!;
    if (n >= buf.length) {
      this.chunks = [];
      this.length = 0;
    } else {
      this.chunks = [buf.subarray(n)];
      this.length -= n;
    }
  }

  private inline(buf: Buffer): Buffer[] | ProtocolError | null | 'skip' {
    const nl = cFind(buf, LF, 0);
    if (nl < 0) {
      if (buf.length > PROTO_INLINE_MAX_SIZE) return new ProtocolError('ERR Protocol error: too big inline request');
      return null;
    }
    const end = nl > 0 && buf[nl - 1] === CR ? nl - 1 : nl;
    const args = splitArgs(buf.subarray(0, end));
    this.consume(nl + 1);
    if (args === null) return new ProtocolError('ERR Protocol error: unbalanced quotes in request');
    if (args.length === 0) return 'skip';
    return args;
  }

  private multibulk(buf: Buffer): Buffer[] | ProtocolError | null | 'skip' {
    let pos = 0;
    if (this.multibulkLen === 0) {
      const cr = cFind(buf, CR, 0);
      if (cr < 0) {
        if (buf.length > PROTO_INLINE_MAX_SIZE) return new ProtocolError('ERR Protocol error: too big mbulk count string');
        return null;
      }
      // Redis needs the byte after \r to be there (it does not check that it is \n).
      if (cr + 2 > buf.length) return null;
      const ll = parseLongLong(buf, 1, cr);
      if (ll === null || ll > INT_MAX) return new ProtocolError('ERR Protocol error: invalid multibulk length');
      if (ll > UNAUTH_MAX_MULTIBULK && this.authRequired()) {
        return new ProtocolError('ERR Protocol error: unauthenticated multibulk length');
      }
      pos = cr + 2;
      if (ll <= 0) {
        this.consume(pos);
        return 'skip';
      }
      this.multibulkLen = ll;
      this.argv = [];
      this.bulkLen = -1;
    }
    while (this.multibulkLen > 0) {
      if (this.bulkLen === -1) {
        const cr = cFind(buf, CR, pos);
        if (cr < 0) {
          if (buf.length - pos > PROTO_INLINE_MAX_SIZE) return new ProtocolError('ERR Protocol error: too big bulk count string');
          break;
        }
        if (cr + 2 > buf.length) break;
        if (buf[pos] !== 0x24) {
          return new ProtocolError(`ERR Protocol error: expected '$', got '${String.fromCharCode(buf[pos]!)}'`);
        }
        const ll = parseLongLong(buf, pos + 1, cr);
        if (ll === null || ll < 0 || ll > this.maxBulk) return new ProtocolError('ERR Protocol error: invalid bulk length');
        if (ll > UNAUTH_MAX_BULK && this.authRequired()) {
          return new ProtocolError('ERR Protocol error: unauthenticated bulk length');
        }
        pos = cr + 2;
        this.bulkLen = ll;
      }
      // The bulk and the two bytes after it (Redis skips them without looking).
      if (buf.length - pos < this.bulkLen + 2) break;
      this.argv.push(Buffer.from(buf.subarray(pos, pos + this.bulkLen)));
      pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.multibulkLen--;
    }
    this.consume(pos);
    if (this.multibulkLen > 0) return null;
    const argv = this.argv;
    this.argv = [];
    return argv;
  }
}

/**
 * Redis finds the end of a line with strchr() on its NUL-terminated query buffer, so a NUL byte
 * before the CR/LF hides it: Redis keeps waiting (up to the 64 KB line limit) instead of parsing
 * the line. Doing the same keeps our answers to hostile input identical to Redis's.
 */
function cFind(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  if (at < 0) return -1;
  // Only the bytes before the match matter; scanning further would make pipelines quadratic.
  return buf.subarray(from, at).indexOf(0) >= 0 ? -1 : at;
}

/** Redis's string2ll: optional '-', no '+', no leading zeros, no spaces, fits in 64 bits. */
export function parseLongLong(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len <= 0 || len > 20) return null;
  let p = start;
  let neg = false;
  if (len === 1 && buf[p] === 0x30) return 0;
  if (buf[p] === 0x2d) {
    neg = true;
    p++;
    if (p === end) return null;
  }
  if (buf[p]! < 0x31 || buf[p]! > 0x39) return null;
  if (end - p <= 15) {
    let n = 0;
    for (; p < end; p++) {
      const c = buf[p]!;
      if (c < 0x30 || c > 0x39) return null;
      n = n * 10 + (c - 0x30);
    }
    return neg ? -n : n;
  }
  let v = 0n;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c < 0x30 || c > 0x39) return null;
    v = v * 10n + BigInt(c - 0x30);
  }
  if (neg ? v > 9223372036854775808n : v > 9223372036854775807n) return null;
  return Number(neg ? -v : v);
}

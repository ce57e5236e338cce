import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  RequestParser,
  ProtocolError,
  ReplyParser,
  ReplyProtocolError,
  encodeReply,
  encodeCommand,
  encodeCommandText,
  formatDouble,
  splitArgs,
  R,
  type Reply,
} from '../../../src/sentinel/resp/index.js';

type Out = string[] | string;

/** All commands (as strings) and the protocol error, if any, from feeding `input` in pieces. */
function parseRequests(input: string | Buffer, pieces: 'whole' | 'bytes', opts: ConstructorParameters<typeof RequestParser>[0] = {}): Out[] {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const p = new RequestParser(opts);
  const out: Out[] = [];
  const drain = () => {
    for (;;) {
      const r = p.next();
      if (r === null) return false;
      if (r instanceof ProtocolError) {
        out.push(r.message);
        return true;
      }
      out.push(r.map((b) => b.toString('latin1')));
    }
  };
  if (pieces === 'whole') {
    p.feed(buf);
    drain();
  } else {
    for (let i = 0; i < buf.length; i++) {
      p.feed(buf.subarray(i, i + 1));
      if (drain()) break;
    }
  }
  return out;
}

function both(input: string | Buffer, opts?: ConstructorParameters<typeof RequestParser>[0]): Out[] {
  const whole = parseRequests(input, 'whole', opts);
  const bytes = parseRequests(input, 'bytes', opts);
  expect(bytes).toEqual(whole);
  return whole;
}

describe('splitArgs (sdssplitargs)', () => {
  const s = (line: string) => splitArgs(line)?.map((b) => b.toString('latin1')) ?? null;
  it('splits on whitespace and skips leading/trailing space', () => {
    expect(s('  set  a\tb  ')).toEqual(['set', 'a', 'b']);
    expect(s('')).toEqual([]);
    expect(s('   ')).toEqual([]);
  });
  it('understands double-quote escapes', () => {
    expect(s('"a\\x41\\n\\r\\t\\b\\a\\"\\\\z"')).toEqual(['aA\n\r\t\b\x07"\\z']);
    expect(s('"\\x4"')).toEqual(['x4']);
  });
  it("understands single quotes with only \\' as escape", () => {
    expect(s("'a\\'b\\n'")).toEqual(["a'b\\n"]);
  });
  it('opens a quoted section in the middle of a word', () => {
    expect(s('a"b c"')).toEqual(['ab c']);
  });
  it('rejects unbalanced quotes and a closing quote followed by a non-space', () => {
    expect(s('"abc')).toBeNull();
    expect(s("'abc")).toBeNull();
    expect(s('"a"b')).toBeNull();
    expect(s("'a'b")).toBeNull();
  });
  it('allows empty quoted arguments', () => {
    expect(s('a "" b')).toEqual(['a', '', 'b']);
  });
  it('stops at a NUL byte like a C string', () => {
    expect(s('a b\0c d')).toEqual(['a', 'b']);
  });
});

describe('RequestParser', () => {
  it('parses multibulk and inline commands, pipelined, whole and byte by byte', () => {
    expect(both('*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\nping a  "b c"\n')).toEqual([['PING'], ['PING'], ['ECHO', ''], ['ping', 'a', 'b c']]);
  });
  it('skips empty lines and *0 / *-1 like Redis', () => {
    expect(both('\r\n\r\n   \r\n*0\r\n*-1\r\nPING\r\n')).toEqual([['PING']]);
  });
  it('does not check the two bytes after a bulk (Redis skips them)', () => {
    expect(both('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n')).toEqual([['PING'], ['PING']]);
  });
  it('keeps binary data in bulks', () => {
    const payload = Buffer.from([0, 1, 2, 13, 10, 255]);
    const buf = Buffer.concat([Buffer.from('*2\r\n$3\r\nSET\r\n$6\r\n'), payload, Buffer.from('\r\n')]);
    const p = new RequestParser();
    p.feed(buf);
    const r = p.next() as Buffer[];
    expect(r[1]).toEqual(payload);
  });
  it.each([
    ['*2147483648\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*01\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\r\n+PING\r\n', "ERR Protocol error: expected '$', got '+'"],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$abc\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'ERR Protocol error: invalid bulk length'],
    ['PING "a\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ['PING "a"b\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ])('rejects %j with Redis text', (input, err) => {
    expect(both(input)).toEqual([err]);
  });
  it('runs the commands before a protocol error, then stays failed', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('PING\r\n*1\r\n$x\r\nPING\r\n'));
    expect(p.next()).toEqual([Buffer.from('PING')]);
    expect(p.next()).toBeInstanceOf(ProtocolError);
    p.feed(Buffer.from('PING\r\n'));
    expect(p.next()).toBeInstanceOf(ProtocolError);
    expect(p.buffered).toBe(0);
  });
  it('bounds lines without a newline at 64 KB', () => {
    expect(both('a'.repeat(64 * 1024 + 1))).toEqual(['ERR Protocol error: too big inline request']);
    expect(parseRequests('a'.repeat(64 * 1024), 'whole')).toEqual([]);
    expect(parseRequests('*' + '1'.repeat(64 * 1024 + 1), 'whole')).toEqual(['ERR Protocol error: too big mbulk count string']);
    expect(parseRequests('*1\r\n$' + '1'.repeat(64 * 1024 + 1), 'whole')).toEqual(['ERR Protocol error: too big bulk count string']);
  });
  it('accepts an inline line longer than 64 KB once its newline is there', () => {
    const long = 'x'.repeat(70_000);
    expect(parseRequests(`PING ${long}\r\n`, 'whole')).toEqual([['PING', long]]);
  });
  it('honours proto-max-bulk-len', () => {
    expect(both('*1\r\n$11\r\n', { protoMaxBulkLen: 10 })).toEqual(['ERR Protocol error: invalid bulk length']);
    expect(both('*1\r\n$10\r\n0123456789\r\n', { protoMaxBulkLen: 10 })).toEqual([['0123456789']]);
  });
  it('applies the unauthenticated limits only while AUTH is required', () => {
    const auth = { authRequired: () => true };
    expect(both('*11\r\n', auth)).toEqual(['ERR Protocol error: unauthenticated multibulk length']);
    expect(both('*1\r\n$16385\r\n', auth)).toEqual(['ERR Protocol error: unauthenticated bulk length']);
    expect(both('*10\r\n', auth)).toEqual([]);
    expect(both('*11\r\n')).toEqual([]);
  });
  it('streams a large bulk without quadratic copying', () => {
    const size = 8 * 1024 * 1024;
    const p = new RequestParser();
    p.feed(Buffer.from(`*1\r\n$${size}\r\n`));
    expect(p.next()).toBeNull();
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    for (let sent = 0; sent < size; sent += chunk.length) {
      p.feed(chunk);
      expect(p.next()).toBeNull();
    }
    p.feed(Buffer.from('\r\n'));
    const r = p.next() as Buffer[];
    expect(r[0]!.length).toBe(size);
  });
  it('never throws and never yields more than it was given, on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 17 }), (bytes, step) => {
        const p = new RequestParser({ protoMaxBulkLen: 1000 });
        const buf = Buffer.from(bytes);
        for (let i = 0; i < buf.length; i += step) {
          p.feed(buf.subarray(i, i + step));
          for (;;) {
            const r = p.next();
            if (r === null || r instanceof ProtocolError) break;
            expect(r.length).toBeGreaterThan(0);
          }
        }
        expect(p.buffered).toBeLessThanOrEqual(buf.length);
      }),
      { numRuns: 300 },
    );
  });
  it('parses what encodeCommand writes, for any arguments', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 8 }), (args) => {
        const bufs = args.map((a) => Buffer.from(a));
        const p = new RequestParser();
        const enc = encodeCommand(bufs);
        for (let i = 0; i < enc.length; i += 3) p.feed(enc.subarray(i, i + 3));
        expect(p.next()).toEqual(bufs);
        expect(p.next()).toBeNull();
      }),
    );
  });
});

describe('encodeCommandText', () => {
  it('writes the same bytes as encodeCommand, for any text and numbers (multi-byte characters included)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.integer()), { minLength: 1, maxLength: 8 }), (args) => {
        expect(Buffer.from(encodeCommandText(args), 'utf8')).toEqual(encodeCommand(args));
      }),
    );
  });
  it('spells a hello PUBLISH as Redis expects', () => {
    expect(encodeCommandText(['PUBLISH', '__sentinel__:hello', 'é,1'])).toBe('*3\r\n$7\r\nPUBLISH\r\n$18\r\n__sentinel__:hello\r\n$4\r\né,1\r\n');
  });
});

describe('encodeReply', () => {
  const e2 = (r: Reply) => encodeReply(r, 2).toString('latin1');
  const e3 = (r: Reply) => encodeReply(r, 3).toString('latin1');
  it('writes RESP2 types', () => {
    expect(e2(R.ok())).toBe('+OK\r\n');
    expect(e2(R.error('ERR x\r\ny'))).toBe('-ERR x  y\r\n');
    expect(e2(R.int(-5))).toBe(':-5\r\n');
    expect(e2(R.bulk('héllo'))).toBe('$6\r\nh\xc3\xa9llo\r\n');
    expect(e2(R.nullBulk())).toBe('$-1\r\n');
    expect(e2(R.nullArray())).toBe('*-1\r\n');
    expect(e2(R.array([R.int(1), R.bulks(['a'])]))).toBe('*2\r\n:1\r\n*1\r\n$1\r\na\r\n');
  });
  it('downgrades RESP3 shapes for RESP2 clients as Redis does', () => {
    expect(e2(R.map([['a', R.int(1)]]))).toBe('*2\r\n$1\r\na\r\n:1\r\n');
    expect(e2({ type: 'set', value: [R.bulk('x')] })).toBe('*1\r\n$1\r\nx\r\n');
    expect(e2(R.push([R.bulk('message')]))).toBe('*1\r\n$7\r\nmessage\r\n');
    expect(e2(R.bool(true))).toBe(':1\r\n');
    expect(e2(R.double(1.5))).toBe('$3\r\n1.5\r\n');
    expect(e2(R.verbatim('id=1\n'))).toBe('$5\r\nid=1\n\r\n');
  });
  it('writes RESP3 types', () => {
    expect(e3(R.map([['a', R.int(1)]]))).toBe('%1\r\n$1\r\na\r\n:1\r\n');
    expect(e3({ type: 'set', value: [] })).toBe('~0\r\n');
    expect(e3(R.push([]))).toBe('>0\r\n');
    expect(e3(R.nullBulk())).toBe('_\r\n');
    expect(e3(R.nullArray())).toBe('_\r\n');
    expect(e3(R.bool(false))).toBe('#f\r\n');
    expect(e3(R.double(Infinity))).toBe(',inf\r\n');
    expect(e3(R.verbatim('id=1\n'))).toBe('=9\r\ntxt:id=1\n\r\n');
  });
  it('formats doubles like %.17g', () => {
    expect(formatDouble(1)).toBe('1');
    expect(formatDouble(0.1)).toBe('0.10000000000000001');
    expect(formatDouble(1.5)).toBe('1.5');
    expect(formatDouble(1e21)).toBe('1e+21');
    expect(formatDouble(1.25e-7)).toBe('1.2499999999999999e-07');
    expect(formatDouble(-Infinity)).toBe('-inf');
    expect(formatDouble(123456789012)).toBe('123456789012');
  });
});

describe('ReplyParser', () => {
  function parseAll(input: string | Buffer, pieces: 'whole' | 'bytes'): Reply[] {
    const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
    const p = new ReplyParser();
    const out: Reply[] = [];
    const step = pieces === 'whole' ? buf.length : 1;
    for (let i = 0; i < buf.length; i += step) {
      p.feed(buf.subarray(i, i + step));
      for (let r = p.next(); r !== undefined; r = p.next()) out.push(r);
    }
    return out;
  }
  const bothReplies = (input: string) => {
    const w = parseAll(input, 'whole');
    expect(parseAll(input, 'bytes')).toEqual(w);
    return w;
  };
  it('reads every RESP2 type', () => {
    expect(bothReplies('+OK\r\n-ERR bad\r\n:42\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n*2\r\n:1\r\n$0\r\n\r\n')).toEqual([
      R.simple('OK'),
      R.error('ERR bad'),
      R.int(42),
      R.bulk(Buffer.from('foo')),
      R.nullBulk(),
      R.nullArray(),
      R.array([R.int(1), R.bulk(Buffer.alloc(0))]),
    ]);
  });
  it('reads every RESP3 type', () => {
    const input =
      '%1\r\n+a\r\n:1\r\n~1\r\n#t\r\n>2\r\n+message\r\n_\r\n,1.5\r\n,inf\r\n(12345678901234567890\r\n!5\r\nERR x\r\n=8\r\ntxt:abcd\r\n|1\r\n+k\r\n+v\r\n:7\r\n';
    expect(bothReplies(input)).toEqual([
      { type: 'map', value: [[R.simple('a'), R.int(1)]] },
      { type: 'set', value: [R.bool(true)] },
      R.push([R.simple('message'), R.nullBulk()]),
      R.double(1.5),
      R.double(Infinity),
      R.bulk('12345678901234567890'),
      R.error('ERR x'),
      R.verbatim('abcd'),
      R.int(7),
    ]);
  });
  it('round-trips what the encoder writes, in both protocols', () => {
    const reply = R.array([R.map([['k', R.bulks(['a', 'b'])]]), R.int(3), R.error('NOAUTH x'), R.nullBulk(), R.simple('PONG')]);
    const [r3] = parseAll(encodeReply(reply, 3), 'bytes');
    expect(r3).toEqual(
      R.array([
        { type: 'map', value: [[R.bulk(Buffer.from('k')), R.array([R.bulk(Buffer.from('a')), R.bulk(Buffer.from('b'))])]] },
        R.int(3),
        R.error('NOAUTH x'),
        R.nullBulk(),
        R.simple('PONG'),
      ]),
    );
    const [r2] = parseAll(encodeReply(reply, 2), 'whole');
    expect((r2 as { value: Reply[] }).value[0]!.type).toBe('array');
  });
  it('throws ReplyProtocolError on garbage', () => {
    expect(() => parseAll('?x\r\n', 'whole')).toThrow(ReplyProtocolError);
    expect(() => parseAll(':abc\r\n', 'whole')).toThrow(ReplyProtocolError);
    expect(() => parseAll('$3\r\nabcde\r\n', 'whole')).toThrow(ReplyProtocolError);
    expect(() => parseAll('*-5\r\n', 'whole')).toThrow(ReplyProtocolError);
  });
  it('never throws anything but ReplyProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseAll(Buffer.from(bytes), 'whole');
        } catch (err) {
          expect(err).toBeInstanceOf(ReplyProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Regressions found by the hostile-input comparison with redis-sentinel
 * (test/integration/hardening/resp-vs-redis.test.ts), pinned here as plain unit tests.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolError, RequestParser } from '../../../src/sentinel/resp/request-parser.js';
import { CommandTable } from '../../../src/sentinel/server/table.js';

function all(p: RequestParser): Array<string[] | string> {
  const out: Array<string[] | string> = [];
  for (;;) {
    const r = p.next();
    if (r === null) return out;
    if (r instanceof ProtocolError) return [...out, r.message];
    out.push(r.map((b) => b.toString('latin1')));
  }
}

describe('request parser: what Redis does with odd bytes', () => {
  it('a NUL before the line end hides it, as strchr() does: Redis keeps waiting', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('PING\x00junk\r\nPING\r\n', 'latin1'));
    expect(all(p)).toEqual([]);
    const q = new RequestParser();
    q.feed(Buffer.from('*1\x00\r\n$4\r\nPING\r\n', 'latin1'));
    expect(all(q)).toEqual([]);
    const r = new RequestParser();
    r.feed(Buffer.from('*1\r\n$4\x00\r\nPING\r\n', 'latin1'));
    expect(all(r)).toEqual([]);
  });

  it('a NUL inside a bulk or after the line end is data', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('*2\r\n$4\r\nPING\r\n$3\r\na\x00b\r\nPING\r\n\x00', 'latin1'));
    expect(all(p)).toEqual([['PING', 'a\x00b'], ['PING']]);
  });

  it('the 64 KB line limit still applies to a line a NUL hides', () => {
    const p = new RequestParser();
    p.feed(Buffer.concat([Buffer.from('\x00', 'latin1'), Buffer.alloc(70_000, 0x41), Buffer.from('\r\n')]));
    expect(all(p)).toEqual(['ERR Protocol error: too big inline request']);
  });

  it('reports empty commands (blank lines, *0, *-1): they use up CLIENT REPLY SKIP in Redis', () => {
    let empty = 0;
    const p = new RequestParser({ onEmptyCommand: () => empty++ });
    p.feed(Buffer.from('\r\n*0\r\n*-1\r\n   \r\nPING\r\n'));
    expect(all(p)).toEqual([['PING']]);
    expect(empty).toBe(4);
  });

  it('quotes the offending byte of "expected \'$\'" as a raw byte', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('*1\r\n\x80\x01\r\n', 'latin1'));
    const err = p.next() as ProtocolError;
    expect(err.bytes).toEqual(Buffer.from("ERR Protocol error: expected '$', got '\x80'", 'latin1'));
  });
});

describe('command table errors echo the client bytes as Redis does', () => {
  const table = new CommandTable();
  table.register({ name: 'ping', arity: -1, handler: () => ({ type: 'simple', value: 'PONG' }) });
  table.register({ name: 'client', arity: -2, subcommands: [{ name: 'kill', arity: -3, handler: () => ({ type: 'simple', value: 'OK' }) }] });
  const err = (...argv: Array<string | Buffer>) => {
    const r = table.lookup(argv.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'utf8'))));
    if (r.ok) throw new Error('expected an error');
    return r.error;
  };

  it('keeps binary bytes, cuts at a NUL and at 128 bytes', () => {
    expect(err(Buffer.from([0xff, 0xfe]), Buffer.from([0x80]))).toEqual(
      Buffer.concat([
        Buffer.from("ERR unknown command '"),
        Buffer.from([0xff, 0xfe]),
        Buffer.from("', with args beginning with: '"),
        Buffer.from([0x80]),
        Buffer.from("' "),
      ]),
    );
    expect(err('fo\x00o', 'a\x00b').toString('latin1')).toBe("ERR unknown command 'fo', with args beginning with: 'a' ");
    expect(err('x'.repeat(200)).toString('latin1')).toBe(`ERR unknown command '${'x'.repeat(128)}', with args beginning with: `);
    // 128 bytes of arguments, counted in bytes (each 'é' is two).
    const e = err('nope', 'é'.repeat(100)).toString('latin1');
    expect(Buffer.byteLength(e, 'latin1')).toBe("ERR unknown command 'nope', with args beginning with: ".length + 1 + 128 + 2);
  });

  it('matches names with ASCII case folding only', () => {
    expect(table.lookup([Buffer.from('PiNg')]).ok).toBe(true);
    // U+212A KELVIN SIGN lower-cases to 'k' in JavaScript, never in Redis.
    expect(err('client', '\u212Aill', 'x').toString('utf8')).toBe("ERR unknown subcommand '\u212Aill'. Try CLIENT HELP.");
  });
});

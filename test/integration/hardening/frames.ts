/**
 * fast-check generators of hostile client input for a RESP server: valid commands (multibulk and
 * inline, binary arguments), malformed headers, huge and odd declared lengths, truncated frames,
 * raw garbage, in any order. Commands are the ones whose replies do not depend on the process
 * (no ids, addresses, times), so that two servers can be compared byte for byte.
 */
import fc from 'fast-check';
import { encodeCommand } from '../../../src/sentinel/resp/encoder.js';

/** The master name both compared sentinels monitor. */
export const MASTER = 'fuzzmaster';

const smallText = fc.string({ maxLength: 12, unit: fc.constantFrom(...'abcXYZ019 _-.:*?"\'\\'.split('')) });
const binary = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const arg = fc.oneof(
  smallText.map((s) => Buffer.from(s)),
  binary,
  fc.constantFrom('', 'x', MASTER, 'nosuch').map((s) => Buffer.from(s)),
);

/** Commands with a process-independent reply. */
export const command: fc.Arbitrary<Buffer[]> = fc
  .oneof(
    fc.constant(['PING']),
    arg.map((a) => ['PING', a]),
    fc.tuple(arg, arg).map(([a, b]) => ['ping', a, b]),
    fc.constant(['CLIENT', 'GETNAME']),
    fc.constantFrom('ON', 'OFF', 'SKIP').map((m) => ['CLIENT', 'REPLY', m]),
    arg.map((a) => ['CLIENT', 'SETNAME', a]),
    fc.array(arg, { maxLength: 3 }).map((a) => ['CLIENT', ...a]),
    fc.constant(['ROLE']),
    fc.constantFrom(MASTER, 'nosuch').map((m) => ['SENTINEL', 'get-master-addr-by-name', m]),
    fc.tuple(arg, fc.array(arg, { maxLength: 2 })).map(([s, rest]) => ['SENTINEL', s, ...rest]),
    fc.constant(['SENTINEL']),
    fc.array(arg, { maxLength: 3 }).map((a) => ['AUTH', ...a]),
    fc.tuple(fc.constantFrom('subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'), fc.array(smallText, { maxLength: 2 })).map(([c, a]) => [c, ...a]),
    fc.tuple(fc.constantFrom('HELLO'), fc.constantFrom('4', 'x', '-1', '2 foo', '3 AUTH', '3 SETNAME')).map(([h, a]) => [h, ...a.split(' ').filter(Boolean)]),
    // Unknown commands echo their arguments back in the error: binary, long, with CR/LF.
    fc
      .tuple(
        fc.constantFrom('foo', 'GET', 'QUIT', 'eval', 'x'.repeat(140)),
        fc.array(
          fc.oneof(
            arg,
            fc.string({ minLength: 100, maxLength: 200 }).map((s) => Buffer.from(s)),
          ),
          { maxLength: 4 },
        ),
      )
      .map(([c, a]) => [c, ...a]),
    fc
      .tuple(
        binary.filter((b) => b.length > 0),
        fc.array(arg, { maxLength: 2 }),
      )
      .map(([c, a]) => [c, ...a]),
  )
  .map((parts) => parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));

/** Inline form of a command, quoting like a user at redis-cli would. */
function inline(argv: Buffer[]): Buffer {
  const parts = argv.map((a) => {
    if (a.length > 0 && [...a].every((c) => c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x27 && c !== 0x5c)) return a.toString('latin1');
    return `"${[...a].map((c) => (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('')}"`;
  });
  return Buffer.from(`${parts.join(' ')}\r\n`, 'latin1');
}

const validFrame = fc.oneof({ weight: 3, arbitrary: command.map((a) => encodeCommand(a)) }, { weight: 1, arbitrary: command.map(inline) });

/** Numbers as a hostile client writes them in `*N` and `$N`. */
const oddNumber = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '-2',
    '1',
    '2147483647',
    '2147483648',
    '536870912',
    '536870913',
    '9223372036854775807',
    '9223372036854775808',
    '99999999999999999999',
    '-0',
    '01',
    '+1',
    ' 1',
    '1 ',
    '',
    'abc',
    '0x10',
    '1e3',
    '\x00',
  ),
  fc.integer({ min: -5, max: 40 }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
);

const malformed = fc
  .oneof(
    oddNumber.map((n) => `*${n}\r\n`),
    fc.tuple(fc.integer({ min: 1, max: 3 }), oddNumber).map(([k, n]) => `*${k}\r\n$${n}\r\n`),
    fc.tuple(fc.constantFrom('+', ':', '-', '%', '#', '!', 'x', ' ', '*', '\r'), fc.constantFrom('PING', '4', '')).map(([p, v]) => `*1\r\n${p}${v}\r\n`),
    // A bulk whose two trailing bytes are not CRLF: Redis skips them without looking.
    fc.tuple(fc.constantFrom('PING', 'ping'), fc.constantFrom('xx', '\n\r', '\r\r', 'ab')).map(([c, t]) => `*1\r\n$${c.length}\r\n${c}${t}`),
    fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      '   \r\n',
      '\x00\r\n',
      'PING\x00junk\r\n',
      '"unbalanced\r\n',
      "'x'y\r\n",
      'PING "a"b\r\n',
      '*1\r\n$4\r\nPING',
      '*\r\n',
      '$4\r\nPING\r\n',
      '*1\n$4\nPING\n',
    ),
  )
  .map((s) => Buffer.from(s, 'latin1'));

const garbage = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a));

/** A frame cut short: the server must wait for the rest, not answer or fail. */
const truncated = validFrame.chain((f) => fc.integer({ min: 1, max: Math.max(1, f.length - 1) }).map((n) => f.subarray(0, n)));

/** Declared sizes a client never sends: the server must not allocate for them. */
export const hugeDeclared = fc
  .constantFrom(
    '*1\r\n$536870912\r\n',
    '*2\r\n$4\r\nPING\r\n$536870000\r\nabc',
    '*2147483647\r\n',
    '*2147483647\r\n$1\r\nx\r\n',
    '*3\r\n$3\r\nfoo\r\n$100000000\r\n',
  )
  .map((s) => Buffer.from(s, 'latin1'));

/** A connection's whole input: segments in any order, mostly valid, often ending mid-frame. */
export const hostileInput = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: validFrame },
        { weight: 2, arbitrary: malformed },
        { weight: 1, arbitrary: garbage },
        { weight: 1, arbitrary: hugeDeclared },
      ),
      { minLength: 1, maxLength: 6 },
    ),
    fc.option(truncated, { freq: 3 }),
  )
  .map(([segs, tail]) => Buffer.concat(tail ? [...segs, tail] : segs));

/** Where to cut the input into separate writes. */
export const chunking = fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 6 });

/**
 * The same connection-level traffic sent to a real redis-sentinel 7.0 and to our RESP server;
 * replies must match. Values that differ by nature (client ids, addresses, ages, buffer sizes,
 * random passwords) are normalised; everything else — types, order, texts — must be identical.
 * Commands that belong to sentinel-core (SENTINEL, INFO, ROLE, PUBLISH) are not registered here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, sha256Hex } from '../../../src/sentinel/server/index.js';
import type { Reply } from '../../../src/sentinel/resp/types.js';
import { freePort } from '../../helpers/ports.js';
import { startSentinel, stopAll } from '../../helpers/procs.js';
import { RespConn, plain } from '../../helpers/resp-conn.js';

const CORE_COMMANDS = new Set(['role', 'info', 'sentinel', 'publish']);
let realPort = 0;
let realAuthPort = 0;
let ours: Server;
let oursAuth: Server;

beforeAll(async () => {
  const dead = await freePort();
  const real = await startSentinel('cmp-real', { implementation: 'redis', conf: [`sentinel monitor m 127.0.0.1 ${dead} 1`] });
  realPort = real.port;
  const realAuth = await startSentinel('cmp-real-auth', { implementation: 'redis', conf: ['requirepass pw', `sentinel monitor m 127.0.0.1 ${dead} 1`] });
  realAuthPort = realAuth.port;
  ours = new Server({ bind: ['127.0.0.1'], port: 0, version: '7.0.15' });
  await ours.listen();
  oursAuth = new Server({
    bind: ['127.0.0.1'],
    port: 0,
    version: '7.0.15',
    users: new Map([['default', { enabled: true, nopass: false, passwordHashes: new Set([sha256Hex('pw')]), rules: ['~*', '&*', '+@all'] }]]),
  });
  await oursAuth.listen();
});

afterAll(async () => {
  await ours.close();
  await oursAuth.close();
  await stopAll();
});

const VOLATILE = new Set([
  'id',
  'addr',
  'laddr',
  'fd',
  'age',
  'idle',
  'qbuf',
  'qbuf-free',
  'argv-mem',
  'rbs',
  'rbp',
  'obl',
  'oll',
  'omem',
  'tot-mem',
  'events',
]);

/** CLIENT LIST / INFO text with the per-process values blanked. */
function normClientText(s: string): string {
  return s
    .split('\n')
    .map((line) =>
      line
        .split(' ')
        .map((kv) => {
          const eq = kv.indexOf('=');
          if (eq < 0) return kv;
          const k = kv.slice(0, eq);
          return VOLATILE.has(k) ? `${k}=*` : kv;
        })
        .join(' '),
    )
    .join('\n');
}

function norm(r: Reply, cmd: string[]): unknown {
  const c = cmd.map((x) => x.toLowerCase());
  const p = plain(r);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return /^id=\d+ addr=/m.test(v) ? normClientText(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('map' in o) {
        return { map: (o.map as Array<[unknown, unknown]>).map(([k, val]) => [k, k === 'id' ? 'ID' : walk(val)]) };
      }
      if ('verbatim' in o) return { verbatim: walk(o.verbatim), format: o.format };
      return Object.fromEntries(Object.entries(o).map(([k, val]) => [k, walk(val)]));
    }
    return v;
  };
  if (c[0] === 'client' && c[1] === 'id' && r.type === 'integer') return 'ID';
  if (c[0] === 'command' && (c[1] === 'info' || c.length === 1)) return sortSubcommands(walk(p));
  if (c[0] === 'acl' && c[1] === 'genpass' && r.type === 'bulk') return `genpass of ${r.value.length} chars`;
  if (c[0] === 'hello' && r.type === 'array') {
    // RESP2 HELLO: a flat field/value array.
    const a = (p as { array: unknown[] }).array;
    return { array: a.map((x, i) => (i > 0 && a[i - 1] === 'id' ? 'ID' : x)) };
  }
  return walk(p);
}

/** COMMAND INFO lists subcommands in hash-table order; compare them sorted by name. */
function sortSubcommands(v: unknown): unknown {
  const info = v as { array: unknown[] };
  if (!info || !Array.isArray(info.array)) return v;
  return {
    array: info.array.map((cmd) => {
      const fields = (cmd as { array?: unknown[] }).array;
      if (!fields || fields.length !== 10) return cmd;
      const subs = fields[9] as { array?: Array<{ array: unknown[] }> };
      if (!subs.array) return cmd;
      const sorted = [...subs.array].sort((a, b) => String(a.array[0]).localeCompare(String(b.array[0])));
      return { array: [...fields.slice(0, 9), { array: sorted }] };
    }),
  };
}

/** Runs the steps on a fresh connection to each server; returns [real, ours] normalised transcripts. */
async function both(steps: Array<string[] | { raw: string }>, auth = false): Promise<[unknown[], unknown[]]> {
  const run = async (port: number) => {
    const c = await RespConn.connect(port);
    const out: unknown[] = [];
    try {
      for (const s of steps) {
        if ('raw' in s) {
          c.write(s.raw);
          for (;;) {
            try {
              out.push(norm(await c.next(400), []));
            } catch {
              break;
            }
          }
          out.push(c.closed || (await c.waitClosed(300)) ? 'closed' : 'open');
          continue;
        }
        c.send(...s);
        const replies: unknown[] = [];
        // Commands like SUBSCRIBE a b answer with several frames.
        replies.push(norm(await c.next(), s));
        const multi = ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'].includes(s[0]!.toLowerCase());
        for (; multi;) {
          try {
            replies.push(norm(await c.next(150), s));
          } catch {
            break;
          }
        }
        out.push(replies.length === 1 ? replies[0] : replies);
      }
    } finally {
      c.close();
    }
    return out;
  };
  const real = await run(auth ? realAuthPort : realPort);
  const mine = await run(auth ? oursAuth.addresses()[0]!.port : ours.addresses()[0]!.port);
  return [real, mine];
}

async function same(steps: Array<string[] | { raw: string }>, auth = false): Promise<void> {
  const [real, mine] = await both(steps, auth);
  expect(mine).toEqual(real);
}

describe('our server answers like redis-sentinel 7.0', () => {
  it('PING, inline commands, unknown commands', async () => {
    await same([['PING'], ['PING', 'hello'], ['ping', 'a', 'b'], ['foo', 'bar'], ['ECHO', 'x'], ['QUIT'], ['RESET'], ['GET', 'k']]);
    await same([{ raw: 'PING "a b"\r\nPING \'x y\'\r\n\r\n   \r\nping\n' }]);
  });

  it('HELLO in all its forms', async () => {
    await same([
      ['HELLO'],
      ['HELLO', '4'],
      ['HELLO', 'x'],
      ['HELLO', '3', 'foo'],
      ['HELLO', '3', 'AUTH', 'default'],
      ['HELLO', '3', 'SETNAME', 'a b'],
      ['HELLO', '3', 'AUTH', 'a', 'b'],
    ]);
    await same([['HELLO', '3', 'SETNAME', 'n1'], ['CLIENT', 'GETNAME'], ['CLIENT', 'INFO'], ['PING'], ['HELLO', '2'], ['CLIENT', 'INFO']]);
    await same([['HELLO', '3', 'AUTH', 'default', 'whatever']]);
  });

  it('CLIENT subcommands and their errors', async () => {
    await same([
      ['CLIENT', 'ID'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'x'],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', ''],
      ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'a\nb'],
      ['CLIENT', 'INFO'],
      ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'ID', 'x'],
      ['CLIENT', 'LIST', 'foo'],
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'ID', 'x'],
      ['CLIENT', 'KILL', 'ID', '999999'],
      ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5', 'SKIPME', 'yes'],
      ['CLIENT', 'KILL', 'foo', 'bar'],
      ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'USER', 'nobody'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'ID', '1', 'ID'],
      ['CLIENT', 'foo'],
      ['CLIENT'],
      ['CLIENT', 'SETNAME'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'GETREDIR'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'UNBLOCK', '1'],
      ['CLIENT', 'UNBLOCK', 'x'],
      ['CLIENT', 'UNBLOCK', '1', 'foo'],
      ['CLIENT', 'CACHING', 'yes'],
      ['CLIENT', 'PAUSE', 'x'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', '10', 'foo'],
      ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'REPLY', 'foo'],
    ]);
  });

  it('AUTH without a password configured', async () => {
    await same([['AUTH', 'x'], ['AUTH', 'a', 'b'], ['AUTH', 'a', 'b', 'c'], ['AUTH', 'default', 'x'], ['AUTH']]);
  });

  it('AUTH and NOAUTH with requirepass', async () => {
    await same(
      [
        ['PING'],
        ['foo'],
        ['CLIENT'],
        ['HELLO'],
        ['HELLO', '3'],
        ['SUBSCRIBE', 'x'],
        ['AUTH', 'bad'],
        ['AUTH', 'default', 'bad'],
        ['AUTH', 'pw'],
        ['PING'],
        ['CLIENT', 'GETNAME'],
      ],
      true,
    );
    await same(
      [
        ['HELLO', '3', 'AUTH', 'default', 'bad'],
        ['HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'me'],
        ['CLIENT', 'GETNAME'],
      ],
      true,
    );
    await same([{ raw: '*11\r\n' }], true);
    await same([{ raw: '*10\r\n$16385\r\n' }], true);
  });

  it('pub/sub replies and the RESP2 subscribed context', async () => {
    await same([
      ['SUBSCRIBE', 'a', 'b'],
      ['PING'],
      ['PING', 'x'],
      ['CLIENT', 'ID'],
      ['HELLO'],
      ['AUTH', 'x'],
      ['foo'],
      ['PSUBSCRIBE', 'a*'],
      ['UNSUBSCRIBE', 'b'],
      ['UNSUBSCRIBE'],
      ['UNSUBSCRIBE'],
      ['PUNSUBSCRIBE'],
      ['PUNSUBSCRIBE'],
      ['CLIENT', 'ID'],
    ]);
    await same([
      ['HELLO', '3'],
      ['SUBSCRIBE', 'a'],
      ['PING'],
      ['CLIENT', 'ID'],
      ['PSUBSCRIBE', 'x*', 'y*'],
      ['UNSUBSCRIBE'],
      ['UNSUBSCRIBE'],
      ['PUNSUBSCRIBE'],
    ]);
  });

  it('COMMAND describes our commands exactly as Redis does', async () => {
    const names = ours.table.all().map((e) => e.fullName);
    const subs = ours.table.all().flatMap((e) => [...e.subs.values()].map((s) => s.fullName));
    await same([['COMMAND', 'INFO', ...names]]);
    await same([['COMMAND', 'INFO', ...subs]]);
    await same([
      ['HELLO', '3'],
      ['COMMAND', 'INFO', 'ping', 'client', 'nosuch'],
    ]);
    await same([
      ['COMMAND', 'INFO', 'nosuch'],
      ['COMMAND', 'DOCS', 'nosuch'],
      ['COMMAND', 'GETKEYS', 'get', 'a'],
      ['COMMAND', 'GETKEYS', 'ping', 'a'],
      ['COMMAND', 'GETKEYS', 'ping', 'a', 'b', 'c'],
      ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'],
      ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
      ['COMMAND', 'LIST', 'foo'],
      ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'foo'],
    ]);
  });

  it('COMMAND LIST and COUNT differ only by the commands sentinel-core registers', async () => {
    const [real, mine] = await both([
      ['COMMAND', 'LIST'],
      ['COMMAND', 'COUNT'],
      ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection'],
    ]);
    const realNames = new Set((real[0] as { array: string[] }).array);
    const myNames = new Set((mine[0] as { array: string[] }).array);
    for (const n of myNames) expect(realNames.has(n), n).toBe(true);
    for (const n of realNames) if (!myNames.has(n)) expect(CORE_COMMANDS.has(n.split('|')[0]!), n).toBe(true);
    expect((mine[1] as { integer: number }).integer).toBe((real[1] as { integer: number }).integer - CORE_COMMANDS.size);
    expect(new Set((mine[2] as { array: string[] }).array)).toEqual(new Set((real[2] as { array: string[] }).array));
  });

  it('ACL basics', async () => {
    await same([
      ['ACL', 'WHOAMI'],
      ['ACL', 'USERS'],
      ['ACL', 'CAT'],
      ['ACL', 'CAT', 'foo'],
      ['ACL', 'GENPASS'],
      ['ACL', 'GENPASS', '0'],
      ['ACL', 'GENPASS', '5'],
      ['ACL', 'SAVE'],
      ['ACL', 'LOAD'],
      ['ACL', 'DELUSER', 'default'],
      ['ACL', 'DELUSER', 'nobody'],
      ['ACL', 'DRYRUN', 'nobody', 'ping'],
      ['ACL', 'DRYRUN', 'default', 'nosuch'],
      ['ACL', 'DRYRUN', 'default', 'ping'],
      ['ACL', 'GETUSER', 'nobody'],
      ['ACL', 'foo'],
      ['ACL'],
    ]);
  });

  it('SHUTDOWN argument errors', async () => {
    await same([
      ['SHUTDOWN', 'foo'],
      ['SHUTDOWN', 'NOSAVE', 'SAVE'],
      ['SHUTDOWN', 'ABORT'],
      ['SHUTDOWN', 'NOW', 'ABORT'],
    ]);
  });

  it('protocol errors: same reply, then the connection closes', async () => {
    for (const raw of [
      '*2147483648\r\n',
      '*abc\r\n',
      '*1\r\n+PING\r\n',
      '*1\r\n$-1\r\n',
      '*1\r\n$abc\r\n',
      '*1\r\n$536870913\r\n',
      'PING "a\r\n',
      'PING "a"b\r\n',
      '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n',
      '*-1\r\n*0\r\nPING\r\n',
      '$4\r\nPING\r\n',
      'A'.repeat(70_000),
    ]) {
      await same([{ raw }]);
    }
  });
});

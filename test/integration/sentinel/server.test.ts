import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { Server, ListenError, isLoopback, sha256Hex, type AclUser } from '../../../src/sentinel/server/index.js';
import { R } from '../../../src/sentinel/resp/types.js';
import { RespConn, plain } from '../../helpers/resp-conn.js';

let server: Server;
let port: number;
const conns: RespConn[] = [];

async function conn(): Promise<RespConn> {
  const c = await RespConn.connect(port);
  conns.push(c);
  return c;
}

function users(pass: string): Map<string, AclUser> {
  return new Map([['default', { enabled: true, nopass: false, passwordHashes: new Set([sha256Hex(pass)]), rules: ['~*', '&*', '+@all'] }]]);
}

async function start(opts: Partial<ConstructorParameters<typeof Server>[0]> = {}): Promise<void> {
  server = new Server({ bind: ['127.0.0.1'], port: 0, version: '7.0.15', ...opts });
  await server.listen();
  port = server.addresses()[0]!.port;
}

beforeEach(async () => {
  await start();
});

afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  await server.close();
});

describe('sentinel RESP server', () => {
  it('answers PING in RESP and inline form, pipelined, in order', async () => {
    const c = await conn();
    c.write('PING\r\n*2\r\n$4\r\nPING\r\n$2\r\nhi\r\nping "a b"\r\n');
    expect(plain(await c.next())).toEqual({ simple: 'PONG' });
    expect(plain(await c.next())).toEqual('hi');
    expect(plain(await c.next())).toEqual('a b');
    expect(plain(await c.call('PING', 'a', 'b'))).toEqual({ error: "ERR wrong number of arguments for 'ping' command" });
  });

  it('keeps replies in order when handlers are async', async () => {
    server.registerCommand({
      name: 'slow',
      arity: 2,
      handler: async (_ctx, args) => {
        await new Promise((r) => setTimeout(r, Number(args[1])));
        return R.bulk(`slept ${String(args[1])}`);
      },
    });
    const c = await conn();
    c.write('SLOW 60\r\nPING\r\nSLOW 1\r\nSLOW 30\r\nPING x\r\n');
    const got = [];
    for (let i = 0; i < 5; i++) got.push(plain(await c.next()));
    expect(got).toEqual(['slept 60', { simple: 'PONG' }, 'slept 1', 'slept 30', 'x']);
  });

  it('rejects unknown commands, subcommands and bad arity with Redis texts', async () => {
    const c = await conn();
    expect(plain(await c.call('foo', 'bar', 'a\r\nb'))).toEqual({ error: "ERR unknown command 'foo', with args beginning with: 'bar' 'a  b' " });
    expect(plain(await c.call('client', 'foo'))).toEqual({ error: "ERR unknown subcommand 'foo'. Try CLIENT HELP." });
    expect(plain(await c.call('client'))).toEqual({ error: "ERR wrong number of arguments for 'client' command" });
    expect(plain(await c.call('client', 'setname'))).toEqual({ error: "ERR wrong number of arguments for 'client|setname' command" });
    const long = 'x'.repeat(300);
    const r = plain(await c.call('nope', long)) as { error: string };
    expect(r.error).toBe(`ERR unknown command 'nope', with args beginning with: '${'x'.repeat(128)}' `);
  });

  it('answers a protocol error and closes, after running what came before', async () => {
    const c = await conn();
    c.write('PING\r\n*1\r\n$-1\r\nPING\r\n');
    expect(plain(await c.next())).toEqual({ simple: 'PONG' });
    expect(plain(await c.next())).toEqual({ error: 'ERR Protocol error: invalid bulk length' });
    expect(await c.waitClosed()).toBe(true);
    expect(c.pending()).toEqual([]);
  });

  it('closes a client that sends a 64 KB line without a newline, and keeps serving others', async () => {
    const c = await conn();
    c.write('A'.repeat(70_000));
    expect(plain(await c.next())).toEqual({ error: 'ERR Protocol error: too big inline request' });
    expect(await c.waitClosed()).toBe(true);
    const d = await conn();
    expect(plain(await d.call('PING'))).toEqual({ simple: 'PONG' });
  });

  it('survives random garbage on many connections', async () => {
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 30; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      const bytes = Buffer.alloc(2000 + i * 100);
      for (let j = 0; j < bytes.length; j++) bytes[j] = (j * 7919 + i * 104729) & 0xff;
      s.write(bytes);
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const s of sockets) s.destroy();
    const c = await conn();
    expect(plain(await c.call('PING'))).toEqual({ simple: 'PONG' });
  });

  it('stops reading from a client that does not read its replies', async () => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    s.pause();
    const chunk = Buffer.from('PING\r\n'.repeat(10_000));
    let sent = 0;
    // Keep writing while the kernel takes it; the server must stop taking it at some point.
    for (let i = 0; i < 400; i++) {
      if (!s.write(chunk)) await Promise.race([new Promise((r) => s.once('drain', r)), new Promise((r) => setTimeout(r, 100))]);
      sent += chunk.length;
    }
    await new Promise((r) => setTimeout(r, 200));
    const c = server.clients().find((x) => x.lastCommand === 'ping')!;
    // 24 MB were offered; what the server holds for this client stays small.
    expect(sent).toBeGreaterThan(20_000_000);
    expect(c.queryBufferBytes + c.outputBufferBytes).toBeLessThan(4 * 1024 * 1024);
    expect(s.writableLength).toBeGreaterThan(0);
    s.destroy();
    const d = await conn();
    expect(plain(await d.call('PING'))).toEqual({ simple: 'PONG' });
  });

  it('requires AUTH when the default user has a password', async () => {
    await server.close();
    await start({ users: users('secret') });
    const c = await conn();
    expect(plain(await c.call('PING'))).toEqual({ error: 'NOAUTH Authentication required.' });
    expect(plain(await c.call('foo'))).toEqual({ error: "ERR unknown command 'foo', with args beginning with: " });
    expect(plain(await c.call('HELLO', '3'))).toEqual({
      error:
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    });
    expect(plain(await c.call('AUTH', 'bad'))).toEqual({ error: 'WRONGPASS invalid username-password pair or user is disabled.' });
    expect(plain(await c.call('AUTH', 'default', 'secret'))).toEqual({ simple: 'OK' });
    expect(plain(await c.call('PING'))).toEqual({ simple: 'PONG' });
    const d = await conn();
    d.write('*11\r\n');
    expect(plain(await d.next())).toEqual({ error: 'ERR Protocol error: unauthenticated multibulk length' });
    expect(await d.waitClosed()).toBe(true);
    const e = await conn();
    const hello = plain(await e.call('HELLO', '3', 'AUTH', 'default', 'secret', 'SETNAME', 'me')) as { map: unknown[] };
    expect(hello.map).toEqual([
      ['server', 'redis'],
      ['version', '7.0.15'],
      ['proto', { integer: 3 }],
      ['id', { integer: expect.any(Number) }],
      ['mode', 'sentinel'],
      ['modules', { array: [] }],
    ]);
    expect(plain(await e.call('CLIENT', 'GETNAME'))).toEqual('me');
  });

  it('says AUTH without a configured password is a mistake', async () => {
    const c = await conn();
    expect(plain(await c.call('AUTH', 'x'))).toEqual({
      error: 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    });
    expect(plain(await c.call('AUTH', 'default', 'anything'))).toEqual({ simple: 'OK' });
    expect(plain(await c.call('AUTH', 'a', 'b', 'c'))).toEqual({ error: 'ERR syntax error' });
  });

  it('fans out publish to channel and pattern subscribers in RESP2 and RESP3', async () => {
    const a = await conn();
    const b = await conn();
    expect(plain(await a.call('SUBSCRIBE', '+sdown', '+odown'))).toEqual({ array: ['subscribe', '+sdown', { integer: 1 }] });
    expect(plain(await a.next())).toEqual({ array: ['subscribe', '+odown', { integer: 2 }] });
    await b.call('HELLO', '3');
    expect(plain(await b.call('PSUBSCRIBE', '+*'))).toEqual({ push: ['psubscribe', '+*', { integer: 1 }] });
    expect(server.publish('+sdown', 'master mymaster 127.0.0.1 6379')).toBe(2);
    expect(plain(await a.next())).toEqual({ array: ['message', '+sdown', 'master mymaster 127.0.0.1 6379'] });
    expect(plain(await b.next())).toEqual({ push: ['pmessage', '+*', '+sdown', 'master mymaster 127.0.0.1 6379'] });
    expect(server.publish('-sdown', 'x')).toBe(0);
    // RESP2 subscribed context: only pub/sub commands and PING.
    expect(plain(await a.call('CLIENT', 'ID'))).toEqual({
      error: "ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    });
    expect(plain(await a.call('PING'))).toEqual({ array: ['pong', ''] });
    // RESP3 clients may run anything.
    expect(plain(await b.call('PING'))).toEqual({ simple: 'PONG' });
    expect(plain(await a.call('UNSUBSCRIBE'))).toEqual({ array: ['unsubscribe', '+sdown', { integer: 1 }] });
    expect(plain(await a.next())).toEqual({ array: ['unsubscribe', '+odown', { integer: 0 }] });
    expect(plain(await a.call('UNSUBSCRIBE'))).toEqual({ array: ['unsubscribe', { null: 'bulk' }, { integer: 0 }] });
    expect(typeof (plain(await a.call('CLIENT', 'ID')) as { integer: number }).integer).toBe('number');
    expect(server.stats().pubsubPatterns).toBe(1);
    b.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.stats().pubsubPatterns).toBe(0);
  });

  it('implements CLIENT SETNAME/GETNAME/ID/INFO/LIST/KILL', async () => {
    const a = await conn();
    const b = await conn();
    expect(plain(await a.call('CLIENT', 'SETNAME', 'has space'))).toEqual({
      error: 'ERR Client names cannot contain spaces, newlines or special characters.',
    });
    expect(plain(await a.call('CLIENT', 'SETNAME', 'alpha'))).toEqual({ simple: 'OK' });
    expect(plain(await a.call('CLIENT', 'GETNAME'))).toEqual('alpha');
    const idA = (plain(await a.call('CLIENT', 'ID')) as { integer: number }).integer;
    const idB = (plain(await b.call('CLIENT', 'ID')) as { integer: number }).integer;
    const info = plain(await a.call('CLIENT', 'INFO')) as string;
    expect(info).toMatch(
      new RegExp(
        `^id=${idA} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${port} fd=\\d+ name=alpha age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=\\d+ oll=0 omem=0 tot-mem=\\d+ events=rw? cmd=client\\|info user=default redir=-1 resp=2\\n$`,
      ),
    );
    const list = plain(await a.call('CLIENT', 'LIST')) as string;
    expect(list.trim().split('\n')).toHaveLength(2);
    expect(plain(await a.call('CLIENT', 'LIST', 'ID', String(idB)))).toMatch(new RegExp(`^id=${idB} `));
    expect(plain(await a.call('CLIENT', 'LIST', 'TYPE', 'pubsub'))).toEqual('');
    expect(plain(await a.call('CLIENT', 'LIST', 'TYPE', 'foo'))).toEqual({ error: "ERR Unknown client type 'foo'" });
    expect(plain(await a.call('CLIENT', 'LIST', 'ID', 'x'))).toEqual({ error: 'ERR Invalid client ID' });
    expect(plain(await a.call('CLIENT', 'KILL', '1.2.3.4:5'))).toEqual({ error: 'ERR No such client' });
    expect(plain(await a.call('CLIENT', 'KILL', 'ID', 'x'))).toEqual({ error: 'ERR client-id should be greater than 0' });
    expect(plain(await a.call('CLIENT', 'KILL', 'USER', 'nobody'))).toEqual({ error: "ERR No such user 'nobody'" });
    expect(plain(await a.call('CLIENT', 'KILL', 'ID', '1', 'ID'))).toEqual({ error: 'ERR syntax error' });
    // New form skips the caller by default.
    expect(plain(await a.call('CLIENT', 'KILL', 'ID', String(idA)))).toEqual({ integer: 0 });
    expect(plain(await a.call('CLIENT', 'KILL', 'ID', String(idB)))).toEqual({ integer: 1 });
    expect(await b.waitClosed()).toBe(true);
    // Old form may kill the caller: the reply comes first.
    const info2 = plain(await a.call('CLIENT', 'INFO')) as string;
    const addr = /addr=(\S+)/.exec(info2)![1]!;
    expect(plain(await a.call('CLIENT', 'KILL', addr))).toEqual({ simple: 'OK' });
    expect(await a.waitClosed()).toBe(true);
  });

  it('honours CLIENT REPLY OFF / SKIP / ON', async () => {
    const c = await conn();
    c.write('CLIENT REPLY OFF\r\nPING a\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING b\r\n');
    expect(plain(await c.next())).toEqual({ simple: 'OK' });
    expect(plain(await c.next())).toEqual('b');
    c.write('CLIENT REPLY SKIP\r\nPING c\r\nPING d\r\n');
    expect(plain(await c.next())).toEqual('d');
  });

  it('answers HELLO and switches protocols', async () => {
    const c = await conn();
    expect(plain(await c.call('HELLO', '4'))).toEqual({ error: 'NOPROTO unsupported protocol version' });
    expect(plain(await c.call('HELLO', 'x'))).toEqual({ error: 'ERR Protocol version is not an integer or out of range' });
    expect(plain(await c.call('HELLO', '3', 'foo'))).toEqual({ error: "ERR Syntax error in HELLO option 'foo'" });
    expect(plain(await c.call('HELLO', '3', 'AUTH', 'default'))).toEqual({ error: "ERR Syntax error in HELLO option 'AUTH'" });
    const h = plain(await c.call('HELLO', '3')) as { map: unknown[] };
    expect(h.map[2]).toEqual(['proto', { integer: 3 }]);
    expect(c.rawBytes.toString('latin1')).toContain('%6\r\n$6\r\nserver\r\n');
    expect(plain(await c.call('CLIENT', 'INFO'))).toMatchObject({ format: 'txt' });
    const h2 = plain(await c.call('HELLO', '2')) as { array: unknown[] };
    expect(h2.array).toHaveLength(12);
  });

  it('describes its commands through COMMAND', async () => {
    const c = await conn();
    expect(plain(await c.call('COMMAND', 'COUNT'))).toEqual({ integer: server.table.all().length });
    const info = plain(await c.call('COMMAND', 'INFO', 'ping', 'nosuch', 'client|id')) as { array: unknown[] };
    expect(info.array[0]).toEqual({
      array: [
        'ping',
        { integer: -1 },
        { array: [{ simple: 'fast' }] },
        { integer: 0 },
        { integer: 0 },
        { integer: 0 },
        { array: [{ simple: '@fast' }, { simple: '@connection' }] },
        { array: ['request_policy:all_shards', 'response_policy:all_succeeded'] },
        { array: [] },
        { array: [] },
      ],
    });
    expect(info.array[1]).toEqual({ null: 'bulk' });
    expect((info.array[2] as { array: unknown[] }).array[0]).toBe('client|id');
    const list = plain(await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'p*')) as { array: string[] };
    expect(list.array.sort()).toEqual(['ping', 'psubscribe', 'punsubscribe']);
    expect(plain(await c.call('COMMAND', 'GETKEYS', 'get', 'a'))).toEqual({ error: 'ERR Invalid command specified' });
    expect(plain(await c.call('COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'))).toEqual({ error: 'ERR syntax error' });
  });

  it('calls the SHUTDOWN hook and never replies to a successful SHUTDOWN', async () => {
    await server.close();
    let called: string[] | undefined;
    await start({
      onShutdown: async (args) => {
        called = args;
        await server.close();
      },
    });
    const c = await conn();
    expect(plain(await c.call('SHUTDOWN', 'foo'))).toEqual({ error: 'ERR syntax error' });
    c.send('SHUTDOWN', 'NOSAVE');
    expect(await c.waitClosed()).toBe(true);
    expect(called).toEqual(['nosave']);
    expect(c.pending()).toEqual([]);
  });

  it('reports a busy port as a ListenError and binds nothing', async () => {
    const other = new Server({ bind: ['127.0.0.1'], port, version: '7.0.15' });
    const err = await other.listen().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).code).toBe('EADDRINUSE');
    expect((err as ListenError).message).toContain(`127.0.0.1:${port}`);
    expect(other.addresses()).toEqual([]);
  });

  it('renames and removes commands like rename-command', async () => {
    expect(server.renameCommand('client', 'cl')).toBeNull();
    expect(server.renameCommand('acl', '')).toBeNull();
    expect(server.renameCommand('nosuch', 'x')).toBe('No such command in rename-command');
    expect(server.renameCommand('ping', 'cl')).toBe('Target command name already exists');
    const c = await conn();
    expect(plain(await c.call('CL', 'SETNAME', 'renamed'))).toEqual({ simple: 'OK' });
    expect(plain(await c.call('CLIENT', 'GETNAME'))).toEqual({ error: "ERR unknown command 'CLIENT', with args beginning with: 'GETNAME' " });
    expect(plain(await c.call('CL', 'X'))).toEqual({ error: "ERR unknown subcommand 'X'. Try CL HELP." });
    expect(plain(await c.call('CL', 'SETNAME'))).toEqual({ error: "ERR wrong number of arguments for 'cl|setname' command" });
    expect(plain(await c.call('ACL', 'WHOAMI'))).toMatchObject({ error: expect.stringContaining("unknown command 'ACL'") });
  });

  it('lets loopback clients in under protected mode', async () => {
    await server.close();
    await start({ protectedMode: true });
    const c = await conn();
    expect(plain(await c.call('PING'))).toEqual({ simple: 'PONG' });
    expect(isLoopback('127.0.0.5')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:192.0.2.1')).toBe(false);
  });

  it('serves ioredis and node-redis clients', async () => {
    // INFO belongs to sentinel-core; without it ioredis's ready check would fail.
    const io = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false });
    await io.connect();
    expect(await io.ping()).toBe('PONG');
    expect(await io.client('SETNAME', 'io')).toBe('OK');
    expect(await io.client('GETNAME')).toBe('io');
    const sub = io.duplicate();
    const got = new Promise<[string, string]>((resolve) => sub.on('message', (ch: string, m: string) => resolve([ch, m])));
    await sub.subscribe('+switch-master');
    server.publish('+switch-master', 'mymaster 127.0.0.1 1 127.0.0.1 2');
    expect(await got).toEqual(['+switch-master', 'mymaster 127.0.0.1 1 127.0.0.1 2']);
    sub.disconnect();
    io.disconnect();

    for (const RESP of [2, 3] as const) {
      const nr = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, RESP });
      nr.on('error', () => {});
      await nr.connect();
      expect(await nr.ping()).toBe('PONG');
      const s = nr.duplicate();
      s.on('error', () => {});
      await s.connect();
      const msg = new Promise<string>((resolve) => void s.subscribe('+sdown', (m) => resolve(m)));
      await new Promise((r) => setTimeout(r, 50));
      server.publish('+sdown', `resp${RESP}`);
      expect(await msg).toBe(`resp${RESP}`);
      s.destroy();
      nr.destroy();
    }
  });
});

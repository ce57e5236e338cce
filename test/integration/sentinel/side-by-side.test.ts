/**
 * The same topology (1 master, 2 replicas, 3 sentinels) watched once by redis-sentinel 7.0 and
 * once by the TypeScript sentinel; every SENTINEL query, INFO, ROLE and error reply is compared
 * field by field. Values that legitimately differ between two topologies (ports, run ids,
 * timings, counters) are compared by shape; everything else must be identical, in the same order,
 * with the same RESP types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from '../../helpers/procs.js';
import type { Reply } from '../../../src/sentinel/resp/types.js';
import { RespConn, pairs, text, toJs } from '../../helpers/resp-conn.js';
import { sentinelCall, startTopology, waitDiscovered, type Topology } from './topology.js';

let redisT: Topology;
let tsT: Topology;

beforeAll(async () => {
  [redisT, tsT] = await Promise.all([
    startTopology({ sentinels: ['redis', 'redis', 'redis'] }),
    startTopology({ sentinels: ['bundled', 'bundled', 'bundled'] }),
  ]);
  await Promise.all([waitDiscovered(redisT), waitDiscovered(tsT)]);
}, 90_000);

afterAll(async () => {
  redisT?.events.close();
  tsT?.events.close();
  await stopAll();
});

type Rule = 'equal' | 'number' | 'runid' | 'addr-port' | 'runid-or-empty';

const FIELD_RULES: Record<string, Rule> = {
  name: 'equal',
  ip: 'equal',
  port: 'number',
  runid: 'runid',
  flags: 'equal',
  'link-pending-commands': 'number',
  'link-refcount': 'equal',
  'last-ping-sent': 'number',
  'last-ok-ping-reply': 'number',
  'last-ping-reply': 'number',
  'down-after-milliseconds': 'equal',
  'info-refresh': 'number',
  'role-reported': 'equal',
  'role-reported-time': 'number',
  'config-epoch': 'equal',
  'num-slaves': 'equal',
  'num-other-sentinels': 'equal',
  quorum: 'equal',
  'failover-timeout': 'equal',
  'parallel-syncs': 'equal',
  'master-link-down-time': 'equal',
  'master-link-status': 'equal',
  'master-host': 'equal',
  'master-port': 'number',
  'slave-priority': 'equal',
  'slave-repl-offset': 'number',
  'replica-announced': 'equal',
  'last-hello-message': 'number',
  'voted-leader': 'equal',
  'voted-leader-epoch': 'equal',
};

function checkValue(rule: Rule, field: string, a: string, b: string): void {
  const where = `${field}: redis=${JSON.stringify(a)} bundled=${JSON.stringify(b)}`;
  switch (rule) {
    case 'equal':
      expect(b, where).toBe(a);
      break;
    case 'number':
      expect(a, where).toMatch(/^-?\d+$/);
      expect(b, where).toMatch(/^-?\d+$/);
      break;
    case 'runid':
      expect(a, where).toMatch(/^[0-9a-f]{40}$/);
      expect(b, where).toMatch(/^[0-9a-f]{40}$/);
      break;
    case 'addr-port':
      expect(a.replace(/:\d+$/, ':N'), where).toBe(b.replace(/:\d+$/, ':N'));
      break;
    case 'runid-or-empty':
      expect(a === '' ? '' : 'id', where).toBe(b === '' ? '' : 'id');
      break;
  }
}

/** Same RESP shape: types everywhere, numbers of elements. */
function shape(r: Reply): unknown {
  switch (r.type) {
    case 'array':
    case 'set':
    case 'push':
      return [r.type, r.value.map(shape)];
    case 'map':
      return ['map', r.value.map(([k, v]) => [shape(k), shape(v)])];
    default:
      return r.type;
  }
}

function compareInstance(kind: 'master' | 'replica' | 'sentinel', a: Reply, b: Reply): void {
  expect(shape(b)).toEqual(shape(a));
  const pa = pairs(a);
  const pb = pairs(b);
  expect(
    pb.map(([k]) => k),
    `${kind} field names and order`,
  ).toEqual(pa.map(([k]) => k));
  for (let i = 0; i < pa.length; i++) {
    const [field, va] = pa[i]!;
    const vb = pb[i]![1];
    let rule = FIELD_RULES[field] ?? 'equal';
    if (field === 'name' && kind === 'replica') rule = 'addr-port';
    if (field === 'name' && kind === 'sentinel') rule = 'runid';
    checkValue(rule, field, va, vb);
  }
}

/** Sorts replica/sentinel records by the position of their port in the topology. */
function byPosition(r: Reply, ports: number[]): Reply[] {
  if (r.type !== 'array') throw new Error('expected array');
  const pos = (x: Reply) => ports.indexOf(Number(Object.fromEntries(pairs(x)).port));
  return [...r.value].sort((x, y) => pos(x) - pos(y));
}

async function both(...args: Array<string | number>): Promise<[Reply, Reply]> {
  return Promise.all([sentinelCall(redisT.sentinels[0]!.port, ...args), sentinelCall(tsT.sentinels[0]!.port, ...args)]);
}

describe('SENTINEL queries, bundled vs redis-sentinel', () => {
  it('SENTINEL MASTER and MASTERS', async () => {
    const [a, b] = await both('SENTINEL', 'MASTER', 'mymaster');
    compareInstance('master', a, b);
    const [ma, mb] = await both('SENTINEL', 'MASTERS');
    expect(shape(mb)).toEqual(shape(ma));
  });

  it('SENTINEL REPLICAS and SLAVES', async () => {
    for (const sub of ['REPLICAS', 'SLAVES']) {
      const [a, b] = await both('SENTINEL', sub, 'mymaster');
      const ra = byPosition(
        a,
        redisT.replicas.map((p) => p.port),
      );
      const rb = byPosition(
        b,
        tsT.replicas.map((p) => p.port),
      );
      expect(rb.length).toBe(ra.length);
      ra.forEach((x, i) => compareInstance('replica', x, rb[i]!));
    }
  });

  it('SENTINEL SENTINELS', async () => {
    const [a, b] = await both('SENTINEL', 'SENTINELS', 'mymaster');
    const sa = byPosition(
      a,
      redisT.sentinels.map((p) => p.port),
    );
    const sb = byPosition(
      b,
      tsT.sentinels.map((p) => p.port),
    );
    expect(sb.length).toBe(2);
    sa.forEach((x, i) => compareInstance('sentinel', x, sb[i]!));
  });

  it('GET-MASTER-ADDR-BY-NAME, CKQUORUM, ROLE, MYID, DEBUG, CONFIG GET, RESET of nothing', async () => {
    const same = async (...args: Array<string | number>) => {
      const [a, b] = await both(...args);
      expect(shape(b), args.join(' ')).toEqual(shape(a));
      return [a, b] as const;
    };
    const [ga, gb] = await same('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster');
    expect(toJs(ga)).toEqual(['127.0.0.1', String(redisT.master.port)]);
    expect(toJs(gb)).toEqual(['127.0.0.1', String(tsT.master.port)]);
    for (const args of [
      ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch'],
      ['SENTINEL', 'CKQUORUM', 'mymaster'],
      ['ROLE'],
      ['SENTINEL', 'DEBUG'],
      ['SENTINEL', 'CONFIG', 'GET', '*'],
      ['SENTINEL', 'CONFIG', 'GET', 'announce-*'],
      ['SENTINEL', 'RESET', 'nosuch*'],
      ['SENTINEL', 'PENDING-SCRIPTS'],
      ['SENTINEL', 'SIMULATE-FAILURE', 'HELP'],
      ['SENTINEL', 'HELP'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0', '*'],
      ['SENTINEL', 'INFO-CACHE', 'nosuch'],
      ['PING'],
      ['PING', 'hello'],
    ]) {
      const [a, b] = await same(...args);
      expect(toJs(b), args.join(' ')).toEqual(toJs(a));
    }
    const [ia, ib] = await same('SENTINEL', 'MYID');
    expect(text(ib)).toMatch(/^[0-9a-f]{40}$/);
    expect(text(ia)).toMatch(/^[0-9a-f]{40}$/);
    const [ca, cb] = await same('SENTINEL', 'INFO-CACHE', 'mymaster');
    expect(shape(cb)).toEqual(shape(ca));
  });

  it('error replies are the same text', async () => {
    const cases: Array<Array<string | number>> = [
      ['SENTINEL'],
      ['SENTINEL', 'foo'],
      ['SENTINEL', 'MASTERS', 'x'],
      ['SENTINEL', 'MASTER', 'nosuch'],
      ['SENTINEL', 'MASTER'],
      ['SENTINEL', 'REPLICAS', 'nosuch'],
      ['SENTINEL', 'SENTINELS', 'nosuch'],
      ['SENTINEL', 'CKQUORUM', 'nosuch'],
      ['SENTINEL', 'MYID', 'x'],
      ['SENTINEL', 'DEBUG', 'foo', '1'],
      ['SENTINEL', 'DEBUG', 'ping-period', 'abc'],
      ['SENTINEL', 'DEBUG', 'ping-period'],
      ['SENTINEL', 'CONFIG', 'SET', 'foo', 'bar'],
      ['SENTINEL', 'CONFIG', 'SET', 'announce-port', 'x'],
      ['SENTINEL', 'CONFIG', 'SET', 'resolve-hostnames', 'maybe'],
      ['SENTINEL', 'CONFIG', 'GET'],
      ['SENTINEL', 'CONFIG', 'FOO', 'x'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', 'x', '0', '*'],
      ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', 'x', '*'],
      ['SENTINEL', 'SIMULATE-FAILURE', 'foo'],
      ['SENTINEL', 'SET', 'mymaster', 'foo', '1'],
      ['SENTINEL', 'SET', 'mymaster', 'quorum', 'x'],
      ['SENTINEL', 'SET', 'mymaster', 'quorum', '0'],
      ['SENTINEL', 'SET', 'nosuch', 'quorum', '2'],
      ['SENTINEL', 'SET', 'mymaster', 'notification-script', '/bin/true'],
      ['SENTINEL', 'SET', 'mymaster'],
      ['SENTINEL', 'MONITOR', 'mymaster', '127.0.0.1', '1', '2'],
      ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1', '1', '0'],
      ['SENTINEL', 'MONITOR', 'm2', 'no-such-host.invalid', '1', '2'],
      ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1', 'x', '2'],
      ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1', '1', 'x'],
      ['SENTINEL', 'MONITOR', 'm2', '127.0.0.1', '99999', '2'],
      ['SENTINEL', 'REMOVE', 'nosuch'],
      ['SENTINEL', 'FAILOVER', 'nosuch'],
      ['SENTINEL', 'INFO-CACHE'],
      ['SENTINEL', 'RESET'],
      ['GET', 'x'],
      ['SET', 'x', '1'],
      ['PUBLISH', 'foo', 'bar'],
    ];
    for (const args of cases) {
      const [a, b] = await both(...args);
      expect(b.type, args.join(' ')).toBe(a.type);
      expect(text(b), args.join(' ')).toBe(text(a));
    }
  });

  it('INFO has the same sections and fields, and the same # Sentinel values', async () => {
    for (const args of [[], ['sentinel'], ['server', 'clients'], ['all'], ['default'], ['everything'], ['foo'], ['Sentinel'], ['cpu'], ['stats']]) {
      const [a, b] = await both('INFO', ...args);
      expect(b.type).toBe(a.type);
      const layout = (r: Reply) =>
        text(r)
          .split('\r\n')
          .map((l) => (l.startsWith('#') || l === '' ? l : l.split(':')[0]));
      expect(layout(b), `INFO ${args.join(' ')}`).toEqual(layout(a));
    }
    const [a, b] = await both('INFO', 'sentinel');
    const norm = (s: string, port: number) => s.replace(`:${port},`, ':PORT,');
    expect(norm(text(b), tsT.master.port)).toBe(norm(text(a), redisT.master.port));
  });

  it('replies the same in RESP3 after HELLO 3', async () => {
    const ca = await RespConn.connect(redisT.sentinels[0]!.port);
    const cb = await RespConn.connect(tsT.sentinels[0]!.port);
    try {
      await ca.call('HELLO', '3');
      await cb.call('HELLO', '3');
      for (const args of [
        ['SENTINEL', 'MASTER', 'mymaster'],
        ['SENTINEL', 'MASTERS'],
        ['SENTINEL', 'REPLICAS', 'mymaster'],
        ['SENTINEL', 'SENTINELS', 'mymaster'],
        ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch'],
        ['SENTINEL', 'DEBUG'],
        ['SENTINEL', 'CONFIG', 'GET', '*'],
        ['SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', '1', '0', '*'],
        ['SENTINEL', 'INFO-CACHE', 'nosuch'],
        ['INFO', 'sentinel'],
        ['ROLE'],
      ]) {
        const [a, b] = await Promise.all([ca.call(...args), cb.call(...args)]);
        expect(shape(b), args.join(' ')).toEqual(shape(a));
      }
    } finally {
      ca.close();
      cb.close();
    }
  });
});

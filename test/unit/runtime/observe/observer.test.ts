/** The observer's reading of replies, without processes (its asking is tested in test/integration/runtime/observe/). */
import { describe, expect, it } from 'vitest';
import { AddressBook } from '../../../../src/runtime/observe/addresses.js';
import { fillLag, nodeViewFromInfo, sentinelMasterView } from '../../../../src/runtime/observe/observer.js';
import { parseInfo } from '../../../../src/runtime/observe/replies.js';
import { parseSpec } from '../../../../src/topology/load.js';

const t = parseSpec('version: 1\nproject: p\nsentinels:\n  implementation: redis\n').topology;
const book = new AddressBook(t);
const [m, r1, r2] = t.masters[0]!.nodes;
const base = (service: string) => ({ service, group: 'mymaster', address: 'x' });

describe('a data node from INFO replication', () => {
  // INFO says role:slave; the one view says replica (as status always printed it, and as Redis names it since 5.0).
  it('a replica: role replica, its master by service, the link', () => {
    const info = parseInfo(`role:slave\r\nmaster_host:${m!.local.host}\r\nmaster_port:${m!.local.port}\r\nmaster_link_status:down\r\nslave_repl_offset:7\r\n`);
    expect(nodeViewFromInfo(base('redis-replica-1'), info, book).view).toEqual({
      ...base('redis-replica-1'),
      reachable: true,
      role: 'replica',
      offset: 7,
      masterAddress: `${m!.local.host}:${m!.local.port}`,
      masterService: 'redis-master',
      link: 'down',
    });
  });

  it('a master: online and connected replicas, and their lag filled in on the replicas', () => {
    const info = parseInfo(
      `role:master\r\nconnected_slaves:2\r\nslave0:ip=${r1!.local.host},port=${r1!.local.port},state=online,offset=90,lag=1\r\nslave1:ip=${r2!.local.host},port=${r2!.local.port},state=wait_bgsave,offset=0,lag=3\r\nmaster_repl_offset:100\r\n`,
    );
    const master = nodeViewFromInfo(base('redis-master'), info, book);
    expect(master.view).toMatchObject({ role: 'master', offset: 100, onlineReplicas: 1, connectedReplicas: 2 });
    const replica = nodeViewFromInfo(base('redis-replica-1'), parseInfo('role:slave\nslave_repl_offset:90\nmaster_link_status:up\n'), book).view;
    fillLag([master.view, replica], new Map([['redis-master', master.listed]]), book);
    expect(replica).toMatchObject({ lagBytes: 10, lagSeconds: 1 });
  });
});

describe('a sentinel’s belief about a group', () => {
  const master = [
    'name',
    'mymaster',
    'ip',
    m!.local.host,
    'port',
    String(m!.local.port),
    'flags',
    'master',
    'config-epoch',
    '2',
    'quorum',
    '2',
    'num-slaves',
    '2',
    'num-other-sentinels',
    '2',
  ];

  it('reads SENTINEL MASTER, REPLICAS and SENTINELS into services and flags', () => {
    const v = sentinelMasterView(
      'mymaster',
      {
        addr: [m!.local.host, String(m!.local.port)],
        master,
        replicas: [['ip', r1!.local.host, 'port', String(r1!.local.port), 'flags', 'slave,s_down']],
        sentinels: [['ip', '127.0.0.1', 'port', '26380', 'flags', 'sentinel', 'runid', 'abc']],
      },
      book,
    );
    expect(v).toMatchObject({
      address: `${m!.local.host}:${m!.local.port}`,
      service: 'redis-master',
      flags: ['master'],
      configEpoch: 2,
      quorum: 2,
      numOtherSentinels: 2,
    });
    expect(v.replicas).toEqual([{ address: `${r1!.local.host}:${r1!.local.port}`, service: 'redis-replica-1', flags: ['slave', 's_down'] }]);
    expect(v.sentinels).toEqual([{ address: '127.0.0.1:26380', service: 'redis-sentinel-2', flags: ['sentinel'], runId: 'abc' }]);
  });

  // status read the master from SENTINEL MASTER, the drill from GET-MASTER-ADDR-BY-NAME. They
  // differ once a failover has promoted a replica and until it ends: clients are then already
  // sent to the new master, so that is what the sentinel "names".
  it('names the master clients are given (GET-MASTER-ADDR-BY-NAME), not the entry SENTINEL MASTER still shows mid-failover', () => {
    const v = sentinelMasterView(
      'mymaster',
      { addr: [r2!.local.host, String(r2!.local.port)], master: [...master.slice(0, 7), 'master,failover_in_progress'], replicas: [], sentinels: [] },
      book,
    );
    expect(v.address).toBe(`${r2!.local.host}:${r2!.local.port}`);
    expect(v.service).toBe('redis-replica-2');
    expect(v.flags).toEqual(['master', 'failover_in_progress']);
  });
});

import { describe, expect, it } from 'vitest';
import { AddressBook } from '../../../../src/runtime/observe/addresses.js';
import { seedTopology } from '../../drill/fixtures.js';

describe('AddressBook', () => {
  const t = seedTopology();
  const book = new AddressBook(t, (s) => ({ host: '127.0.0.1', port: s === 'redis-master' ? 16379 : 1 }));

  it('knows a node by every address it is seen under', () => {
    expect(book.service('172.18.0.4:6379')).toBe('redis-replica-2'); // announced (what sentinels say)
    expect(book.service('127.0.0.3', 6379)).toBe('redis-replica-1'); // local runtime, bridge mode
    expect(book.service('127.0.0.1:6381')).toBe('redis-replica-2'); // published port
    expect(book.service('127.0.0.1:16379')).toBe('redis-master'); // the runtime's endpoint
    expect(book.service('localhost:6380')).toBe('redis-replica-1');
    expect(book.service('redis-sentinel-2:26379')).toBe('redis-sentinel-2'); // announce-hostnames
    expect(book.service('10.0.0.1:6379')).toBeNull();
  });

  it('maps sentinel run ids to services', () => {
    book.addSentinelId('abc', 'redis-sentinel-3');
    expect(book.sentinelById('abc')).toBe('redis-sentinel-3');
    expect(book.ids()).toEqual({ 'redis-sentinel-3': 'abc' });
  });
});

describe('one address book for every command', () => {
  it('knows what the runtime index knew and what the drill book knew: endpoint, announce, local, published, service:port', () => {
    const t = seedTopology();
    const book = new AddressBook(t, (s) => ({ host: '127.0.0.1', port: 40000 + t.masters[0]!.nodes.findIndex((n) => n.service === s) }));
    for (const n of t.masters[0]!.nodes) {
      const i = t.masters[0]!.nodes.indexOf(n);
      expect(book.service('127.0.0.1', 40000 + i)).toBe(n.service);
      expect(book.service(`${n.announce!.ip}:${n.announce!.port}`)).toBe(n.service);
      expect(book.service(n.local.host, n.local.port)).toBe(n.service);
      expect(book.service(t.clientHost, n.hostPort)).toBe(n.service);
      expect(book.service(n.service, n.port)).toBe(n.service);
    }
  });

  it('an endpoint the runtime cannot give does not stop the book', () => {
    const book = new AddressBook(seedTopology(), () => {
      throw new Error('not running');
    });
    expect(book.service('172.18.0.2:6379')).toBe('redis-master');
  });
});

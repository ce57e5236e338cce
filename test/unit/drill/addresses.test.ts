import { describe, expect, it } from 'vitest';
import { AddressBook } from '../../../src/drill/addresses.js';
import { announcedToReachable } from '../../../src/drill/engine.js';
import type { Runtime } from '../../../src/runtime/types.js';
import { seedTopology } from './fixtures.js';

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

describe('announcedToReachable', () => {
  it('maps announced addresses the client cannot use to the runtime endpoints', () => {
    const t = seedTopology();
    const rt = { topology: t, endpoint: (s: string) => ({ host: '127.0.0.1', port: 6379 + t.masters[0]!.nodes.findIndex((n) => n.service === s) }) } as unknown as Runtime;
    expect(announcedToReachable(rt)).toEqual({
      '172.18.0.2:6379': { host: '127.0.0.1', port: 6379 },
      '172.18.0.3:6379': { host: '127.0.0.1', port: 6380 },
      '172.18.0.4:6379': { host: '127.0.0.1', port: 6381 },
    });
  });

  it('needs no map in host mode', () => {
    const t = seedTopology();
    for (const n of t.masters[0]!.nodes) n.announce = null;
    expect(announcedToReachable({ topology: t, endpoint: () => ({ host: '127.0.0.1', port: 1 }) } as unknown as Runtime)).toBeUndefined();
  });
});

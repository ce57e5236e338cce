import { describe, expect, it } from 'vitest';
import { concernsGroup, parseEvent, parseVote } from '../../../src/drill/events.js';

describe('parseEvent', () => {
  it('reads a master instance with trailing text (+odown #quorum)', () => {
    const e = parseEvent('+odown', 'master mymaster 172.18.0.2 6379 #quorum 2/2');
    expect(e.instance).toEqual({ type: 'master', name: 'mymaster', addr: '172.18.0.2:6379' });
    expect(e.group).toBe('mymaster');
    expect(e.masterAddr).toBe('172.18.0.2:6379');
    expect(e.extra).toBe('#quorum 2/2');
  });

  it('reads a replica with its master after @', () => {
    const e = parseEvent('+selected-slave', 'slave 172.18.0.4:6379 172.18.0.4 6379 @ mymaster 172.18.0.2 6379');
    expect(e.instance).toEqual({ type: 'slave', name: '172.18.0.4:6379', addr: '172.18.0.4:6379' });
    expect(e.group).toBe('mymaster');
    expect(e.masterAddr).toBe('172.18.0.2:6379');
    expect(e.extra).toBe('');
  });

  it('keeps the text after the master part (-role-change)', () => {
    const e = parseEvent('-role-change', 'slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379 new reported role is master');
    expect(e.extra).toBe('new reported role is master');
  });

  it('reads a sentinel instance (+config-update-from)', () => {
    const e = parseEvent('+config-update-from', 'sentinel ffd0 127.0.0.1 26380 @ mymaster 127.0.0.1 6379');
    expect(e.instance).toEqual({ type: 'sentinel', name: 'ffd0', addr: '127.0.0.1:26380' });
    expect(e.group).toBe('mymaster');
  });

  it('reads +switch-master: group, old address, new address', () => {
    const e = parseEvent('+switch-master', 'mymaster 172.18.0.2 6379 172.18.0.4 6379');
    expect(e.group).toBe('mymaster');
    expect(e.masterAddr).toBe('172.18.0.2:6379');
    expect(e.extra).toBe('172.18.0.4:6379');
    expect(e.instance).toBeNull();
  });

  it('leaves group-less events without a group', () => {
    for (const [channel, message] of [
      ['+new-epoch', '1'],
      ['+vote-for-leader', 'ecb11c27 1'],
      ['+tilt', '#tilt mode entered'],
    ] as const) {
      const e = parseEvent(channel, message);
      expect(e.group).toBeNull();
      expect(e.instance).toBeNull();
      expect(concernsGroup(e, 'anything')).toBe(true);
    }
  });

  it('attributes events to their own group only', () => {
    expect(concernsGroup(parseEvent('+sdown', 'master orders 127.0.0.1 7000'), 'orders')).toBe(true);
    expect(concernsGroup(parseEvent('+sdown', 'master orders 127.0.0.1 7000'), 'sessions')).toBe(false);
  });
});

describe('parseVote', () => {
  it('reads run id and epoch', () => {
    expect(parseVote('ecb11c27c44887abfd777f53c5c40e921c160981 1')).toEqual({ runId: 'ecb11c27c44887abfd777f53c5c40e921c160981', epoch: 1 });
  });
  it('rejects what is not a vote', () => {
    expect(parseVote('')).toBeNull();
    expect(parseVote('abc')).toBeNull();
    expect(parseVote('abc x')).toBeNull();
  });
});

/**
 * What `status` says about links a partition drill cut (run/partition.json): while the drill runs
 * the cut is its business; once it is gone, `up` is what heals it, and the note says so.
 */
import { describe, expect, it } from 'vitest';
import { statusNotes, type PartitionLook } from '../../../src/runtime/status.js';

const base = { project: 'demo', out: 'out', holder: null, busy: null, leftovers: [] };
const cut = (ownerAlive: boolean): PartitionLook => ({
  isolated: ['redis-master'],
  from: ['redis-replica-1', 'redis-sentinel-1'],
  since: new Date(2026, 0, 1, 12, 0, 5).toISOString(),
  by: 4242,
  ownerAlive,
});

describe('status notes on a partition', () => {
  it('a cut whose drill is gone names the sides, the record, the drill and the command that heals it', () => {
    expect(statusNotes({ ...base, partition: cut(false) })).toEqual([
      'redis-master is cut off from redis-replica-1, redis-sentinel-1 (iptables rules in run/partition.json, put in at 12:00:05 by drill pid 4242): that drill is gone; `sentinel-compose up --out out` heals the links',
    ]);
  });

  it('a cut whose drill still runs is left to that drill', () => {
    const [note] = statusNotes({ ...base, partition: cut(true) });
    expect(note).toContain('that drill heals the links when it ends');
    expect(note).not.toContain('sentinel-compose up');
  });

  it('no record, no note', () => {
    expect(statusNotes({ ...base, partition: null })).toEqual([]);
  });
});

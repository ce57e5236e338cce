import { describe, expect, it } from 'vitest';
import { countPeerVotes, isElected, mostVoted } from '../../../../src/sentinel/failover/election.js';
import { compareForPromotion, rejectReason, selectSlave } from '../../../../src/sentinel/failover/select.js';
import { SRI } from '../../../../src/sentinel/state/flags.js';
import { Instance } from '../../../../src/sentinel/state/instance.js';
import { defaultTiming } from '../../../../src/sentinel/state/timing.js';

const NOW = 1_000_000;
const timing = defaultTiming();

function master(): Instance {
  return new Instance({
    flags: SRI.MASTER,
    name: 'm',
    addr: { hostname: '10.0.0.1', ip: '10.0.0.1', port: 6379 },
    master: null,
    quorum: 2,
    now: NOW,
    downAfterPeriod: 1000,
    failoverTimeout: 180000,
  });
}

let port = 7000;
function replica(m: Instance, over: Partial<Instance> & { pong?: number } = {}): Instance {
  const p = port++;
  const s = new Instance({
    flags: SRI.SLAVE,
    name: `10.0.0.2:${p}`,
    addr: { hostname: '10.0.0.2', ip: '10.0.0.2', port: p },
    master: m,
    quorum: 2,
    now: NOW,
    downAfterPeriod: 1000,
    failoverTimeout: 180000,
  });
  // A healthy, connected, freshly polled replica.
  Object.defineProperty(s.link, 'disconnected', { get: () => (over as any).disconnected ?? false });
  s.link.lastAvailTime = NOW - (over.pong ?? 100);
  s.infoRefresh = NOW - 500;
  s.runid = 'b'.repeat(40);
  const { pong: _p, ...rest } = over as any;
  delete rest.disconnected;
  Object.assign(s, rest);
  m.slaves.set(s.name, s);
  return s;
}

describe('replica selection rules', () => {
  it('accepts a healthy replica', () => {
    const m = master();
    expect(rejectReason(m, replica(m), NOW, timing)).toBeNull();
  });
  it('drops replicas that are SDOWN or ODOWN', () => {
    const m = master();
    expect(rejectReason(m, replica(m, { flags: SRI.SLAVE | SRI.S_DOWN }), NOW, timing)).toBe('down');
    expect(rejectReason(m, replica(m, { flags: SRI.SLAVE | SRI.O_DOWN }), NOW, timing)).toBe('down');
  });
  it('drops disconnected replicas', () => {
    const m = master();
    expect(rejectReason(m, replica(m, { disconnected: true } as any), NOW, timing)).toBe('disconnected');
  });
  it('drops replicas whose last valid PING reply is older than 5 ping periods', () => {
    const m = master();
    expect(rejectReason(m, replica(m, { pong: 5001 }), NOW, timing)).toBe('no-recent-pong');
    expect(rejectReason(m, replica(m, { pong: 4999 }), NOW, timing)).toBeNull();
  });
  it('drops replicas with priority 0', () => {
    const m = master();
    expect(rejectReason(m, replica(m, { slavePriority: 0 }), NOW, timing)).toBe('priority-zero');
  });
  it('drops replicas with stale INFO: 5 s while the master is SDOWN, else 30 s', () => {
    const m = master();
    const s = replica(m, { infoRefresh: NOW - 6000 });
    expect(rejectReason(m, s, NOW, timing)).toBeNull();
    m.flags |= SRI.S_DOWN;
    m.sDownSinceTime = NOW - 1000;
    expect(rejectReason(m, s, NOW, timing)).toBe('stale-info');
    m.flags &= ~SRI.S_DOWN;
    s.infoRefresh = NOW - 31_000;
    expect(rejectReason(m, s, NOW, timing)).toBe('stale-info');
  });
  it('drops replicas whose master link has been down too long', () => {
    const m = master();
    m.flags |= SRI.S_DOWN;
    m.sDownSinceTime = NOW - 3000;
    // Allowed: (time master SDOWN) 3000 + 10 x down-after 1000 = 13000.
    expect(rejectReason(m, replica(m, { masterLinkDownTime: 13_000 }), NOW, timing)).toBeNull();
    expect(rejectReason(m, replica(m, { masterLinkDownTime: 13_001 }), NOW, timing)).toBe('link-down-too-long');
  });
  it('prefers lower priority, then larger offset, then smaller run id', () => {
    const m = master();
    const a = replica(m, { slavePriority: 10, slaveReplOffset: 1 });
    const b = replica(m, { slavePriority: 100, slaveReplOffset: 999 });
    expect(selectSlave(m, NOW, timing)).toBe(a);
    a.slavePriority = 100;
    expect(selectSlave(m, NOW, timing)).toBe(b);
    a.slaveReplOffset = 999;
    a.runid = 'A'.repeat(40);
    b.runid = 'b'.repeat(40);
    // Case-insensitive comparison: 'aaa..' < 'bbb..'.
    expect(selectSlave(m, NOW, timing)).toBe(a);
    a.runid = null;
    expect(compareForPromotion(a, b)).toBe(1);
  });
  it('returns null when no replica qualifies', () => {
    const m = master();
    replica(m, { slavePriority: 0 });
    expect(selectSlave(m, NOW, timing)).toBeNull();
  });
});

describe('leader counting', () => {
  function withPeers(votes: Array<[string | null, number]>): Instance {
    const m = master();
    votes.forEach(([leader, epoch], i) => {
      const s = new Instance({
        flags: SRI.SENTINEL,
        name: `s${i}`,
        addr: { hostname: '10.0.0.9', ip: '10.0.0.9', port: 26379 + i },
        master: m,
        quorum: 2,
        now: NOW,
        downAfterPeriod: 1000,
        failoverTimeout: 1,
      });
      s.leader = leader;
      s.leaderEpoch = epoch;
      m.sentinels.set(s.name, s);
    });
    return m;
  }
  it('counts only votes of the current epoch', () => {
    const m = withPeers([
      ['x', 3],
      ['x', 2],
      ['y', 3],
      [null, 3],
    ]);
    expect([...countPeerVotes(m, 3)]).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
    expect(mostVoted(countPeerVotes(m, 3))).toEqual({ winner: 'x', votes: 1 });
  });
  it('needs an absolute majority of voters and the quorum', () => {
    // 5 voters: majority 3.
    expect(isElected(3, 5, 2)).toBe(true);
    expect(isElected(2, 5, 2)).toBe(false);
    // quorum above majority.
    expect(isElected(3, 5, 4)).toBe(false);
    expect(isElected(4, 5, 4)).toBe(true);
    // 2 voters: majority 2.
    expect(isElected(1, 2, 1)).toBe(false);
  });
});

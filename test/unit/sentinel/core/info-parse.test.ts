import { describe, expect, it } from 'vitest';
import { atoi, parseInfo, parseReplicaLine } from '../../../../src/sentinel/monitor/info-parse.js';
import { SRI } from '../../../../src/sentinel/state/flags.js';

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

// Captured from redis-server 7.0.15 (INFO, trimmed to the sections Sentinel reads).
const MASTER_INFO = crlf([
  '# Server',
  'redis_version:7.0.15',
  'run_id:5c14c53f8d2a1eaf698eb56dbb2619be75976be9',
  'tcp_port:16501',
  '',
  '# Replication',
  'role:master',
  'connected_slaves:2',
  'slave0:ip=127.0.0.1,port=16502,state=online,offset=1234,lag=0',
  'slave1:ip=127.0.0.2,port=6379,state=wait_bgsave,offset=0,lag=0',
  'master_failover_state:no-failover',
  'master_replid:fc2a76ca8d7dfe941e9a9e7fe479c9c5df5b521b',
  'master_repl_offset:1234',
]);

const REPLICA_INFO = crlf([
  '# Server',
  'run_id:aaaa53f8d2a1eaf698eb56dbb2619be75976be99',
  '',
  '# Replication',
  'role:slave',
  'master_host:127.0.0.1',
  'master_port:16501',
  'master_link_status:down',
  'master_last_io_seconds_ago:-1',
  'master_sync_in_progress:0',
  'slave_read_repl_offset:1',
  'slave_repl_offset:987654321012',
  'master_link_down_since_seconds:-1',
  'slave_priority:50',
  'slave_read_only:1',
  'replica_announced:0',
  'connected_slaves:0',
]);

describe('parseInfo', () => {
  it('reads a master: run id, role and the replicas it lists', () => {
    const p = parseInfo(MASTER_INFO);
    expect(p.runId).toBe('5c14c53f8d2a1eaf698eb56dbb2619be75976be9');
    expect(p.role).toBe(SRI.MASTER);
    expect(p.replicas).toEqual([
      { ip: '127.0.0.1', port: 16502 },
      { ip: '127.0.0.2', port: 6379 },
    ]);
    expect(p.masterHost).toBeNull();
    expect(p.masterLinkDownTime).toBe(0);
  });

  it('reads a replica: master address, link, offset, priority, announced, link-down time in ms', () => {
    const p = parseInfo(REPLICA_INFO);
    expect(p.role).toBe(SRI.SLAVE);
    expect(p.masterHost).toBe('127.0.0.1');
    expect(p.masterPort).toBe(16501);
    expect(p.masterLinkUp).toBe(false);
    expect(p.slaveReplOffset).toBe(987654321012);
    expect(p.slavePriority).toBe(50);
    expect(p.replicaAnnounced).toBe(0);
    // Redis multiplies whatever is there, -1 included.
    expect(p.masterLinkDownTime).toBe(-1000);
  });

  it('ignores replica-only fields that come before the role line, as Redis does', () => {
    const p = parseInfo(crlf(['slave_priority:7', 'master_host:10.0.0.1', 'role:slave', 'master_port:1']));
    expect(p.slavePriority).toBeNull();
    expect(p.masterHost).toBeNull();
    expect(p.masterPort).toBe(1);
  });

  it('needs the full 40 characters of a run id', () => {
    expect(parseInfo(crlf(['run_id:abc'])).runId).toBeNull();
    expect(parseInfo('').role).toBe(0);
  });

  it('reads link up case-insensitively and a positive down time', () => {
    const p = parseInfo(crlf(['role:slave', 'master_link_status:UP', 'master_link_down_since_seconds:12']));
    expect(p.masterLinkUp).toBe(true);
    expect(p.masterLinkDownTime).toBe(12000);
  });

  it('is fed byte for byte the same as whole (no state between lines)', () => {
    expect(parseInfo(REPLICA_INFO)).toEqual(parseInfo(REPLICA_INFO.split('').join('')));
  });
});

describe('parseReplicaLine', () => {
  it('reads the old <ip>,<port>,<state> format', () => {
    expect(parseReplicaLine('slave0:10.1.2.3,6380,online')).toEqual({ ip: '10.1.2.3', port: 6380 });
    expect(parseReplicaLine('slave0:10.1.2.3,6380')).toBeNull();
  });
  it('reads IPv6 addresses in the new format', () => {
    expect(parseReplicaLine('slave3:ip=::1,port=7000,state=online,offset=0,lag=1')).toEqual({ ip: '::1', port: 7000 });
  });
});

describe('atoi', () => {
  it('behaves like C', () => {
    expect(atoi('42abc')).toBe(42);
    expect(atoi('  -7')).toBe(-7);
    expect(atoi('x')).toBe(0);
  });
});

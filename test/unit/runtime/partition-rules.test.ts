import { describe, expect, it } from 'vitest';
import { HEAL_SCRIPT, PARTITION_CHAIN, partitionRules, restoreInput } from '../../../src/runtime/compose/partition-rules.js';

const master = { service: 'redis-master', ips: ['172.18.0.2'], hostPort: 7000 };
const replica = { service: 'redis-replica-1', ips: ['172.18.0.3'], hostPort: 7001 };
const sentinel = { service: 'redis-sentinel-1', ips: ['172.18.0.5'], hostPort: 27000 };

describe('partitionRules', () => {
  const rules = partitionRules([master], [replica, sentinel], ['172.17.0.1']);
  const of = (s: string) => rules.find((r) => r.service === s)!.rules.map((r) => r.join(' '));

  it('puts rules in every container on both sides', () => {
    expect(rules.map((r) => r.service)).toEqual(['redis-master', 'redis-replica-1', 'redis-sentinel-1']);
  });

  it('drops the peers’ container addresses both ways and their published ports on the host address', () => {
    expect(of('redis-master')).toEqual([
      '-d 172.18.0.3 -j DROP',
      '-s 172.18.0.3 -j DROP',
      '-d 172.17.0.1 -p tcp --dport 7001 -j DROP',
      '-s 172.17.0.1 -p tcp --sport 7001 -j DROP',
      '-d 172.18.0.5 -j DROP',
      '-s 172.18.0.5 -j DROP',
      '-d 172.17.0.1 -p tcp --dport 27000 -j DROP',
      '-s 172.17.0.1 -p tcp --sport 27000 -j DROP',
    ]);
    // A peer reaches the master through host.docker.internal:<its published port>: cut there.
    expect(of('redis-sentinel-1')).toContain('-d 172.17.0.1 -p tcp --dport 7000 -j DROP');
    expect(of('redis-sentinel-1')).toContain('-s 172.17.0.1 -p tcp --sport 7000 -j DROP');
  });

  it('never matches a host client writing to a published port (no rule on the master’s own port, none on the bare host address)', () => {
    const all = rules.flatMap((r) => r.rules.map((x) => x.join(' ')));
    expect(all.filter((r) => r === '-s 172.17.0.1 -j DROP' || r === '-d 172.17.0.1 -j DROP')).toEqual([]);
    expect(of('redis-master').some((r) => /--[sd]port 7000\b/.test(r))).toBe(false);
  });

  it('leaves links within one side alone', () => {
    expect(of('redis-replica-1').some((r) => r.includes('172.18.0.5') || r.includes('27000'))).toBe(false);
  });

  it('refuses a service on both sides', () => {
    expect(() => partitionRules([master], [master, replica], [])).toThrow(/both sides/);
  });
});

describe('restoreInput and HEAL_SCRIPT', () => {
  it('adds the chain, the jumps and the rules in one transaction', () => {
    expect(restoreInput([['-d', '1.2.3.4', '-j', 'DROP']])).toBe(
      `*filter\n:${PARTITION_CHAIN} - [0:0]\n-I INPUT 1 -j ${PARTITION_CHAIN}\n-I OUTPUT 1 -j ${PARTITION_CHAIN}\n-A ${PARTITION_CHAIN} -d 1.2.3.4 -j DROP\nCOMMIT\n`,
    );
  });

  it('heals only our chain', () => {
    expect(HEAL_SCRIPT).not.toMatch(/iptables -F(;|$| [^S])/);
    expect(HEAL_SCRIPT).toContain(`iptables -X ${PARTITION_CHAIN}`);
  });
});

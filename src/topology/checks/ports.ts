import { DEFAULTS } from '../defaults.js';
import type { SpecRead } from '../read.js';
import { error, type Finding } from './finding.js';

const MAX_PORT = 65535;

/**
 * The port ranges (host mode: listening ports; bridge mode: published ports) fit below 65536 and
 * do not overlap: data nodes take consecutive ports from ports.redis, sentinels from
 * ports.sentinel.
 */
export function ports(spec: SpecRead): Finding[] {
  const findings: Finding[] = [];
  const { redis, sentinel, auto } = spec.ports;
  // An auto range has no ports of its own to check: `up` chooses free ones (and resolve keeps its
  // stand-in clear of the other range).
  if (auto.redis && auto.sentinel) return findings;
  const dataNodes = spec.masters.reduce((n, m) => n + 1 + m.replicas.value, 0);
  const sentinels = spec.sentinels.count.value;
  const redisLast = redis.value + dataNodes - 1;
  const sentinelLast = sentinel.value + sentinels - 1;
  if (!auto.redis && redisLast > MAX_PORT) {
    findings.push(
      error({
        path: redis.path,
        value: redis.value,
        message: `the ${dataNodes} data nodes would need ports ${redis.value}-${redisLast}, past ${MAX_PORT}`,
        fix: `set ${redis.path} to ${MAX_PORT - dataNodes + 1} or lower`,
      }),
    );
  }
  if (!auto.sentinel && sentinelLast > MAX_PORT) {
    findings.push(
      error({
        path: sentinel.path,
        value: sentinel.value,
        message: `the ${sentinels} sentinels would need ports ${sentinel.value}-${sentinelLast}, past ${MAX_PORT}`,
        fix: `set ${sentinel.path} to ${MAX_PORT - sentinels + 1} or lower`,
      }),
    );
  }
  if (!auto.redis && !auto.sentinel && redis.value <= sentinelLast && sentinel.value <= redisLast) {
    findings.push(
      error({
        path: spec.ports.path,
        value: { redis: `${redis.value}-${redisLast}`, sentinel: `${sentinel.value}-${sentinelLast}` },
        message: 'the data-node and sentinel port ranges overlap',
        fix: `move one range, for example ${sentinel.path}: ${Math.max(redisLast + 1, DEFAULTS.ports.sentinel)}`,
      }),
    );
  }
  return findings;
}

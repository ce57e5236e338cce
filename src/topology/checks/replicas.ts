import type { SpecRead } from '../read.js';
import { error, plural, warning, type Finding } from './finding.js';

/** A list of replica priorities has one entry per replica. */
export function replicaPriorities(spec: SpecRead): Finding[] {
  return spec.masters.flatMap((m) => {
    const p = m.replicaPriority;
    const replicas = m.replicas.value;
    if (!Array.isArray(p.value) || p.value.length === replicas) return [];
    const n = p.value.length;
    return error({
      path: p.setAt,
      value: p.value,
      message: `has ${n} ${plural(n, 'entry', 'entries')} but ${m.path} (${m.name.value}) has ${replicas} ${plural(replicas, 'replica', 'replicas')}`,
      fix: `give one priority per replica, or a single number for all of them`,
    });
  });
}

/** A master the sentinels could never fail over: no replicas, or none that may be promoted. */
export function canFailOver(spec: SpecRead): Finding[] {
  return spec.masters.flatMap((m) => {
    if (m.replicas.value === 0) {
      return warning({
        path: m.replicas.path,
        value: 0,
        message: `${m.name.value} has no replicas: the sentinels can watch it but can never fail it over`,
        fix: 'set replicas to 1 or more',
      });
    }
    if (m.replicaPriorities.value.every((p) => p === 0)) {
      return warning({
        path: m.replicaPriority.setAt,
        value: m.replicaPriority.value,
        message: `every replica of ${m.name.value} has priority 0 (never promote): no failover can succeed`,
        fix: 'give at least one replica a priority above 0',
      });
    }
    return [];
  });
}

/** min-replicas-to-write within the replicas there are, with one to spare. */
export function minReplicasToWrite(spec: SpecRead): Finding[] {
  return spec.masters.flatMap((m) => {
    const min = m.minReplicasToWrite;
    const replicas = m.replicas.value;
    if (min.value > replicas) {
      return error({
        path: min.path,
        value: min.value,
        message: `is more than the ${replicas} ${plural(replicas, 'replica', 'replicas')} of ${m.name.value}: the master would refuse every write`,
        fix: `set it from 0 to ${replicas}`,
      });
    }
    if (min.value > 0 && min.value === replicas) {
      return warning({
        path: min.path,
        value: min.value,
        message: `equals the number of replicas of ${m.name.value}: losing any one replica stops all writes`,
        fix: `use ${Math.max(1, replicas - 1)} to tolerate one replica down`,
      });
    }
    return [];
  });
}

/** Without persistence, a master restarted before the sentinels notice wipes its replicas. */
export function persistence(spec: SpecRead): Finding[] {
  return spec.masters.flatMap((m) => {
    if (m.persistence.value !== 'none' || m.replicas.value === 0) return [];
    return warning({
      path: m.persistence.setAt,
      value: 'none',
      message: `if the master of ${m.name.value} restarts (restart policy) faster than the sentinels notice, it comes back empty and its replicas copy the empty dataset`,
      fix: 'use rdb or aof for groups whose data matters',
    });
  });
}

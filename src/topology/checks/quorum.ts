import { majorityOf } from '../defaults.js';
import type { SpecRead } from '../read.js';
import { error, warning, type Finding } from './finding.js';

/** Each master's quorum against the number of sentinels: reachable, and a majority. */
export function quorum(spec: SpecRead): Finding[] {
  const count = spec.sentinels.count;
  const majority = majorityOf(count.value);
  return spec.masters.flatMap((m) => {
    const q = m.quorum;
    if (q.value > count.value) {
      return error({
        path: q.path,
        value: q.value,
        message: `is larger than ${count.path} (${count.value}), so no failover could ever start`,
        fix: `set a quorum from 1 to ${count.value} (a majority is ${majority})`,
      });
    }
    if (q.value < majority) {
      return warning({
        path: q.path,
        value: q.value,
        message: `is below a majority of the ${count.value} sentinels: a minority can declare ${m.name.value} down (ODOWN), although electing a failover leader still needs a majority`,
        fix: `use ${majority} unless you mean to`,
      });
    }
    return [];
  });
}

/** An even number of sentinels buys nothing over one fewer. */
export function sentinelCount(spec: SpecRead): Finding[] {
  const count = spec.sentinels.count;
  if (count.value % 2 !== 0) return [];
  return [
    warning({
      path: count.path,
      value: count.value,
      message: `an even number of sentinels tolerates no more failures than ${count.value - 1} (a leader needs ${majorityOf(count.value)} votes)`,
      fix: `use ${count.value - 1} or ${count.value + 1}`,
    }),
  ];
}

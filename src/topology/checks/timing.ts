import { LOW_DOWN_AFTER_MS } from '../defaults.js';
import type { Field, SpecRead } from '../read.js';
import { warning, type Finding } from './finding.js';

/** down-after-milliseconds high enough that a GC pause is not a failure (each master's own, then the sentinels'). */
export function downAfter(spec: SpecRead): Finding[] {
  const own = spec.masters.map((m) => m.downAfterMs).filter((f) => f.origin === 'spec');
  return [...own, spec.sentinels.downAfterMs].filter((f) => f.value < LOW_DOWN_AFTER_MS).map(lowDownAfter);
}

function lowDownAfter(f: Field<number>): Finding {
  return warning({
    path: f.path,
    value: f.value,
    message: `${f.value} ms is very low: a busy machine or a GC pause can look like a failure and trigger a needless failover`,
    fix: `use ${LOW_DOWN_AFTER_MS} or more`,
  });
}

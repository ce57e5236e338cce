import { masterService, replicaService, sentinelService } from '../naming.js';
import type { MasterRead, SpecRead } from '../read.js';
import { error, type Finding } from './finding.js';

/** Every master has its own name. */
export function masterNames(spec: SpecRead): Finding[] {
  const findings: Finding[] = [];
  const first = new Map<string, MasterRead>();
  for (const m of named(spec)) {
    const prev = first.get(m.name.value);
    if (prev) {
      findings.push(error({ path: m.name.path, value: m.name.value, message: `repeats ${prev.name.path}`, fix: 'give every master its own name' }));
    } else first.set(m.name.value, m);
  }
  return findings;
}

/**
 * The service names the masters and sentinels produce do not collide. With today's naming
 * (../naming.ts) distinct master names never do; this keeps it so if the naming changes. A
 * repeated master name is masterNames' problem, so only the first master of a name takes part.
 */
export function serviceNames(spec: SpecRead): Finding[] {
  const findings: Finding[] = [];
  const single = spec.masters.length === 1;
  const owners = new Map<string, string>();
  const reported = new Set<string>();
  const claim = (service: string, owner: string) => {
    const other = owners.get(service);
    if (other === undefined || other === owner) {
      owners.set(service, owner);
      return;
    }
    // One problem per pair of owners: a clash of "x-master" comes with "x-replica-1", ...
    if (!reported.has(`${owner} ${other}`)) {
      findings.push(
        error({ path: owner, value: service, message: `produces service name "${service}", which ${other} also produces`, fix: 'rename one of the masters' }),
      );
    }
    reported.add(`${owner} ${other}`);
  };
  const seen = new Set<string>();
  for (const m of named(spec)) {
    if (seen.has(m.name.value)) continue;
    seen.add(m.name.value);
    claim(masterService(m.name.value, single), m.name.path);
    for (let r = 1; r <= m.replicas.value; r++) claim(replicaService(m.name.value, single, r), m.name.path);
  }
  const count = spec.sentinels.count;
  for (let s = 1; s <= count.value; s++) claim(sentinelService(s), count.path);
  return findings;
}

/** Masters whose name could be read: a stand-in for a rejected one would only cause false clashes. */
function named(spec: SpecRead): MasterRead[] {
  return spec.masters.filter((m) => !m.name.rejected);
}

/**
 * The names the fault commands take, checked against the topology before anything is touched:
 * services as `status` lists them (`redis-master`, `redis-sentinel-2`, `orders-replica-1`), master
 * groups as the sentinels monitor them (`mymaster`), and a master given as a service or an
 * address. A mistake is a UsageError naming the argument, with a did-you-mean.
 */
import { UsageError, type Problem } from '../../common/errors.js';
import { closest } from '../../common/suggest.js';
import { allNodes, type MasterGroup, type Topology } from '../../topology/types.js';
import { AddressBook } from '../observe/index.js';
import type { Endpoint } from '../types.js';

/** Every service named once, in the order given; every unknown one is a problem, all reported together. */
export function resolveServices(t: Topology, names: readonly string[], argName = 'SERVICE'): string[] {
  const known = allNodes(t).map((n) => n.service);
  if (!names.length) {
    throw new UsageError([{ path: argName, message: 'name at least one service', fix: `services of ${t.project}: ${known.join(', ')}` }]);
  }
  const problems: Problem[] = [];
  for (const name of names) {
    if (known.includes(name)) continue;
    const group = t.masters.find((m) => m.name === name);
    const near = closest(name, known);
    problems.push({
      path: argName,
      value: name,
      message: group ? `is a master group, not a service` : `is not a service of ${t.project}`,
      fix: group
        ? `name one of its nodes (${group.nodes.map((n) => n.service).join(', ')}); \`sentinel-compose status\` shows which is master now`
        : `${near ? `did you mean "${near}"? ` : ''}services: ${known.join(', ')}`,
    });
  }
  if (problems.length) throw new UsageError(problems);
  return [...new Set(names)];
}

/** The group `name`, or the only one when `name` is not given. */
export function resolveGroup(t: Topology, name: string | undefined, argName = 'MASTER'): MasterGroup {
  const names = t.masters.map((m) => m.name);
  if (name === undefined || name === '') {
    if (t.masters.length === 1) return t.masters[0]!;
    throw new UsageError([{ path: argName, message: `${t.project} has ${t.masters.length} master groups: name one`, fix: `one of: ${names.join(', ')}` }]);
  }
  const group = t.masters.find((m) => m.name === name);
  if (group) return group;
  const node = t.masters.find((m) => m.nodes.some((n) => n.service === name));
  const near = closest(name, names);
  throw new UsageError([
    {
      path: argName,
      value: name,
      message: node ? `is a service; ${argName} is the name the sentinels monitor` : `is not a master group of ${t.project}`,
      fix: node ? `use "${node.name}"` : `${near ? `did you mean "${near}"? ` : ''}groups: ${names.join(', ')}`,
    },
  ]);
}

/**
 * `--from`: a data node of `group` as a service name or as `host:port` (an address sentinels or
 * this machine know it by). Returns the service.
 */
export function resolveMasterRef(t: Topology, group: MasterGroup, value: string, endpoint: (service: string) => Endpoint, argName = '--from'): string {
  const services = group.nodes.map((n) => n.service);
  if (services.includes(value)) return value;
  const book = new AddressBook(t, endpoint);
  const found = book.service(value);
  if (found && services.includes(found)) return found;
  const byAddress = new Map<string, string>();
  for (const n of group.nodes) {
    const ep = endpoint(n.service);
    byAddress.set(`${ep.host}:${ep.port}`, n.service);
    if (n.announce) byAddress.set(`${n.announce.ip}:${n.announce.port}`, n.service);
  }
  const near = closest(value, [...services, ...byAddress.keys()]);
  const list = group.nodes.map(
    (n) =>
      `${n.service} (${[...byAddress.entries()]
        .filter(([, s]) => s === n.service)
        .map(([a]) => a)
        .join(', ')})`,
  );
  throw new UsageError([
    {
      path: argName,
      value,
      message: `is not a data node of ${group.name}`,
      fix: `${near ? `did you mean "${near}"? ` : ''}a service or address of: ${list.join(', ')}`,
    },
  ]);
}

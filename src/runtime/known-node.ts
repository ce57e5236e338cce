import { UsageError } from '../common/errors.js';
import type { TopologyNode } from '../topology/types.js';

/**
 * The node a command named, or a usage error listing the names there are: every runtime's pause,
 * kill, logs… take a service name from the user. `where` names the group ("project demo", "stack
 * demo").
 */
export function knownNode(nodes: ReadonlyMap<string, TopologyNode>, service: string, where: string): TopologyNode {
  const node = nodes.get(service);
  if (!node) {
    throw new UsageError([
      { path: 'service', message: `no service named "${service}" in ${where}`, value: service, fix: `use one of: ${[...nodes.keys()].join(', ')}` },
    ]);
  }
  return node;
}

/**
 * Where each service of a swarm deployment runs: pure placement over the spec's swarm nodes.
 * A group's master and replicas go to different nodes, and so do the sentinels, as long as there
 * are nodes enough: the point of a swarm deployment is to survive the loss of a machine. Groups
 * start one node further on than the one before, so that with several masters the masters
 * spread too. resolve records the result in the topology; the swarm check reports what has to
 * share a node, from the same function, so that the two cannot disagree.
 */

export interface SwarmNodeSpec {
  /** Hostname as `docker node ls` shows it. */
  name: string;
  /** Where clients reach it. */
  address: string;
  /** DOCKER_HOST of its engine, for drills; null: the default engine. */
  engine: string | null;
}

export interface PlacementInput {
  /** Each group's services, the initial master first. */
  groups: { name: string; services: string[] }[];
  sentinels: string[];
  /** Majority of sentinels a failover needs (the largest quorum and the vote majority). */
  sentinelsNeeded: number;
}

export interface Placement {
  /** service -> node name */
  nodeOf: Record<string, string>;
  /** What shares a node though it should not, in words (empty when everything is spread). */
  shared: string[];
}

export function placeServices(input: PlacementInput, nodes: readonly { name: string }[]): Placement {
  const nodeOf: Record<string, string> = {};
  const shared: string[] = [];
  const n = nodes.length;
  if (n === 0) return { nodeOf, shared };
  input.groups.forEach((g, gi) => {
    g.services.forEach((service, i) => (nodeOf[service] = nodes[(gi + i) % n]!.name));
    const together = sharing(g.services, nodeOf);
    if (together.length) shared.push(`group ${g.name}: ${together.join('; ')} (a lost node takes more than one copy of its data)`);
  });
  input.sentinels.forEach((service, i) => (nodeOf[service] = nodes[i % n]!.name));
  const together = sharing(input.sentinels, nodeOf);
  if (together.length) {
    const perNode = new Map<string, number>();
    for (const s of input.sentinels) perNode.set(nodeOf[s]!, (perNode.get(nodeOf[s]!) ?? 0) + 1);
    const [busiest, most] = [...perNode].sort((a, b) => b[1] - a[1])[0]!;
    const left = input.sentinels.length - most;
    const consequence =
      left < input.sentinelsNeeded
        ? `losing ${busiest} leaves ${left} of ${input.sentinels.length} sentinels, fewer than the ${input.sentinelsNeeded} a failover needs`
        : `losing ${busiest} still leaves ${left} of ${input.sentinels.length} sentinels, enough to fail over`;
    shared.push(`sentinels: ${together.join('; ')} (${consequence})`);
  }
  return { nodeOf, shared };
}

/** "redis-master and redis-replica-2 share node a", for every node holding more than one of `services`. */
function sharing(services: string[], nodeOf: Record<string, string>): string[] {
  const byNode = new Map<string, string[]>();
  for (const s of services) byNode.set(nodeOf[s]!, [...(byNode.get(nodeOf[s]!) ?? []), s]);
  return [...byNode]
    .filter(([, list]) => list.length > 1)
    .map(([node, list]) => `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]} share node ${node}`);
}

/** Nodes needed to give every service of a group, and every sentinel, a node of its own. */
export function nodesNeeded(input: PlacementInput): number {
  return Math.max(input.sentinels.length, ...input.groups.map((g) => g.services.length));
}

/**
 * The swarm section: node names and addresses each given once, the bundled sentinel's image
 * reachable from every node, ports the stack can publish, and a warning saying what has to share
 * a node when there are fewer nodes than a group or the sentinels need.
 */
import { majorityOf } from '../defaults.js';
import { masterService, replicaService, sentinelService } from '../naming.js';
import type { SpecRead } from '../read.js';
import { nodesNeeded, placeServices, type PlacementInput } from '../swarm.js';
import { error, warning, type Finding } from './finding.js';

export function swarm(spec: SpecRead): Finding[] {
  const sw = spec.swarm;
  if (!sw) return [];
  const findings: Finding[] = [];
  for (const key of ['name', 'address'] as const) {
    const first = new Map<string, string>();
    for (const n of sw.nodes) {
      const prev = first.get(n[key].value.toLowerCase());
      if (prev === undefined) first.set(n[key].value.toLowerCase(), n[key].path);
      else
        findings.push(
          error({
            path: n[key].path,
            value: n[key].value,
            message: `repeats ${prev}`,
            fix: key === 'name' ? 'list every swarm node once' : 'give every swarm node the address clients reach it at (one per machine)',
          }),
        );
    }
  }
  if (!sw.nodes.length) return findings;

  const input = placementInputOf(spec);
  const { shared } = placeServices(
    input,
    sw.nodes.map((n) => ({ name: n.name.value })),
  );
  if (shared.length) {
    const needed = nodesNeeded(input);
    findings.push(
      warning({
        path: `${sw.path}.nodes`,
        message: `has ${sw.nodes.length} node${sw.nodes.length === 1 ? '' : 's'}, so some services share one: ${shared.join('; ')}`,
        fix: `list ${needed} nodes to give every copy of a group and every sentinel a node of its own`,
      }),
    );
  }

  const bundled = spec.sentinels.implementation.value === 'bundled';
  if (bundled && sw.nodes.length > 1 && isLocalImage(spec.images.sentinel.value)) {
    findings.push(
      warning({
        path: spec.images.sentinel.setAt,
        value: spec.images.sentinel.value,
        message: 'names an image only this machine has, but a swarm node cannot build it and the other nodes cannot pull it',
        fix: 'build it from the rendered sentinel-image/ folder and push it to a registry every node can pull from (`docker build -t registry.example.com/team/sentinel:1 OUT/sentinel-image && docker push registry.example.com/team/sentinel:1`), then set images.sentinel to that reference',
      }),
    );
  }
  if (spec.ports.auto.redis || spec.ports.auto.sentinel) {
    findings.push(
      warning({
        path: spec.ports.path || 'ports',
        value: 'auto',
        message: 'is auto, but a swarm stack publishes fixed ports: stack.yaml publishes the stand-in ranges (6379... and 26379...)',
        fix: 'give ports.redis and ports.sentinel fixed first ports that are free on every swarm node',
      }),
    );
  }
  return findings;
}

/** A reference with no registry host: `name:tag` or `team/name:tag` (Docker Hub is not assumed to hold it). */
export function isLocalImage(ref: string): boolean {
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return !hasRegistry && /(^|\/)[^/]*:local$|^sentinel-compose\//.test(ref);
}

export function placementInputOf(spec: SpecRead): PlacementInput {
  const single = spec.masters.length === 1;
  return {
    groups: spec.masters.map((m) => ({
      name: m.name.value,
      services: [masterService(m.name.value, single), ...Array.from({ length: m.replicas.value }, (_, i) => replicaService(m.name.value, single, i + 1))],
    })),
    sentinels: Array.from({ length: spec.sentinels.count.value }, (_, i) => sentinelService(i + 1)),
    sentinelsNeeded: Math.max(majorityOf(spec.sentinels.count.value), ...spec.masters.map((m) => m.quorum.value)),
  };
}

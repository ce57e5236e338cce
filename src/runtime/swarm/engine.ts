/**
 * What `up --runtime swarm` needs before it deploys: this engine a manager of an active swarm,
 * every node the spec names in it and ready, and the bundled sentinel's image on every node
 * (built here for a single-node swarm; a registry reference for several). Nothing here changes
 * anything but the local image.
 */
import { MissingDependencyError, UsageError, type Problem } from '../../common/errors.js';
import { isLocalImage } from '../../topology/checks/swarm.js';
import type { Topology } from '../../topology/types.js';
import { tryRun } from '../compose/exec.js';

export interface SwarmNodeState {
  hostname: string;
  status: string;
  availability: string;
}

/** The swarm this engine manages, or a MissingDependencyError that says how to get one. */
export async function assertSwarmManager(): Promise<void> {
  const r = await tryRun('docker', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], { timeoutMs: 15_000 });
  if (r.notFound) throw new MissingDependencyError('The docker command', 'Install Docker (Debian/Ubuntu: `apt-get install -y docker.io`) on a swarm manager.');
  if (!r.ok)
    throw new MissingDependencyError(`A Docker engine (docker info failed: ${r.out.all.trim().split('\n').pop()})`, 'Start Docker on a swarm manager.');
  const [state, control] = r.out.stdout.trim().split(' ');
  if (state !== 'active') {
    throw new MissingDependencyError(
      `A Docker Swarm (this engine's swarm state is "${state}")`,
      'Create one with `docker swarm init --advertise-addr ADDRESS` (one node is enough to try it), join the other nodes with the command it prints, and run sentinel-compose on a manager.',
    );
  }
  if (control !== 'true') {
    throw new MissingDependencyError(
      'A swarm manager (this engine is a worker)',
      'Run sentinel-compose on a manager node (`docker node ls` works there), or point DOCKER_HOST at one.',
    );
  }
}

export async function swarmNodes(): Promise<SwarmNodeState[]> {
  const r = await tryRun('docker', ['node', 'ls', '--format', '{{.Hostname}}\t{{.Status}}\t{{.Availability}}'], { timeoutMs: 15_000 });
  if (!r.ok) return [];
  return r.out.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [hostname = '', status = '', availability = ''] = l.split('\t');
      return { hostname, status, availability };
    });
}

/** Every node the placement uses is in the swarm, ready and active: else a UsageError per node. */
export function checkNodes(t: Topology, nodes: SwarmNodeState[]): void {
  const sw = t.swarm!;
  const used = new Set(Object.values(sw.placement));
  const problems: Problem[] = [];
  sw.nodes.forEach((n, i) => {
    if (!used.has(n.name)) return;
    const found = nodes.find((x) => x.hostname === n.name);
    const path = `swarm.nodes[${i}].name`;
    if (!found) {
      problems.push({
        path,
        value: n.name,
        message: 'is not a node of this swarm',
        fix: `use a hostname \`docker node ls\` shows (${nodes.map((x) => x.hostname).join(', ') || 'none'}), or join that machine to the swarm; then render again`,
      });
    } else if (found.status.toLowerCase() !== 'ready' || found.availability.toLowerCase() !== 'active') {
      problems.push({
        path,
        value: n.name,
        message: `is ${found.status.toLowerCase()} and ${found.availability.toLowerCase()}, so nothing can start there`,
        fix: 'bring the node back (`docker node update --availability active NAME`), or list another node and render again',
      });
    }
  });
  if (problems.length) throw new UsageError(problems);
}

/**
 * A stack over several nodes needs an image every node can pull: a swarm cannot build, and a tag
 * only this machine has makes the tasks on the other nodes fail with "No such image".
 */
export function checkImageReachesNodes(t: Topology): void {
  const used = new Set(Object.values(t.swarm!.placement));
  if (t.sentinel.implementation !== 'bundled' || used.size < 2 || !isLocalImage(t.images.sentinel)) return;
  throw new UsageError([
    {
      path: 'images.sentinel',
      value: t.images.sentinel,
      message: `names an image only this machine has, and the stack runs sentinels on ${used.size} nodes, which cannot pull it`,
      fix: 'build it from the rendered folder and push it to a registry every node can pull from: `docker build -t registry.example.com/team/sentinel:1 OUT/sentinel-image && docker push registry.example.com/team/sentinel:1`; set images.sentinel to that reference and render again',
    },
  ]);
}

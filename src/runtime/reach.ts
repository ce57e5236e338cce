/**
 * Can this machine reach what the runtime says is running? A container that Docker reports
 * healthy has answered its own health check inside its network; when its published port then
 * refuses or ignores a connection from here, the engine's network is not this one (a dockerd in
 * another network namespace, a VM without port forwarding, a remote DOCKER_HOST). Waiting for
 * health would only time out, and a drill would fail on client internals: say so at once.
 */
import { MissingDependencyError } from '../common/errors.js';
import type { Topology } from '../topology/types.js';
import { engineNetns, type EngineNetns } from './compose/netns.js';
import { canConnect } from './ports.js';
import type { Endpoint, ServiceState } from './types.js';

export interface ReachTarget {
  topology: Topology;
  ps(): Promise<ServiceState[]>;
  endpoint(service: string): Endpoint;
}

/** Throws when a service the runtime reports healthy does not accept a connection from here. */
export async function assertReachable(target: ReachTarget, netns: () => EngineNetns | null = engineNetns): Promise<void> {
  const healthy = (await target.ps()).filter((s) => s.state === 'running' && s.health === 'healthy');
  const checked = await Promise.all(
    healthy.map(async (s) => {
      const e = target.endpoint(s.service);
      return { service: s.service, address: `${e.host}:${e.port}`, ok: await canConnect(e.host, e.port) };
    }),
  );
  const failed = checked.filter((c) => !c.ok);
  if (failed.length) throw unreachableError(target.topology.project, failed, netns());
}

function unreachableError(project: string, failed: { service: string; address: string }[], ns: EngineNetns | null): MissingDependencyError {
  const list = (items: string[]) => (items.length > 3 ? `${items.slice(0, 3).join(', ')} and ${items.length - 3} more` : items.join(', '));
  const where =
    ns && !ns.same
      ? `The Docker engine (dockerd, pid ${ns.pid}) runs in ${ns.name ? `the network namespace "${ns.name}"` : 'another network namespace'}, ` +
        `and publishes the ports there: run sentinel-compose inside it (${ns.name ? `\`ip netns exec ${ns.name} sentinel-compose ...\`` : `\`nsenter --net=/proc/${ns.pid}/ns/net sentinel-compose ...\``}), `
      : "The engine's network is not this machine's (another network namespace, a VM without port forwarding, or a remote DOCKER_HOST): run sentinel-compose where the published ports answer, ";
  return new MissingDependencyError(
    `A network path from here to the containers of ${project}`,
    `Docker reports ${list(failed.map((f) => f.service))} running and healthy, but ${list(failed.map((f) => f.address))} ` +
      `${failed.length === 1 ? 'does' : 'do'} not accept connections from this machine. ${where}or use --runtime local.`,
  );
}

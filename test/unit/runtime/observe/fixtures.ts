/**
 * Views of the seed's group (mymaster: redis-master, two replicas, three sentinels) built by
 * hand, for health and drill-check tests that need no processes.
 */
import type { GroupScope } from '../../../../src/runtime/observe/health.js';
import type { NodeView, Observation, SentinelMasterView, SentinelView } from '../../../../src/runtime/observe/view.js';

export const scope: GroupScope = {
  group: 'mymaster',
  nodes: ['redis-master', 'redis-replica-1', 'redis-replica-2'],
  sentinels: ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'],
};

const at = (service: string) => `addr-of-${service}`;

export const master = (service: string): NodeView => ({ service, group: scope.group, address: at(service), reachable: true, role: 'master' });
export const replica = (service: string, of: string, linkUp = true): NodeView => ({
  service,
  group: scope.group,
  address: at(service),
  reachable: true,
  role: 'replica',
  masterService: of,
  masterAddress: at(of),
  link: linkUp ? 'up' : 'down',
});
export const silent = (service: string): NodeView => ({ service, group: scope.group, address: at(service), reachable: false, error: 'no reply within 500 ms' });

/** A sentinel naming `names` as master of mymaster, seeing every other node and sentinel up; `view` overrides parts of its view. */
export function sentinel(service: string, names: string, extra: { tilt?: boolean; view?: Partial<SentinelMasterView> } = {}): SentinelView {
  return {
    service,
    address: at(service),
    reachable: true,
    tilt: extra.tilt ?? false,
    masters: {
      mymaster: {
        name: scope.group,
        address: at(names),
        service: names,
        flags: ['master'],
        configEpoch: 0,
        quorum: 2,
        numSlaves: 2,
        numOtherSentinels: 2,
        replicas: scope.nodes.filter((n) => n !== names).map((n) => ({ address: at(n), service: n, flags: ['slave'] })),
        sentinels: scope.sentinels.filter((s) => s !== service).map((s) => ({ address: at(s), service: s, flags: ['sentinel'] })),
        ...extra.view,
      },
    },
  };
}

export const silentSentinel = (service: string): SentinelView => ({ service, address: at(service), reachable: false, masters: { mymaster: null } });

export function obs(nodes: NodeView[], sentinels: SentinelView[]): Observation {
  return { at: 0, nodes, sentinels };
}

/** `m` master, the others its replicas, every sentinel naming it. */
export const healthyOn = (m: string): Observation =>
  obs(
    scope.nodes.map((n) => (n === m ? master(n) : replica(n, m))),
    scope.sentinels.map((s) => sentinel(s, m)),
  );

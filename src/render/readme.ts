/** The README.md of a rendered folder: how to start it and how clients connect. */
import type { Topology } from '../topology/types.js';
import { renderTemplate } from './templates.js';

export function renderReadme(t: Topology, opts: { specName: string; summary: string }): string {
  const bridge = t.network === 'bridge';
  const sentinels = t.sentinels.map((s) => ({ host: t.clientHost, port: s.hostPort }));
  const bundled = t.sentinel.implementation === 'bundled';
  const nodes = [
    ...t.masters.flatMap((g) =>
      g.nodes.map((n) => ({
        service: n.service,
        role: n.initialRole === 'master' ? 'master' : `replica (priority ${n.replicaPriority})`,
        group: g.name,
        address: `${t.clientHost}:${n.hostPort}`,
      })),
    ),
    ...t.sentinels.map((s) => ({ service: s.service, role: 'sentinel', group: 'all', address: `${t.clientHost}:${s.hostPort}` })),
  ];
  const vars = [
    ...(t.auth.redisPassword ? [`\`${t.auth.redisPasswordVar}\``] : []),
    ...(t.auth.sentinelPassword ? [`\`${t.auth.sentinelPasswordVar}\``] : []),
    ...(t.auth.dataUser ? [`\`${t.auth.dataUser.passwordVar}\``] : []),
    ...(t.auth.sentinelUser ? [`\`${t.auth.sentinelUser.passwordVar}\``] : []),
  ];
  const announce = t.sentinels[0]?.announce?.ip ?? '';
  return renderTemplate('README.md.hbs', {
    project: t.project,
    specName: opts.specName,
    summary: opts.summary,
    network: t.network,
    bridge,
    bundled,
    implementationText: bundled ? 'the bundled TypeScript Sentinel' : 'redis-sentinel',
    sentinelImage: t.images.sentinel,
    nodeImage: t.images.node,
    nodes,
    sentinels,
    firstSentinel: sentinels[0] ?? { host: t.clientHost, port: 26379 },
    firstMaster: t.masters[0]?.name ?? 'mymaster',
    manyMasters: t.masters.length > 1,
    masterNames: t.masters.map((m) => `\`${m.name}\``).join(', '),
    sentinelList: sentinels.map((s) => `${s.host}:${s.port}`).join(', '),
    redisPassword: t.auth.redisPassword,
    sentinelPassword: t.auth.sentinelPassword,
    redisPasswordVar: t.auth.redisPasswordVar,
    sentinelPasswordVar: t.auth.sentinelPasswordVar,
    anyPassword: vars.length > 0,
    passwordVars: vars.length > 1 ? `${vars.slice(0, -1).join(', ')} and ${vars[vars.length - 1]}` : (vars[0] ?? ''),
    dataUser: t.auth.dataUser?.name ?? null,
    sentinelUser: t.auth.sentinelUser?.name ?? null,
    announceVar: 'SC_ANNOUNCE_HOST',
    announce,
    clientHost: t.clientHost,
    bindText: t.masters[0]?.nodes[0]?.bind.join(', ') ?? t.clientHost,
    publishText: t.clientHost === '127.0.0.1' ? 'on every interface' : `on ${t.clientHost}`,
  });
}

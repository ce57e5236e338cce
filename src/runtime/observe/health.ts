/**
 * How the tool decides a topology is healthy: the one definition, used by `up` (and every health
 * wait), `status` and the drill (before each run, and for `wait until: healthy`). Each function
 * returns what is missing, in words a person can act on; empty means yes.
 *
 * A master group is healthy when, all at once:
 * - every data node answers, and exactly one says it is master;
 * - every other node is a replica of that master with its link up, and the master counts them
 *   all online;
 * - every sentinel answers, is not in TILT (a sentinel in TILT acts on nothing it sees, so it
 *   would not fail over), monitors the group, names that master to clients, flags it neither
 *   down nor in a failover, and sees every replica and every other sentinel without such flags;
 * - the sentinels agree on the master and on the config epoch.
 * A topology is healthy when every group is.
 */
import type { MasterGroup, Topology } from '../../topology/types.js';
import type { NodeView, Observation, SentinelMasterView, SentinelView } from './view.js';

/**
 * How much longer a wait gives a sentinel it saw in TILT mode: TILT's 30 s (Redis's
 * SENTINEL_TILT_PERIOD, the bundled sentinel's too) and a few looks more.
 */
export const TILT_ALLOWANCE_MS = 35_000;

/** Flags (SENTINEL MASTER / REPLICAS / SENTINELS) of an instance a sentinel does not see up. */
export const DOWN_FLAGS: readonly string[] = ['s_down', 'o_down', 'disconnected'];
/**
 * Flags of a failover in progress: on the master (failover_in_progress, force_failover) and on
 * replicas (promoted: the one chosen; reconf_*: being pointed at it). Redis clears them all when
 * the failover ends (the master entry is reset to the new address), so any of them means "not
 * settled yet".
 */
export const FAILOVER_FLAGS: readonly string[] = ['failover_in_progress', 'force_failover', 'promoted', 'reconf_sent', 'reconf_inprog', 'reconf_done'];
const BAD_FLAGS = [...DOWN_FLAGS, ...FAILOVER_FLAGS];

export function badFlags(flags: readonly string[]): string[] {
  return flags.filter((f) => BAD_FLAGS.includes(f));
}

/** The nodes and sentinels that make up one master group. */
export interface GroupScope {
  group: string;
  /** Every data node of the group (master and replicas). */
  nodes: readonly string[];
  sentinels: readonly string[];
}

export function scopeOf(t: Topology, group: MasterGroup): GroupScope {
  return { group: group.name, nodes: group.nodes.map((n) => n.service), sentinels: t.sentinels.map((s) => s.service) };
}

function inScope<T extends { service: string }>(list: readonly T[], services?: readonly string[]): T[] {
  return services ? list.filter((x) => services.includes(x.service)) : [...list];
}

/** Why a node or sentinel has nothing to say: the runtime's word when it has one, else the prober's. */
export function silenceOf(v: NodeView | SentinelView): string {
  if (v.reachable) return `${v.service}: ${v.error}`;
  if (v.process === 'paused') return `${v.service}: paused`;
  if (v.process === 'stopped' || v.process === 'missing') return `${v.service}: not running (${v.process})`;
  return `${v.service}: no reply${v.error ? ` (${v.error})` : ''}`;
}

/** The one node (of `nodes`, default all) that says it is master, or null when none or several do. */
export function soleMaster(obs: Observation, nodes?: readonly string[]): string | null {
  const masters = inScope(obs.nodes, nodes).filter((n) => n.reachable && n.role === 'master');
  return masters.length === 1 ? masters[0]!.service : null;
}

/** The master most answering sentinels name for `group` (ties: null). */
export function namedMaster(obs: Observation, group: string): string | null {
  const votes = new Map<string, number>();
  for (const s of obs.sentinels) {
    const v = s.reachable ? s.masters[group] : null;
    if (v?.service) votes.set(v.service, (votes.get(v.service) ?? 0) + 1);
  }
  const sorted = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  if (!sorted.length || (sorted[1] && sorted[1][1] === sorted[0]![1])) return null;
  return sorted[0]![0];
}

/** Exactly one node of the group says it is master. */
export function masterMissing(obs: Observation, scope: Pick<GroupScope, 'group' | 'nodes'>): string[] {
  const nodes = inScope(obs.nodes, scope.nodes);
  const masters = nodes.filter((n) => n.reachable && n.role === 'master').map((n) => n.service);
  if (masters.length === 1) return [];
  // Nobody answering is said node by node (silenceOf); "no master" would only repeat it.
  if (masters.length === 0) return nodes.some((n) => n.reachable) ? [`${scope.group}: no node reports role master`] : [];
  return [`${scope.group}: ${masters.length} nodes report role master (${masters.join(', ')})`];
}

/** Every node of the group but `master` answers and replicates `master` with its link up. */
export function replicasMissing(obs: Observation, master: string | null, scope?: Pick<GroupScope, 'nodes'>): string[] {
  const out: string[] = [];
  for (const n of inScope(obs.nodes, scope?.nodes)) {
    if (n.service === master) continue;
    if (!n.reachable || n.error) out.push(silenceOf(n));
    else if (n.role !== 'replica') {
      if (master !== null) out.push(`${n.service}: role ${n.role ?? 'unknown'}, not a replica of ${master}`);
    } else if (master !== null && n.masterService !== master) {
      out.push(`${n.service}: replicates ${n.masterService ?? n.masterAddress ?? 'nothing'}, not ${master}`);
    } else if (n.link !== 'up') out.push(`${n.service}: link to ${n.masterService ?? n.masterAddress ?? 'its master'} is down`);
  }
  return out;
}

/** Every sentinel answers, monitors the group and names `master` to clients; with no single master, at least they agree. */
export function sentinelsAgreeMissing(obs: Observation, master: string | null, scope: Pick<GroupScope, 'group'> & { sentinels?: readonly string[] }): string[] {
  const out: string[] = [];
  const sentinels = inScope(obs.sentinels, scope.sentinels);
  for (const s of sentinels) {
    const v = s.reachable ? s.masters[scope.group] : null;
    if (!s.reachable) out.push(silenceOf(s));
    else if (!v) out.push(s.error ? silenceOf(s) : `${s.service}: does not monitor ${scope.group}`);
    else if (master !== null && v.service !== master) out.push(`${s.service}: names ${label(v)} as master, not ${master}`);
  }
  if (master === null) out.push(...masterDisagreement(scope.group, sentinels));
  return out;
}

function views(sentinels: readonly SentinelView[], group: string): { s: SentinelView; v: SentinelMasterView }[] {
  return sentinels.flatMap((s) => {
    const v = s.reachable ? s.masters[group] : null;
    return v ? [{ s, v }] : [];
  });
}

function masterDisagreement(group: string, sentinels: readonly SentinelView[]): string[] {
  const vs = views(sentinels, group);
  if (new Set(vs.map((x) => x.v.address)).size <= 1) return [];
  return [`${group}: sentinels disagree on the master: ${vs.map((x) => `${x.s.service} -> ${label(x.v)}`).join(', ')}`];
}

function epochDisagreement(group: string, sentinels: readonly SentinelView[]): string[] {
  const vs = views(sentinels, group);
  if (new Set(vs.map((x) => x.v.configEpoch)).size <= 1) return [];
  return [`${group}: sentinels disagree on the config epoch: ${vs.map((x) => `${x.s.service}=${x.v.configEpoch}`).join(', ')}`];
}

function label(v: SentinelMasterView): string {
  return v.service ? `${v.service} (${v.address})` : v.address;
}

/** What keeps one master group from being healthy (see the top of this file); empty = healthy. */
export function healthyMissing(obs: Observation, scope: GroupScope): string[] {
  const out: string[] = [];
  const group = scope.group;
  for (const n of inScope(obs.nodes, scope.nodes)) if (!n.reachable || n.error) out.push(silenceOf(n));
  out.push(...masterMissing(obs, scope));
  const master = soleMaster(obs, scope.nodes);
  const expectedReplicas = scope.nodes.length - 1;
  const m = master ? obs.nodes.find((n) => n.service === master) : undefined;
  if (m?.onlineReplicas !== undefined && m.onlineReplicas < expectedReplicas) {
    out.push(`${group}: ${m.service} has ${m.onlineReplicas} of ${expectedReplicas} replicas online`);
  }
  out.push(...replicasMissing(obs, master, scope));

  const sentinels = inScope(obs.sentinels, scope.sentinels);
  const agree = sentinelsAgreeMissing(obs, master, scope);
  for (const s of sentinels) {
    if (s.reachable && s.tilt) out.push(`${s.service}: in TILT mode (it acts again 30 s after the last timer jump)`);
    out.push(...agree.filter((line) => line.startsWith(`${s.service}: `)));
    const v = s.reachable ? s.masters[group] : null;
    if (!v) continue;
    const bad = badFlags(v.flags);
    if (bad.length) out.push(`${s.service}: flags ${group} (${v.address}) as ${bad.join(',')}`);
    const okReplicas = v.replicas.filter((r) => badFlags(r.flags).length === 0).length;
    if (okReplicas < expectedReplicas) out.push(`${s.service}: sees ${okReplicas} of ${expectedReplicas} replicas of ${group}`);
    const expectedSentinels = scope.sentinels.length - 1;
    const okSentinels = v.sentinels.filter((p) => badFlags(p.flags).length === 0).length;
    if (okSentinels < expectedSentinels) out.push(`${s.service}: sees ${okSentinels} of ${expectedSentinels} other sentinels for ${group}`);
  }
  out.push(...agree.filter((line) => !sentinels.some((s) => line.startsWith(`${s.service}: `))));
  out.push(...epochDisagreement(group, sentinels));
  return [...new Set(out)];
}

/** What keeps the topology from being healthy: every group's `healthyMissing`, each line once. */
export function missingForHealth(t: Topology, obs: Observation): string[] {
  return [...new Set(t.masters.flatMap((g) => healthyMissing(obs, scopeOf(t, g))))];
}

/**
 * Where sentinels disagree with each other or with the data nodes, for `status` to point out:
 * different master addresses or epochs for one group, or a believed master that does not report
 * role master. Every one of these also makes `missingForHealth` non-empty.
 */
export function disagreements(t: Topology, obs: Observation): string[] {
  const out: string[] = [];
  const byService = new Map(obs.nodes.map((n) => [n.service, n]));
  for (const group of t.masters) {
    out.push(...masterDisagreement(group.name, obs.sentinels), ...epochDisagreement(group.name, obs.sentinels));
    for (const { s, v } of views(obs.sentinels, group.name)) {
      const node = v.service ? byService.get(v.service) : undefined;
      if (node?.reachable && node.role !== 'master') out.push(`${s.service} believes ${group.name} is ${label(v)}, which reports role ${node.role}`);
    }
  }
  return out;
}

/**
 * The text of `status`: a table of data nodes and a table of what each sentinel believes, with
 * disagreements and problems highlighted. Pure: snapshot in, text out.
 */
import type { ChalkInstance } from 'chalk';
import { badFlags, type NodeView, type SentinelMasterView, type Snapshot } from '../../runtime/observe/index.js';
import type { Topology } from '../../topology/types.js';
import { table } from './runtime-shared.js';

export interface StatusView {
  snapshot: Snapshot;
  problems: string[];
  disagreements: string[];
}

export function formatStatus(t: Topology, v: StatusView, c: ChalkInstance): string {
  const s = v.snapshot;
  // Health is decided in runtime/observe/health.ts; every disagreement is also a problem there,
  // listed once here, under Disagreements.
  const healthy = v.problems.length === 0;
  const problems = v.problems.filter((p) => !v.disagreements.includes(p));
  const head = `${c.bold(s.project)} on ${s.runtime} at ${new Date(s.time).toLocaleTimeString()}: ${healthy ? c.green('healthy') : c.red('not healthy')}`;
  const out = [head, '', nodeTable(t, s.nodes, c), '', sentinelTable(t, s, c)];
  if (v.disagreements.length) out.push('', c.yellow('Disagreements:'), ...v.disagreements.map((d) => `  ${c.yellow('!')} ${d}`));
  if (problems.length) out.push('', c.red('Not healthy because:'), ...problems.map((p) => `  ${c.red('-')} ${p}`));
  return out.join('\n');
}

function processCell(state: string | undefined, c: ChalkInstance): string {
  if (state === undefined) return '-';
  if (state === 'running') return c.green(state);
  if (state === 'paused') return c.yellow(state);
  return c.red(state);
}

function nodeTable(t: Topology, nodes: NodeView[], c: ChalkInstance): string {
  const rows: string[][] = [['NODE', 'GROUP', 'PROCESS', 'ADDRESS', 'ROLE', 'OFFSET', 'LAG', 'LINK'].map((h) => c.bold(h))];
  for (const n of nodes) {
    const role = !n.reachable ? c.red(n.error ?? 'unreachable') : n.role === 'master' ? c.bold('master') : 'replica';
    const lag = n.role === 'replica' && (n.lagBytes !== undefined || n.lagSeconds !== undefined) ? `${n.lagBytes ?? '?'} B / ${n.lagSeconds ?? '?'} s` : '-';
    let link = '-';
    if (n.role === 'master') {
      const expected = (t.masters.find((m) => m.name === n.group)?.nodes.length ?? 1) - 1;
      const text = `${n.onlineReplicas}/${expected} replicas online`;
      link = (n.onlineReplicas ?? 0) >= expected ? c.green(text) : c.red(text);
    } else if (n.role === 'replica') {
      link = n.link === 'up' ? `${c.green('up')} -> ${n.masterAddress}` : `${c.red('down')} -> ${n.masterAddress}`;
    }
    rows.push([n.service, n.group, processCell(n.process, c), n.address, role, n.offset === undefined ? '-' : String(n.offset), lag, link]);
  }
  return table(rows);
}

function sentinelTable(t: Topology, s: Snapshot, c: ChalkInstance): string {
  const rows: string[][] = [['SENTINEL', 'PROCESS', 'MASTER NAME', 'BELIEVES MASTER IS', 'FLAGS', 'EPOCH', 'REPLICAS', 'SENTINELS'].map((h) => c.bold(h))];
  for (const group of t.masters) {
    // The address most sentinels give: anything else is highlighted.
    const counts = new Map<string, number>();
    for (const sv of s.sentinels) {
      const v = sv.masters[group.name];
      if (v) counts.set(v.address, (counts.get(v.address) ?? 0) + 1);
    }
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const actual = s.nodes.find((n) => n.group === group.name && n.role === 'master' && n.reachable);
    for (const sv of s.sentinels) {
      if (!sv.reachable) {
        rows.push([sv.service, processCell(sv.process, c), group.name, c.red(sv.error ?? 'unreachable'), '', '', '', '']);
        continue;
      }
      const v = sv.masters[group.name];
      if (!v) {
        rows.push([sv.service, processCell(sv.process, c), group.name, c.red('not monitored'), '', '', '', '']);
        continue;
      }
      const label = v.service ? `${v.service} (${v.address})` : v.address;
      const agrees = v.address === majority && (!actual || v.service === actual.service);
      rows.push([
        sv.service,
        processCell(sv.process, c),
        group.name,
        agrees ? label : c.yellow(label),
        flagsCell(v, c),
        String(v.configEpoch),
        countCell(v.replicas, group.nodes.length - 1, c),
        countCell(v.sentinels, t.sentinels.length - 1, c),
      ]);
    }
  }
  return table(rows);
}

function flagsCell(v: SentinelMasterView, c: ChalkInstance): string {
  return v.flags.map((f) => (badFlags([f]).length ? c.red(f) : f)).join(',');
}

function countCell(peers: SentinelMasterView['replicas'], expected: number, c: ChalkInstance): string {
  const ok = peers.filter((p) => badFlags(p.flags).length === 0).length;
  const text = `${ok}/${expected}${peers.length > ok ? ` (+${peers.length - ok} down)` : ''}`;
  return ok >= expected && peers.length === ok ? c.green(text) : ok >= expected ? c.yellow(text) : c.red(text);
}

/** Lines under the status table: who works on the folder, and what a command that died left behind, each with its fix. */

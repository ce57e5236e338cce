/**
 * Who the master of a group is, as the sentinels say, and when it has changed: what `failover`
 * and `wait --master-changed` decide on.
 */
import type { MasterRef, Observation, SentinelSays } from './observe.js';
import { roleIn, sentinelsSay } from './observe.js';

/** Why a sentinel in TILT mode may not have moved: said beside it wherever it holds something up. */
export const TILT_NOTE = 'in TILT mode: it acts on nothing until 30 s after its last timer jump';

export function sameMaster(a: MasterRef, b: MasterRef): boolean {
  return a.service !== undefined && b.service !== undefined ? a.service === b.service : a.address === b.address;
}

export function masterLabel(m: MasterRef): string {
  return m.service ? `${m.service} (${m.address})` : m.address;
}

/** The master most answering sentinels name (ties: the first sentinel's), or null when none names one. */
export function namedMaster(says: readonly SentinelSays[]): { master: MasterRef; by: number; of: number } | null {
  const named = says.filter((s) => s.master);
  const counts: { master: MasterRef; by: number }[] = [];
  for (const s of named) {
    const c = counts.find((x) => sameMaster(x.master, s.master!));
    if (c) c.by++;
    else counts.push({ master: s.master!, by: 1 });
  }
  const best = counts.reduce<(typeof counts)[number] | null>((a, b) => (a && a.by >= b.by ? a : b), null);
  return best ? { ...best, of: says.length } : null;
}

export interface ChangeCheck {
  /** Empty when the master changed: every running sentinel names `to`, and `to` says it is master. */
  missing: string[];
  to?: MasterRef;
}

/**
 * Whether `group`'s master has changed from `from` in this look. The sentinels that count are the
 * ones whose process runs (a paused or stopped one cannot answer; it learns the new master from
 * the others' hello messages when it is back): every one of them must answer and name the same
 * new master, and that node must say role master, so that a client asking any sentinel is sent
 * to a node that takes writes.
 */
export function masterChanged(snap: Observation, group: string, from: MasterRef): ChangeCheck {
  const says = sentinelsSay(snap, group).filter((s) => s.process === 'running');
  if (!says.length) return { missing: ['no sentinel is running'] };
  const missing: string[] = [];
  for (const s of says) {
    if (!s.master) missing.push(`${s.sentinel}: ${s.error ?? 'no answer'}`);
    else if (sameMaster(s.master, from)) missing.push(`${s.sentinel}: still names ${masterLabel(s.master)}${s.tilt ? ` (${TILT_NOTE})` : ''}`);
  }
  const news = says.filter((s) => s.master && !sameMaster(s.master, from));
  const to = news[0]?.master;
  if (!to) return { missing };
  for (const s of news)
    if (!sameMaster(s.master!, to)) missing.push(`${s.sentinel}: names ${masterLabel(s.master!)}, ${news[0]!.sentinel} names ${masterLabel(to)}`);
  const role = to.service ? roleIn(snap, to.service) : undefined;
  if (to.service && role !== 'master') missing.push(`${to.service}: ${role ? `reports role ${role}` : 'does not answer'}, not master yet`);
  return { missing, to };
}

/**
 * One look at a running topology as `status` reports it (and `status --json` prints it, and the
 * library's `status()` returns it): every node and sentinel, what keeps it from being healthy,
 * where the sentinels disagree, who holds the folder, and what a command left paused, killed or
 * cut off.
 */
import { timeOfDay } from '../common/clock.js';
import { partitionOwnerAlive, readPartition } from './compose/partition.js';
import { checkServices, describeLeftover, onPurpose, undoCommand, type Leftover } from './leftovers.js';
import { holderAlive, readLock, type LockHolder } from './lock.js';
import { disagreements, lookAt, missingForHealth, type Observer, type Snapshot } from './observe/index.js';
import type { RenderedDir } from './open.js';
import type { RunState } from './state.js';
import type { Runtime } from './types.js';

export interface StatusLook {
  snapshot: Snapshot;
  problems: string[];
  disagreements: string[];
  healthy: boolean;
  /** The command working on the folder right now, if any. */
  busy: LockHolder | null;
  leftovers: Leftover[];
  /** Links a partition drill cut (run/partition.json): healed by that drill, or by `up` once it is gone. */
  partition: PartitionLook | null;
  notes: string[];
}

export interface PartitionLook {
  isolated: string[];
  from: string[];
  since: string;
  by: number;
  /** The drill that cut the links still runs (and heals them when it ends). */
  ownerAlive: boolean;
}

/** The object `status --json` prints. */
export interface StatusReport extends StatusLook {
  ok: boolean;
  project: string;
  runtime: string;
  startedAt: string | null;
}

/** `outLabel`: the folder as the commands in the notes name it (`--out ...`). */
export async function lookAtStatus(dir: RenderedDir, runtime: Runtime, state: RunState | null, observer: Observer, outLabel: string): Promise<StatusLook> {
  const t = dir.topology;
  const snapshot = await lookAt(runtime, observer);
  const problems = missingForHealth(t, snapshot);
  const dis = disagreements(t, snapshot);
  // Who is working on it right now, and what a command that died left paused or killed.
  const holder = readLock(dir.outDir);
  const busy = holder && holderAlive(holder) ? holder : null;
  const states = [...snapshot.nodes, ...snapshot.sentinels].map((n) => ({ service: n.service, state: n.process ?? 'missing' }));
  const { paused, down } = await checkServices(runtime, dir.outDir, states);
  // When nothing runs at all, "not up" says it once.
  const leftovers = [...paused, ...(states.some((x) => x.state === 'running' || x.state === 'paused') ? down : [])];
  const cut = readPartition(dir.outDir);
  const partition = cut
    ? { isolated: cut.sides[0], from: cut.sides[1], since: new Date(cut.at).toISOString(), by: cut.by.pid, ownerAlive: partitionOwnerAlive(cut) }
    : null;
  // While its drill runs the cut is the drill's business; once the drill is gone nothing heals it.
  if (partition && !partition.ownerAlive) problems.push(`${partition.isolated.join(', ')} cut off from ${partition.from.join(', ')} by a drill that is gone`);
  const notes = statusNotes({ project: t.project, out: outLabel, holder, busy, startedBy: state?.startedBy, leftovers, partition });
  return { snapshot, problems, disagreements: dis, healthy: problems.length === 0, busy, leftovers, partition, notes };
}

export function statusReport(dir: RenderedDir, runtime: Runtime, state: RunState | null, look: StatusLook): StatusReport {
  return { ok: look.healthy, project: dir.topology.project, runtime: runtime.kind, startedAt: state ? new Date(state.startedAt).toISOString() : null, ...look };
}

export function statusNotes(a: {
  project: string;
  out: string;
  holder: LockHolder | null;
  busy: LockHolder | null;
  startedBy?: string;
  leftovers: Leftover[];
  partition?: PartitionLook | null;
}): string[] {
  const up = `\`sentinel-compose up --out ${a.out}\``;
  const fix = (l: Leftover) => {
    if (onPurpose(l)) return `; ${undoCommand(l, a.out)} ${l.state === 'paused' ? 'resumes it' : 'starts it again'}`;
    if (l.ownerAlive) return '';
    if (l.state === 'paused') return `: ${up} resumes it`;
    return l.state === 'missing'
      ? `: ${up} starts it`
      : `: ${up} starts it again (\`sentinel-compose logs --out ${a.out} -s ${l.service}\` shows why it stopped)`;
  };
  const notes: string[] = [];
  if (a.busy) notes.push(`\`sentinel-compose ${a.busy.command}\` (pid ${a.busy.pid}) is working on ${a.out} since ${timeOfDay(a.busy.since)}`);
  else if (a.holder)
    notes.push(`\`sentinel-compose ${a.holder.command}\` (pid ${a.holder.pid}, from ${timeOfDay(a.holder.since)}) ended without finishing (killed?)`);
  if (!a.busy && a.startedBy === 'drill --up') {
    notes.push(
      `${a.project} was started by a \`drill --up\` that did not finish (and so did not take it down): \`sentinel-compose down --out ${a.out}\` takes it down, ${up} keeps it`,
    );
  }
  for (const l of a.leftovers) notes.push(`${l.service} ${describeLeftover(l)}${fix(l)}`);
  const p = a.partition;
  if (p) {
    notes.push(
      `${p.isolated.join(', ')} ${p.isolated.length > 1 ? 'are' : 'is'} cut off from ${p.from.join(', ')} (iptables rules in run/partition.json, put in at ${timeOfDay(Date.parse(p.since))} by drill pid ${p.by})` +
        (p.ownerAlive ? ': that drill heals the links when it ends' : `: that drill is gone; ${up} heals the links`),
    );
  }
  return notes;
}

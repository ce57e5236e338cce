/**
 * What a run records while it plays: facts appended as they happen, every time a
 * `Clock.monotonic()` reading. Nothing recorded is rewritten later; in particular the fault (t = 0
 * of the report) is a fact of its own, and times only become "ms since the fault" when the report
 * is built from the record (report.ts), with `timeBase`. The live run reads the same record for
 * its conditions (which events count, who is back), through the pure functions here.
 */
import type { GroupContext, RunEvent } from '../checks.js';
import { replicasMissing, soleMaster } from '../../runtime/observe/index.js';
import { parseEvent } from '../events.js';
import type { RawSample } from '../load.js';
import type { RawEvent } from '../recorder.js';
import type { Mark, Observation, Scenario, WriteCheck } from '../types.js';

export interface RecordedStep {
  index: number;
  label: string;
  /** What the step acted on (set as soon as it knows, so that a failed step still says). */
  services: string[];
  startedAt: number;
  /** null while the step runs. */
  endedAt: number | null;
  mark?: Mark;
  error?: string;
}

/**
 * The fault. `at` is t = 0: when the runtime said the fault was in place (`docker-compose pause`
 * can spend seconds starting before it freezes anything; SIGSTOP is at once). `from` is when its
 * step began: the fault took effect somewhere in between, so its consequences (events, outages)
 * are looked for from there (see GroupContext.faultFrom).
 */
export interface FaultFact {
  at: number;
  from: number;
  /** Wall-clock ms at `at`. */
  wall: number;
}

/** A data node brought back (or, `replicaOnly`, a master displaced by SENTINEL FAILOVER). */
export interface HealFact {
  service: string;
  at: number;
  /** Back only once it follows the new master. */
  replicaOnly?: boolean;
}

/** The first observation showing the node of `heals[heal]` back in the topology. */
export interface RejoinFact {
  heal: number;
  at: number;
  as: 'replica' | 'master';
}

/** One client load's operations (monotonic times), and how often the drill had to reconnect it. */
export interface LoadRecord {
  samples: readonly RawSample[];
  clientRestarts: number;
}

export interface RunRecord {
  scenario: Scenario;
  group: string;
  /** The group's data nodes and the topology's sentinels, by service. */
  nodes: string[];
  sentinels: string[];
  startedAt: number;
  /** Wall-clock ms at `startedAt`. */
  startedWall: number;
  /** Why the run was skipped (nothing else is then recorded). */
  skipped?: string;
  /** The master once the group was ready; null: it never was. */
  initialMaster: string | null;
  /** Sentinel events count from here (the group was ready). */
  eventsFrom: number;
  steps: RecordedStep[];
  stepsEndedAt: number | null;
  fault: FaultFact | null;
  /** Data nodes the run paused, killed or cut off, in order. */
  faulted: string[];
  /** The network partition the run made (monotonic times). */
  partition?: { isolated: string[]; applying: number; at: number; healedAt: number | null };
  /** The client that stayed with the isolated master (master-partition). */
  masterSide?: { service: string; key: string; load: LoadRecord; stored: string[] | null; checkedOn: string | null; error?: string };
  heals: HealFact[];
  rejoins: RejoinFact[];
  /** The latest observation of the group (its `at` monotonic). */
  latest: Observation | null;
  /** What stopped the run early: an error, or the drill's signal (`interrupted`). */
  stopped: { interrupted: boolean; message: string } | null;
  /** Bringing back what the run paused or killed, at its end. */
  cleanup: { healed: string[] } | { error: string } | null;
  writes: LoadRecord | null;
  reads: LoadRecord | null;
  writeCheck: WriteCheck | null;
  /** The sentinels' events from `eventsFrom` on, taken when the run ends. */
  events: RawEvent[];
  endedAt: number;
}

export function newRecord(scenario: Scenario, group: string, nodes: string[], sentinels: string[], startedAt: number, startedWall: number): RunRecord {
  return {
    scenario,
    group,
    nodes,
    sentinels,
    startedAt,
    startedWall,
    initialMaster: null,
    eventsFrom: startedAt,
    steps: [],
    stepsEndedAt: null,
    fault: null,
    faulted: [],
    heals: [],
    rejoins: [],
    latest: null,
    stopped: null,
    cleanup: null,
    writes: null,
    reads: null,
    writeCheck: null,
    events: [],
    endedAt: startedAt,
  };
}

/**
 * Records the fault at `at` unless one is recorded already (the first fault is t = 0). Its
 * consequences count from the start of the first step marked `fault`, or from `at` when none is
 * (a scenario without a marked step: t = 0 is the end of its steps).
 */
export function recordFault(r: RunRecord, at: number, wall: number): void {
  if (r.fault) return;
  const step = r.steps.find((s) => s.mark === 'fault');
  r.fault = { at, wall, from: Math.min(at, step?.startedAt ?? at) };
}

/** Records that the run brought `service` back; only data nodes rejoin anything. */
export function recordHeal(r: RunRecord, service: string, at: number, replicaOnly = false): void {
  if (!r.nodes.includes(service)) return;
  r.heals.push({ service, at, ...(replicaOnly ? { replicaOnly } : {}) });
}

export function recordFaulted(r: RunRecord, service: string): void {
  if (r.nodes.includes(service) && !r.faulted.includes(service)) r.faulted.push(service);
}

/** Per service, its latest heal (index into `heals`), in the order services were first healed. */
export function latestHeals(r: Pick<RunRecord, 'heals'>): Map<string, number> {
  const out = new Map<string, number>();
  r.heals.forEach((h, i) => out.set(h.service, i));
  return out;
}

/**
 * Rejoins an observation shows: a node healed (latest heal, not yet seen back, observed after it)
 * that now replicates the sole master with its link up, or (unless displaced by a manual
 * failover) is that master with every replica following it.
 */
export function rejoinsSeen(r: Pick<RunRecord, 'heals' | 'rejoins'>, obs: Observation): RejoinFact[] {
  const master = soleMaster(obs);
  const out: RejoinFact[] = [];
  for (const i of latestHeals(r).values()) {
    const h = r.heals[i]!;
    if (obs.at < h.at || r.rejoins.some((x) => x.heal === i)) continue;
    const n = obs.nodes.find((x) => x.service === h.service);
    if (!n?.reachable) continue;
    if (n.role === 'replica' && master !== null && n.masterService === master && n.link === 'up') {
      out.push({ heal: i, at: obs.at, as: 'replica' });
    } else if (!h.replicaOnly && master === h.service && replicasMissing(obs, master).length === 0) {
      out.push({ heal: i, at: obs.at, as: 'master' });
    }
  }
  return out;
}

/** t0: the fault, or the run's start until there is one; faultFrom: see GroupContext. */
export function timeBase(r: Pick<RunRecord, 'fault' | 'startedAt'>): { t0: number; faultFrom?: number } {
  if (!r.fault) return { t0: r.startedAt };
  return { t0: r.fault.at, faultFrom: Math.min(0, r.fault.from - r.fault.at) };
}

/** The group as the checks see it, times relative to `timeBase`. */
export function groupContext(r: RunRecord): GroupContext {
  const { faultFrom } = timeBase(r);
  return {
    group: r.group,
    nodes: r.nodes,
    sentinels: r.sentinels,
    initialMaster: r.initialMaster ?? '',
    ...(faultFrom !== undefined ? { faultFrom } : {}),
  };
}

/** Names for the addresses and run ids sentinels talk in (an AddressBook). */
export interface Names {
  service(addr: string): string | null;
  sentinelById(id: string): string | null;
}

/** Recorded events as the checks read them: parsed, addresses as services, t since `t0`. */
export function runEvents(raw: readonly RawEvent[], t0: number, names: Names): RunEvent[] {
  return raw.map((e) => {
    const parsed = parseEvent(e.channel, e.message);
    return {
      t: e.at - t0,
      sentinel: e.sentinel,
      channel: e.channel,
      message: e.message,
      parsed,
      instanceService: parsed.instance ? names.service(parsed.instance.addr) : null,
      switchedTo: e.channel === '+switch-master' ? names.service(parsed.extra) : null,
    };
  });
}

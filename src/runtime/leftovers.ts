/**
 * What is not running as `up` left it: paused nodes (a stopped process, a paused container) and
 * nodes that are down, each with the tool's own record of putting it there when there is one
 * (faults.ts). `up`, `status`, `drill` and `down` read this to resume what a drill that died left
 * paused, or to name it with the command that resumes it.
 */
import { timeOfDay } from '../common/clock.js';
import { allNodes } from '../topology/types.js';
import { faultOwnerAlive, readFaults, type Fault } from './faults.js';
import type { Runtime, ServiceState } from './types.js';

export interface Leftover {
  service: string;
  state: 'paused' | 'stopped' | 'missing';
  /** The tool's record of pausing or killing it, if it did. */
  fault: Fault | null;
  /** Whether the sentinel-compose process that did it still runs (and so will undo it). */
  ownerAlive: boolean;
}

export interface ServicesCheck {
  states: ServiceState[];
  paused: Leftover[];
  down: Leftover[];
}

/** `states`: what `runtime.ps()` just said, when the caller has it (status asks once per look). */
export async function checkServices(runtime: Runtime, outDir: string, known?: ServiceState[]): Promise<ServicesCheck> {
  const states = known ?? (await runtime.ps());
  const faults = readFaults(outDir);
  const leftover = (s: ServiceState): Leftover => {
    const fault = faults.find((f) => f.service === s.service) ?? null;
    return { service: s.service, state: s.state as Leftover['state'], fault, ownerAlive: fault !== null && faultOwnerAlive(fault) };
  };
  return {
    states,
    paused: orderForResume(runtime, states.filter((s) => s.state === 'paused').map(leftover)),
    down: states.filter((s) => s.state === 'stopped' || s.state === 'missing').map(leftover),
  };
}

/** Nothing of the topology runs (every service stopped or never started). */
export function nothingRuns(c: ServicesCheck): boolean {
  return c.states.every((s) => s.state === 'stopped' || s.state === 'missing');
}

/**
 * Paused or killed on purpose by a fault command (`sentinel-compose pause` or `kill`), whose
 * process ended as it should: it stays so until the user undoes it (`unpause`, `restart`).
 */
export function onPurpose(l: Leftover): boolean {
  return l.fault?.command !== undefined && (l.state === 'paused') === (l.fault.kind === 'paused');
}

/** Left paused by a sentinel-compose process that is gone: nobody else will bring it back. */
export function abandoned(l: Leftover): boolean {
  return l.fault?.kind === 'paused' && !l.ownerAlive && !onPurpose(l);
}

/** The command that undoes a fault put in place on purpose (see onPurpose), for the user to run. */
export function undoCommand(l: Leftover, outArg: string): string {
  return `\`sentinel-compose ${l.state === 'paused' ? 'unpause' : 'restart'} ${l.service} --out ${outArg}\``;
}

/** What happened to a leftover, to follow its service's name: "redis-master " + this. */
export function describeLeftover(l: Leftover): string {
  if (onPurpose(l)) return `${l.state === 'paused' ? 'was paused' : 'was killed'} by \`sentinel-compose ${l.fault!.command}\` at ${timeOfDay(l.fault!.at)}`;
  const who = l.fault ? `sentinel-compose (pid ${l.fault.by.pid}, at ${timeOfDay(l.fault.at)})` : null;
  if (l.state === 'paused') {
    if (!who) return 'is paused, not by sentinel-compose';
    return l.ownerAlive
      ? `is paused by ${who}, which is still running and brings it back when it ends`
      : `was left paused by ${who}, which ended without bringing it back`;
  }
  if (l.fault?.kind === 'killed' && !l.ownerAlive) return `was left killed by ${who}, which ended without restarting it`;
  return l.state === 'missing' ? 'was never started' : 'is not running (it exited or was stopped)';
}

/** Unpauses every paused leftover, data nodes first (see orderForResume); returns what it resumed. */
export async function resume(runtime: Runtime, paused: readonly Leftover[]): Promise<string[]> {
  const done: string[] = [];
  for (const l of paused) {
    await runtime.unpause(l.service);
    done.push(l.service);
  }
  return done;
}

/**
 * In topology order (data nodes, masters first, then sentinels): a sentinel resumed while a
 * master is still frozen could start a failover nobody asked for.
 */
function orderForResume(runtime: Runtime, list: Leftover[]): Leftover[] {
  const order = allNodes(runtime.topology).map((n) => n.service);
  return [...list].sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service));
}

/**
 * Conditions (what a `wait` step waits for) and expectations (what a run is judged by), as pure
 * functions of observations and recorded events, so that they are tested without processes.
 * A condition returns what is still missing (empty = true), in words a person can act on.
 * Whether a group is healthy is not decided here but in src/runtime/observe/health.ts, the same
 * for `up`, `status` and the drill.
 */
import { masterMissing, namedMaster, replicasMissing, sentinelsAgreeMissing, soleMaster, type GroupScope } from '../runtime/observe/index.js';
import type { ParsedEvent } from './events.js';
import type { Check, ExpectationResult, Expectation, LoadStats, Observation, PartitionReport, WriteCheck } from './types.js';

/** A recorded event, parsed and with its addresses turned into services. */
export interface RunEvent {
  t: number;
  sentinel: string;
  channel: string;
  message: string;
  parsed: ParsedEvent;
  /** The service the event's instance is (null: not an instance event, or unknown address). */
  instanceService: string | null;
  /** For +switch-master: the service it switched to. */
  switchedTo: string | null;
}

/** The group a run drills (its nodes and sentinels: a health scope), and what the run learnt about it. */
export interface GroupContext extends GroupScope {
  /** Every data node of the group (master and replicas, as listed in the topology). */
  nodes: string[];
  sentinels: string[];
  /** The master when the run started. */
  initialMaster: string;
  /**
   * From when (ms since t = 0, at most 0) events may be consequences of the fault: the start of
   * the fault step. t = 0 is when the runtime's call returned, and `docker-compose pause` can
   * return seconds after it froze the master, by when fast sentinels may have failed over
   * already. Events before the step started are not the fault's doing. Default 0.
   */
  faultFrom?: number;
}

/** Events that may be the fault's consequences (see GroupContext.faultFrom). */
export function sinceFault(events: readonly RunEvent[], from = 0): RunEvent[] {
  return events.filter((e) => e.t >= Math.min(0, from));
}

/** A time since the fault as people read it: +1200 ms, -300 ms. */
export function signedMs(t: number): string {
  const r = Math.round(t);
  return `${r < 0 ? '-' : '+'}${Math.abs(r)} ms`;
}

/** Every sentinel that answers names a new master, that node says it is master, and the leader finished. */
export function failedOverMissing(obs: Observation, ctx: GroupContext, events: readonly RunEvent[]): string[] {
  const out: string[] = [];
  const answering = obs.sentinels.filter((s) => s.reachable);
  if (answering.length === 0) out.push('no sentinel answers');
  const named = new Set<string>();
  for (const s of answering) {
    const v = s.masters[ctx.group];
    if (v?.service === ctx.initialMaster) out.push(`${s.service}: still names ${ctx.initialMaster}`);
    else if (!v?.service) out.push(`${s.service}: names ${v?.address ?? 'no master'}, which is no node of ${ctx.group}`);
    else named.add(v.service);
  }
  if (named.size > 1) out.push(`sentinels name different masters: ${[...named].join(', ')}`);
  for (const m of named) {
    const n = obs.nodes.find((x) => x.service === m);
    if (!n?.reachable || n.role !== 'master') out.push(`${m}: named by the sentinels but ${n?.reachable ? `role is ${n.role}` : 'does not answer'}`);
  }
  if (!sinceFault(events, ctx.faultFrom).some((e) => e.channel === '+failover-end' && e.parsed.group === ctx.group)) {
    out.push('no +failover-end yet (the leader is still reconfiguring replicas)');
  }
  return out;
}

/** Some sentinel reported +sdown for one of `services` after the fault (from `faultFrom` on). */
export function sdownMissing(events: readonly RunEvent[], services: readonly string[], faultFrom = 0): string[] {
  if (services.length === 0) return ['the run has not faulted a data node'];
  const seen = sinceFault(events, faultFrom).some((e) => e.channel === '+sdown' && e.instanceService !== null && services.includes(e.instanceService));
  return seen ? [] : [`no sentinel has reported +sdown for ${services.join(', ')}`];
}

// ---------------------------------------------------------------------------------------------
// Expectations

export interface JudgeInput {
  ctx: GroupContext;
  final: Observation | null;
  events: readonly RunEvent[];
  /** Data nodes the run paused or killed. */
  faulted: string[];
  writes: { stats: LoadStats; check: WriteCheck | null } | null;
  /** ms since the fault when the last step finished (writes after it show recovery). */
  stepsEndedAt: number;
  partition?: PartitionReport;
  /** The group's quorum (sentinels that must agree a master is down). */
  quorum?: number;
}

function result(e: Expectation, passed: boolean, message: string): ExpectationResult {
  const severity = e.severity ?? 'fail';
  return { check: e.check, severity, passed, message: !passed && severity === 'warn' && e.why ? `${message} (warning only: ${e.why})` : message };
}

const FAILOVER_CHANNELS = ['+switch-master', '+promoted-slave', '+failover-state-send-slaveof-noone'];

export function judge(e: Expectation, input: JudgeInput): ExpectationResult {
  const { ctx, final, events } = input;
  const inGroup = sinceFault(events, ctx.faultFrom).filter((x) => x.parsed.group === ctx.group);
  const master = final ? soleMaster(final, ctx.nodes) : null;
  const noFinal = 'no observation of the topology at the end of the run';
  switch (e.check) {
    case 'failover-happened': {
      const switches = inGroup.filter((x) => x.channel === '+switch-master');
      if (!final) return result(e, false, noFinal);
      if (master === null || master === ctx.initialMaster) {
        return result(
          e,
          false,
          `the master is ${master ?? 'unclear'}${master === ctx.initialMaster ? ' still' : ''}; expected a replica of ${ctx.initialMaster} to be promoted`,
        );
      }
      if (switches.length === 0) return result(e, false, `${master} is master but no sentinel published +switch-master`);
      return result(e, true, `${master} replaced ${ctx.initialMaster} (+switch-master from ${new Set(switches.map((x) => x.sentinel)).size} sentinel(s))`);
    }
    case 'no-failover': {
      const bad = inGroup.filter((x) => FAILOVER_CHANNELS.includes(x.channel));
      if (bad.length) {
        const first = bad[0]!;
        return result(e, false, `${first.sentinel} published ${first.channel} at ${signedMs(first.t)} (${bad.length} failover event(s) in all)`);
      }
      if (final && master !== ctx.initialMaster) return result(e, false, `the master is ${master ?? 'unclear'}, expected ${ctx.initialMaster} to stay master`);
      return result(e, true, `no promotion or +switch-master; ${ctx.initialMaster} stayed master`);
    }
    case 'fault-detected': {
      const missing = sdownMissing(events, input.faulted, ctx.faultFrom);
      if (missing.length) return result(e, false, missing[0]!);
      const first = sinceFault(events, ctx.faultFrom).find(
        (x) => x.channel === '+sdown' && x.instanceService !== null && input.faulted.includes(x.instanceService),
      )!;
      return result(e, true, `${first.sentinel} reported +sdown ${first.instanceService} at ${signedMs(first.t)}`);
    }
    case 'one-master': {
      if (!final) return result(e, false, noFinal);
      const missing = masterMissing(final, ctx);
      const silent = final.nodes.filter((n) => !n.reachable);
      if (missing.length) return result(e, false, missing[0]!);
      if (silent.length) return result(e, false, `${silent.map((n) => n.service).join(', ')} did not answer, so a second master cannot be ruled out`);
      return result(e, true, `${master} is the only master`);
    }
    case 'replicas-follow': {
      if (!final) return result(e, false, noFinal);
      const missing = replicasMissing(final, master, ctx);
      if (master === null) return result(e, false, 'there is no single master to follow');
      return missing.length ? result(e, false, missing.join('; ')) : result(e, true, `${final.nodes.length - 1} replica(s) of ${master}, links up`);
    }
    case 'sentinels-agree': {
      if (!final) return result(e, false, noFinal);
      const missing = sentinelsAgreeMissing(final, master, ctx);
      if (master === null) return result(e, false, 'there is no single master to agree on');
      return missing.length ? result(e, false, missing.join('; ')) : result(e, true, `all ${final.sentinels.length} sentinels name ${master}`);
    }
    case 'old-master-replica': {
      if (!final) return result(e, false, noFinal);
      const old = final.nodes.find((n) => n.service === ctx.initialMaster);
      const target = master ?? namedMaster(final, ctx.group);
      if (!old?.reachable) return result(e, false, `${ctx.initialMaster} does not answer`);
      if (master === ctx.initialMaster) return result(e, false, `${ctx.initialMaster} is still (or again) the master`);
      if (old.role !== 'replica') return result(e, false, `${ctx.initialMaster} has role ${old.role}, expected a replica of ${target ?? 'the new master'}`);
      if (target === null || old.masterService !== target)
        return result(e, false, `${ctx.initialMaster} replicates ${old.masterService ?? old.masterAddress}, not ${target ?? 'the new master'}`);
      if (old.link !== 'up') return result(e, false, `${ctx.initialMaster} replicates ${target} but the link is down`);
      return result(e, true, `${ctx.initialMaster} is a replica of ${target}, link up`);
    }
    case 'no-lost-writes': {
      const check = input.writes?.check;
      if (!check) return result(e, false, 'the writes were not checked');
      if (check.error) return result(e, false, `the writes could not be checked: ${check.error}`);
      const acked = input.writes!.stats.acked;
      if (check.lost.length) {
        return result(e, false, `${check.lost.length} of ${acked} acknowledged writes are missing on ${check.checkedOn}: seq ${summarizeSeqs(check.lost)}`);
      }
      return result(e, true, `all ${acked} acknowledged writes are on ${check.checkedOn}`);
    }
    case 'writes-resumed': {
      const w = input.writes;
      if (!w) return result(e, false, 'no write load ran');
      const stats = w.stats;
      const last = stats.windows[stats.windows.length - 1];
      if (last && last.endMs === null) return result(e, false, `writes stopped at +${Math.round(last.startMs)} ms and never came back`);
      if (stats.acked === 0) return result(e, false, 'no write was ever acknowledged');
      return result(e, true, stats.outage ? `writes back after ${Math.round(stats.outage.durationMs)} ms` : 'writes never stopped');
    }
    case 'partition-loss':
      return partitionLoss(e, input);
    case 'minority-no-odown':
      return minorityNoOdown(e, input);
  }
}

/**
 * Bounded by min-replicas-to-write, the loss must stay within Redis's bound (a failure
 * otherwise); without it, the loss is shown as a warning that names the setting (the user asked
 * to see it, and it is what Redis documents).
 */
function partitionLoss(e: Expectation, input: JudgeInput): ExpectationResult {
  const p = input.partition;
  if (!p) return result(e, false, 'the run made no partition');
  const side = p.masterSide;
  if (side?.error) return result(e, false, `the master-side writes could not be checked: ${side.error}`);
  const check = input.writes?.check;
  if (check?.error) return result(e, false, `the writes could not be checked: ${check.error}`);
  const lost = (side?.lost.length ?? 0) + p.sentinelClientLost.length;
  if (p.boundMs !== null) {
    const past = side?.lostPastBound ?? [];
    if (past.length) {
      return result(
        e,
        false,
        `${past.length} write(s) sent more than ${p.boundMs} ms after the cut were acknowledged and lost (seq ${summarizeSeqs(past)}): min-replicas-to-write ${p.minReplicasToWrite} did not bound the loss`,
      );
    }
    return result(e, true, `${lost} acknowledged write(s) lost, all sent within ${p.boundMs} ms of the cut: ${p.note}`);
  }
  return { check: e.check, severity: 'warn', passed: lost === 0, message: lost === 0 ? `no acknowledged write lost: ${p.note}` : p.note };
}

/** The cut-off sentinels saw the master down (+sdown) and, with a majority quorum, never +odown. */
function minorityNoOdown(e: Expectation, input: JudgeInput): ExpectationResult {
  const p = input.partition;
  if (!p) return result(e, false, 'the run made no partition');
  const cut = p.isolated.filter((s) => input.ctx.sentinels.includes(s));
  if (!cut.length) return result(e, false, 'no sentinel was cut off');
  const ev = sinceFault(input.events, input.ctx.faultFrom).filter((x) => cut.includes(x.sentinel) && x.parsed.group === input.ctx.group);
  const master = input.ctx.initialMaster;
  const sdown = ev.find((x) => x.channel === '+sdown' && x.instanceService === master);
  const odown = ev.find((x) => x.channel === '+odown');
  const majority = Math.floor(input.ctx.sentinels.length / 2) + 1;
  const quorum = input.quorum ?? majority;
  if (!sdown) return result(e, false, `${cut.join(', ')} never reported +sdown for ${master} while cut off`);
  const sawSdown = `${sdown.sentinel} reported +sdown ${master} at ${signedMs(sdown.t)}`;
  if (quorum >= majority) {
    if (odown) return result(e, false, `${odown.sentinel} reached +odown at ${signedMs(odown.t)} although quorum ${quorum} needs sentinels it cannot reach`);
    return result(e, true, `${sawSdown} and never +odown (quorum ${quorum} of ${input.ctx.sentinels.length})`);
  }
  const tried = ev.find((x) => x.channel === '+try-failover');
  const elected = ev.find((x) => x.channel === '+elected-leader');
  return result(
    e,
    true,
    `quorum ${quorum} is below a majority (${majority}): ${sawSdown}${odown ? `, +odown at ${signedMs(odown.t)}` : ', no +odown'}` +
      `${tried ? `, +try-failover at ${signedMs(tried.t)}` : ''}; ${elected ? `it was elected leader at ${signedMs(elected.t)}` : 'it could not be elected leader (a majority must vote), so the majority side never accepted its failover'}`,
  );
}

/** `1-3, 7, 9-12` for a sorted list of sequence numbers. */
export function summarizeSeqs(seqs: readonly number[], max = 12): string {
  const sorted = [...seqs].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')}, ... (${ranges.length - max} more ranges)` : ranges.join(', ');
}

export function expectationPassed(r: ExpectationResult): boolean {
  return r.passed || r.severity === 'warn';
}

export const CHECK_TITLES: Record<Check, string> = {
  'failover-happened': 'a replica was promoted',
  'no-failover': 'no failover',
  'fault-detected': 'the fault was detected (+sdown)',
  'one-master': 'exactly one master',
  'replicas-follow': 'every replica follows it, link up',
  'sentinels-agree': 'every sentinel names it',
  'old-master-replica': 'the old master is back as a replica',
  'no-lost-writes': 'no acknowledged write lost',
  'writes-resumed': 'writes resumed',
  'partition-loss': 'writes lost to the partition, and Redis bounds the loss',
  'minority-no-odown': 'cut-off sentinels see +sdown, never +odown',
};

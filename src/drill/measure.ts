/**
 * The failover story in numbers, read from the sentinels' events: who noticed first, who was
 * elected with whose votes, which replica was promoted, when every sentinel switched. Times are
 * ms since the fault, as received by the recorder.
 */
import { sinceFault, type GroupContext, type RunEvent } from './checks.js';
import { parseVote } from './events.js';
import type { Measurements, Vote } from './types.js';

export interface RejoinTrack {
  service: string;
  healedAt: number;
  rejoinedAt: number | null;
  as: 'replica' | 'master' | null;
  /** A master displaced by SENTINEL FAILOVER is back only once it follows the new one. */
  replicaOnly?: boolean;
}

export interface MeasureInput {
  ctx: GroupContext;
  events: readonly RunEvent[];
  faulted: readonly string[];
  rejoins: readonly RejoinTrack[];
  finalMaster: string | null;
  sentinelById: (id: string) => string | null;
}

function first(events: readonly RunEvent[], pred: (e: RunEvent) => boolean): RunEvent | null {
  return events.find(pred) ?? null;
}

export function measure(input: MeasureInput): Measurements {
  const { ctx, faulted } = input;
  // Only what happened since the fault step began (see GroupContext.faultFrom), for this group
  // (or naming no group: epochs, votes, TILT).
  const ev = sinceFault(input.events, ctx.faultFrom).filter((e) => e.parsed.group === null || e.parsed.group === ctx.group);
  const onMaster = (e: RunEvent) => e.parsed.instance?.type === 'master' && e.parsed.group === ctx.group;

  const sdowns = ev.filter((e) => e.channel === '+sdown' && e.instanceService !== null && faulted.includes(e.instanceService));
  const perSentinel = new Map<string, number>();
  for (const e of sdowns) if (!perSentinel.has(e.sentinel)) perSentinel.set(e.sentinel, e.t);
  const detection = sdowns.length
    ? { t: sdowns[0]!.t, sentinel: sdowns[0]!.sentinel, all: [...perSentinel.entries()].map(([sentinel, t]) => ({ sentinel, t })) }
    : null;

  const odownEv = first(ev, (e) => e.channel === '+odown' && onMaster(e));
  const quorum = odownEv ? (/#quorum\s+(\S+)/.exec(odownEv.parsed.extra)?.[1] ?? null) : null;

  const tryEv = first(ev, (e) => e.channel === '+try-failover' && onMaster(e));
  const epochEv = tryEv ? first(ev, (e) => e.channel === '+new-epoch' && e.sentinel === tryEv.sentinel && e.t <= tryEv.t + 1) : null;

  const votes: Vote[] = [];
  for (const e of ev) {
    if (e.channel !== '+vote-for-leader') continue;
    const v = parseVote(e.message);
    if (v) votes.push({ voter: e.sentinel, candidate: input.sentinelById(v.runId) ?? v.runId, epoch: v.epoch, t: e.t });
  }

  const electedEv = first(ev, (e) => e.channel === '+elected-leader' && onMaster(e));
  const selectedEv = first(ev, (e) => e.channel === '+selected-slave' && e.parsed.group === ctx.group);
  const promotedEv = first(ev, (e) => e.channel === '+promoted-slave' && e.parsed.group === ctx.group);

  const switches = ev.filter((e) => e.channel === '+switch-master' && e.parsed.group === ctx.group);
  const switchPer = new Map<string, number>();
  for (const e of switches) if (!switchPer.has(e.sentinel)) switchPer.set(e.sentinel, e.t);
  const switchMaster = switches.length
    ? {
        first: switches[0]!.t,
        last: Math.max(...switchPer.values()),
        sentinels: [...switchPer.entries()].map(([sentinel, t]) => ({ sentinel, t })),
        to: switches[switches.length - 1]!.switchedTo ?? switches[switches.length - 1]!.parsed.extra,
      }
    : null;

  const endEv = first(ev, (e) => e.channel === '+failover-end' && onMaster(e));
  const aborts = ev.filter((e) => e.channel.startsWith('-failover-abort')).map((e) => ({ t: e.t, sentinel: e.sentinel, channel: e.channel }));
  const tilts = input.events.filter((e) => e.channel === '+tilt' || e.channel === '-tilt').map((e) => ({ t: e.t, sentinel: e.sentinel, channel: e.channel }));
  const converted = first(ev, (e) => e.channel === '+convert-to-slave' && e.instanceService === ctx.initialMaster);

  return {
    initialMaster: ctx.initialMaster,
    finalMaster: input.finalMaster,
    detection,
    odown: odownEv ? { t: odownEv.t, sentinel: odownEv.sentinel, quorum } : null,
    tryFailover: tryEv ? { t: tryEv.t, sentinel: tryEv.sentinel, epoch: epochEv ? Number(epochEv.message.trim()) || null : null } : null,
    votes,
    elected: electedEv ? { t: electedEv.t, sentinel: electedEv.sentinel } : null,
    selected: selectedEv ? { t: selectedEv.t, service: selectedEv.instanceService ?? selectedEv.parsed.instance?.addr ?? '?' } : null,
    promoted: promotedEv ? { t: promotedEv.t, service: promotedEv.instanceService ?? promotedEv.parsed.instance?.addr ?? '?' } : null,
    switchMaster,
    failoverEnd: endEv ? { t: endEv.t, sentinel: endEv.sentinel } : null,
    aborts,
    tilts,
    rejoins: input.rejoins.map((r) => ({
      service: r.service,
      healedAt: r.healedAt,
      rejoinedAt: r.rejoinedAt,
      sinceHealMs: r.rejoinedAt === null ? null : r.rejoinedAt - r.healedAt,
      as: r.as,
    })),
    convertedAt: converted ? converted.t : null,
  };
}

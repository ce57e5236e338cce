/**
 * What every report format says about a run, computed once: the timeline (sentinel events, the
 * drill's own steps, and what the client saw, in ms since the fault) and the measured numbers.
 * The formats only lay these out.
 */
import type { DrillReport, ExpectationResult, Measurements, RunReport } from '../types.js';

export interface TimelineEntry {
  t: number;
  /** A sentinel's service, `drill` for steps, `client` for the load's milestones. */
  who: string;
  what: string;
  note?: string;
  kind: 'event' | 'step' | 'client';
}

export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return `${Math.round(x)} ms`;
}

export function secs(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return `${(x / 1000).toFixed(1)} s`;
}

export function timeline(run: RunReport): TimelineEntry[] {
  const out: TimelineEntry[] = run.events.map((e) => ({
    t: e.t,
    who: e.sentinel,
    what: `${e.channel} ${e.message}`.trim(),
    ...(e.note ? { note: e.note } : {}),
    kind: 'event' as const,
  }));
  for (const s of run.steps) {
    if (s.label.startsWith('wait') || s.label.startsWith('hold')) continue;
    // A step is in place when the runtime call returns (docker-compose takes seconds to start).
    const took = s.endedAt - s.startedAt;
    out.push({
      t: s.endedAt,
      who: 'drill',
      what: s.services.length ? `${s.label.split(' ')[0]} ${s.services.join(', ')}` : s.label,
      ...(took > 250 ? { note: `the runtime took ${Math.round(took)} ms` } : {}),
      kind: 'step',
    });
  }
  const w = run.writes?.stats;
  for (const win of w?.windows ?? []) {
    out.push({ t: win.startMs, who: 'client', what: 'writes stall (first write failed or blocked)', kind: 'client' });
    if (win.endMs !== null) out.push({ t: win.endMs, who: 'client', what: `writes acknowledged again after ${ms(win.durationMs)}`, kind: 'client' });
  }
  for (const r of run.measurements?.rejoins ?? []) {
    if (r.rejoinedAt !== null) {
      out.push({
        t: r.rejoinedAt,
        who: 'drill',
        what: `${r.service} back as ${r.as} (${r.as === 'replica' ? 'link up' : 'replicas following'})`,
        kind: 'step',
      });
    }
  }
  // Stable: events keep their arrival order among equal times.
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

export interface Figure {
  label: string;
  value: string;
  detail?: string;
}

function votesText(m: Measurements): string | undefined {
  if (!m.votes.length) return undefined;
  const epoch = m.tryFailover?.epoch ?? Math.max(...m.votes.map((v) => v.epoch));
  return m.votes
    .filter((v) => v.epoch === epoch)
    .map((v) => `${v.voter} -> ${v.candidate}`)
    .join(', ');
}

/** The measured numbers, in the order the story happens. */
export function figures(run: RunReport): Figure[] {
  const m = run.measurements;
  const out: Figure[] = [];
  if (m) {
    if (m.detection) {
      const spread = m.detection.all.length > 1 ? Math.max(...m.detection.all.map((d) => d.t)) - m.detection.t : 0;
      out.push({
        label: 'detected (+sdown)',
        value: ms(m.detection.t),
        detail: `first by ${m.detection.sentinel}${m.detection.all.length > 1 ? `; ${m.detection.all.length} sentinels within ${ms(spread)}` : ''}`,
      });
    }
    if (m.odown)
      out.push({
        label: 'objectively down (+odown)',
        value: ms(m.odown.t),
        detail: `${m.odown.sentinel}${m.odown.quorum ? `, quorum ${m.odown.quorum}` : ''}`,
      });
    if (m.elected) {
      const votes = votesText(m);
      out.push({
        label: 'leader elected',
        value: ms(m.elected.t),
        detail: `${m.elected.sentinel}${m.tryFailover?.epoch ? `, epoch ${m.tryFailover.epoch}` : ''}${votes ? `; votes: ${votes}` : ''}`,
      });
    } else if (m.tryFailover) {
      out.push({ label: 'failover attempted', value: ms(m.tryFailover.t), detail: `${m.tryFailover.sentinel}; no leader elected` });
    }
    if (m.selected) out.push({ label: 'replica selected', value: ms(m.selected.t), detail: m.selected.service });
    if (m.promoted) out.push({ label: 'replica promoted', value: ms(m.promoted.t), detail: m.promoted.service });
    if (m.switchMaster) {
      out.push({
        label: '+switch-master',
        value: ms(m.switchMaster.first),
        detail: `first; all ${m.switchMaster.sentinels.length} at ${ms(m.switchMaster.last)}; new master ${m.switchMaster.to ?? '?'}`,
      });
    }
    if (m.failoverEnd) out.push({ label: 'failover end', value: ms(m.failoverEnd.t), detail: m.failoverEnd.sentinel });
    for (const a of m.aborts) out.push({ label: 'failover aborted', value: ms(a.t), detail: `${a.sentinel} ${a.channel}` });
    if (m.tilts.length)
      out.push({
        label: 'TILT',
        value: `${m.tilts.filter((x) => x.channel === '+tilt').length}x`,
        detail: m.tilts.map((x) => `${x.sentinel} ${x.channel} at ${ms(x.t)}`).join(', '),
      });
  }
  const w = run.writes;
  if (w) {
    const s = w.stats;
    const errs = s.errors.map((e) => `${e.message} x${e.count}`).join(', ');
    out.push({
      label: 'write outage',
      value: s.outage ? ms(s.outage.durationMs) : 'none',
      detail: s.outage
        ? `from ${ms(s.outage.startMs)} to ${s.outage.endMs === null ? 'the end of the run (never recovered)' : ms(s.outage.endMs)}${s.windows.length > 1 ? `; ${s.windows.length} windows, ${ms(s.windows.reduce((a, x) => a + x.durationMs, 0))} in all` : ''}`
        : 'every write acknowledged promptly',
    });
    const c = w.check;
    out.push({
      label: 'writes',
      value: `${s.acked}/${s.issued} acked`,
      detail: [
        `${s.failed} failed${errs ? ` (${errs})` : ''}`,
        s.pending ? `${s.pending} never answered` : '',
        c ? (c.error ? `not checked: ${c.error}` : `${c.lost.length} acknowledged write(s) lost`) : 'not checked',
        c && c.appliedDespiteError.length ? `${c.appliedDespiteError.length} failed but applied anyway` : '',
        c && c.duplicates.length ? `${c.duplicates.length} applied twice` : '',
        w.clientRestarts ? `ioredis gave up its connection ${w.clientRestarts}x and was reconnected by the drill` : '',
      ]
        .filter(Boolean)
        .join('; '),
    });
    out.push({
      label: 'write latency',
      value: `p50 ${fmtLat(s.latencyMs.p50)}`,
      detail: `p99 ${fmtLat(s.latencyMs.p99)}, max ${fmtLat(s.latencyMs.max)}; before the fault p50 ${fmtLat(s.latencyMs.baselineP50)}`,
    });
  }
  const r = run.reads;
  if (r) {
    out.push({
      label: 'reads (replicas)',
      value: `${r.stats.acked}/${r.stats.issued} ok`,
      detail: r.stats.outage ? `outage ${ms(r.stats.outage.durationMs)} from ${ms(r.stats.outage.startMs)}` : 'no outage',
    });
  }
  for (const j of m?.rejoins ?? []) {
    const label = j.service === m?.initialMaster ? 'old master rejoined' : `${j.service} rejoined`;
    out.push({
      label,
      value: j.rejoinedAt === null ? 'no' : ms(j.rejoinedAt),
      detail:
        j.rejoinedAt === null
          ? `not back by the end of the run (healed at ${ms(j.healedAt)})`
          : `${secs(j.sinceHealMs)} after it was ${j.service === m?.initialMaster && !run.steps.some((s) => s.mark === 'heal') ? 'displaced' : 'brought back'}, as ${j.as}${j.service === m?.initialMaster && m?.convertedAt !== null && m?.convertedAt !== undefined ? `; +convert-to-slave at ${ms(m.convertedAt)}` : ''}`,
    });
  }
  return out;
}

function fmtLat(x: number | null): string {
  if (x === null) return '-';
  return x < 10 ? `${x.toFixed(2)} ms` : `${Math.round(x)} ms`;
}

/** One line for lists and JUnit names. */
export function headline(run: RunReport): string {
  return `${run.scenario} @ ${run.group}`;
}

/** How an expectation's verdict is shown: ok, warn, FAIL, or not reached (an interrupted run). */
export function expectationMark(e: ExpectationResult): 'ok' | 'warn' | 'FAIL' | 'not reached' {
  if (e.passed) return 'ok';
  if (e.notReached) return 'not reached';
  return e.severity === 'warn' ? 'warn' : 'FAIL';
}

/** "3 run(s): 2 passed, 1 failed, 0 skipped", with interrupted runs when there are any. */
export function countsText(report: DrillReport): string {
  const { passed, failed, skipped, interrupted } = report.counts;
  return `${report.runs.length} run(s): ${passed} passed, ${failed} failed, ${skipped} skipped${interrupted ? `, ${interrupted} interrupted` : ''}`;
}

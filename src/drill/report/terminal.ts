/** The terminal summary: per run, a timeline like a sentinel log, the numbers, the verdicts. */
import type { ChalkInstance } from 'chalk';
import { CHECK_TITLES, summarizeSeqs } from '../checks.js';
import type { DrillReport, RunReport } from '../types.js';
import { countsText, expectationMark, figures, headline, timeline } from './story.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function statusText(run: RunReport, c: ChalkInstance): string {
  if (run.status === 'passed') return c.green('PASSED');
  if (run.status === 'skipped') return c.yellow('SKIPPED');
  if (run.status === 'interrupted') return c.yellow('INTERRUPTED');
  return c.red('FAILED');
}

function wallClock(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(11, 23)} UTC`;
}

export function renderRun(run: RunReport, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(`${c.bold(headline(run))}  ${statusText(run, c)}  ${c.dim(`(${(run.durationMs / 1000).toFixed(1)} s)`)}`);
  lines.push(c.dim(`  ${run.summary}`));
  if (run.status === 'skipped') {
    lines.push(`  skipped: ${run.reason ?? ''}`);
    return lines.join('\n');
  }
  if (run.reason) lines.push(c.red(`  stopped: ${run.reason.split('\n').join('\n    ')}`));
  if (run.faultWallTime !== null) {
    const fault = run.steps.find((s) => s.mark === 'fault');
    lines.push(`  t = 0: ${fault ? `${fault.label.split(' ')[0]} ${fault.services.join(', ')} in place` : 'the fault'} at ${wallClock(run.faultWallTime)}`);
  }
  const tl = timeline(run);
  if (tl.length) {
    lines.push('');
    lines.push(c.bold('  timeline') + c.dim(' (ms since the fault; sentinel events as received)'));
    const whoWidth = Math.max(6, ...tl.map((e) => e.who.length));
    for (const e of tl) {
      const t = padStart(String(Math.round(e.t)), 7);
      const who = pad(e.who, whoWidth);
      const what = e.kind === 'step' ? c.cyan(e.what) : e.kind === 'client' ? c.magenta(e.what) : e.what;
      lines.push(`  ${t}  ${c.dim(who)}  ${what}${e.note ? c.dim(`  (${e.note})`) : ''}`);
    }
  }
  const figs = figures(run);
  if (figs.length) {
    lines.push('');
    lines.push(c.bold('  measured'));
    const w = Math.max(...figs.map((f) => f.label.length));
    const vw = Math.max(...figs.map((f) => f.value.length));
    for (const f of figs) lines.push(`    ${pad(f.label, w)}  ${c.bold(padStart(f.value, vw))}  ${c.dim(f.detail ?? '')}`.trimEnd());
  }
  const pr = run.partition;
  if (pr) {
    lines.push('');
    lines.push(
      c.bold('  partition') + c.dim(` (${pr.isolated.join(', ')} cut off; healed at ${pr.healedAt === null ? '-' : `${Math.round(pr.healedAt)} ms`})`),
    );
    const m = pr.masterSide;
    if (m) {
      lines.push(
        `    old master acknowledged  ${c.bold(m.ackWindow ? `${Math.round(m.ackWindow.startMs)} .. ${Math.round(m.ackWindow.endMs)} ms` : 'nothing')} after the cut`,
      );
      lines.push(`    its client after the cut ${m.issuedAfterCut} issued, ${m.ackedAfterCut} acknowledged, ${m.failedAfterCut} failed`);
      lines.push(`    acknowledged writes lost ${c.bold(String(m.lost.length))}${m.lost.length ? c.dim(` (seq ${summarizeSeqs(m.lost)})`) : ''}`);
    }
    lines.push(`    ${c.dim(pr.note)}`);
  }
  if (run.expectations.length) {
    lines.push('');
    lines.push(c.bold('  expectations'));
    const w = Math.max(...run.expectations.map((e) => CHECK_TITLES[e.check].length));
    const mw = Math.max(...run.expectations.map((e) => expectationMark(e).length));
    const paint = { ok: c.green, warn: c.yellow, FAIL: c.red, 'not reached': c.dim };
    for (const e of run.expectations) {
      const m = expectationMark(e);
      lines.push(`    ${paint[m](pad(m, mw))}  ${pad(CHECK_TITLES[e.check], w)}  ${c.dim(e.notReached ? '' : e.message)}`.trimEnd());
    }
  }
  return lines.join('\n');
}

export function renderTerminal(report: DrillReport, c: ChalkInstance): string {
  const parts = report.runs.map((r) => renderRun(r, c));
  const total = countsText(report);
  const verdict = report.passed
    ? c.green(`drill passed: ${total}`)
    : report.counts.interrupted
      ? c.yellow(`drill interrupted: ${total}`)
      : c.red(`drill failed: ${total}`);
  const opts = report.options;
  const context = c.dim(
    `${report.project} on ${report.runtime} (${report.runtime === 'swarm' ? 'overlay' : report.network} network), sentinels: ${report.sentinelImplementation}; ` +
      `load ${opts.rate} writes/s and ${opts.readRate} reads/s through ioredis (Sentinel mode), command timeout ${opts.commandTimeoutMs || 'none'} ms`,
  );
  return [...parts, '', context, verdict].join('\n\n').replace(/\n\n\n+/g, '\n\n') + '\n';
}

/**
 * A self-contained HTML page (inline CSS and SVG, no scripts, no external assets) that can be
 * attached to a CI run: per run, write latency against time with the outage shaded and the
 * sentinel events and drill steps drawn as markers, then the numbers, verdicts and the timeline.
 */
import { CHECK_TITLES, summarizeSeqs } from '../checks.js';
import type { DrillReport, OpSample, RunReport } from '../types.js';
import { countsText, expectationMark, figures, headline, timeline } from './story.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const KEY_EVENTS: Record<string, string> = {
  '+sdown': '#b45309',
  '+odown': '#c2410c',
  '+elected-leader': '#7c3aed',
  '+promoted-slave': '#2563eb',
  '+switch-master': '#0891b2',
  '+failover-end': '#0f766e',
  '+convert-to-slave': '#4d7c0f',
  '-failover-abort-not-elected': '#dc2626',
  '+tilt': '#dc2626',
};

interface Marker {
  t: number;
  label: string;
  color: string;
  title: string;
  dashed: boolean;
}

function markers(run: RunReport): Marker[] {
  const out: Marker[] = [];
  const seen = new Set<string>();
  for (const e of run.events) {
    if (e.t < 0) continue;
    const color = KEY_EVENTS[e.channel];
    if (!color || seen.has(e.channel)) continue;
    // +sdown for replicas and sentinels is noise here; the faulted node's is what matters.
    if (e.channel === '+sdown' && run.measurements?.detection && Math.abs(e.t - run.measurements.detection.t) > 0.5) continue;
    seen.add(e.channel);
    out.push({ t: e.t, label: e.channel, color, title: `${Math.round(e.t)} ms ${e.sentinel}: ${e.channel} ${e.message}`, dashed: true });
  }
  for (const s of run.steps) {
    if (s.label.startsWith('wait') || s.label.startsWith('hold')) continue;
    const label = `${s.label.split(' ')[0]} ${s.services.join(', ')}`.trim();
    out.push({
      t: s.endedAt,
      label,
      color: '#111827',
      title: `${Math.round(s.endedAt)} ms drill: ${label} (the runtime took ${Math.round(s.endedAt - s.startedAt)} ms)`,
      dashed: false,
    });
  }
  for (const r of run.measurements?.rejoins ?? []) {
    if (r.rejoinedAt !== null)
      out.push({
        t: r.rejoinedAt,
        label: `${r.service} back`,
        color: '#15803d',
        title: `${Math.round(r.rejoinedAt)} ms ${r.service} back as ${r.as}`,
        dashed: false,
      });
  }
  return out.sort((a, b) => a.t - b.t);
}

function niceStep(range: number, target: number): number {
  const raw = range / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function f(n: number): string {
  return n.toFixed(1);
}

export function chartSvg(run: RunReport): string {
  const writes = run.writes?.samples ?? [];
  const reads = run.reads?.samples ?? [];
  const marks = markers(run);
  const W = 1000;
  const H = 400;
  const L = 64;
  const R = 16;
  const T = 120;
  const B = 40;
  const band = 16; // the "failed" strip above the plot
  const side = run.partition?.masterSide?.samples ?? [];
  const times = [...writes, ...reads, ...side].flatMap((s) => [s.issuedAt, s.settledAt ?? s.issuedAt]).concat(marks.map((m) => m.t));
  if (times.length === 0) return '<p class="muted">No load samples for this run.</p>';
  const x0 = Math.min(...times);
  const x1 = Math.max(...times, x0 + 1000);
  const lat = (s: OpSample) => (s.ok && s.settledAt !== null ? Math.max(0.05, s.settledAt - s.issuedAt) : null);
  const maxLat = Math.max(1, ...writes.map((s) => lat(s) ?? 0), ...reads.map((s) => lat(s) ?? 0), ...side.map((s) => lat(s) ?? 0));
  const yMinExp = -1;
  const yMaxExp = Math.max(2, Math.ceil(Math.log10(maxLat * 1.2)));
  const plotTop = T + band + 6;
  const plotH = H - plotTop - B;
  const X = (t: number) => L + ((t - x0) / (x1 - x0)) * (W - L - R);
  const Y = (ms: number) => plotTop + plotH - ((Math.log10(Math.max(ms, 10 ** yMinExp)) - yMinExp) / (yMaxExp - yMinExp)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(`write latency and sentinel events, ${headline(run)}`)}">`,
  );
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  // Outage windows.
  for (const w of run.writes?.stats.windows ?? []) {
    const xe = X(w.endMs ?? x1);
    parts.push(
      `<rect x="${f(X(w.startMs))}" y="${T}" width="${f(Math.max(1, xe - X(w.startMs)))}" height="${H - T - B}" fill="#dc2626" fill-opacity="0.10"><title>${esc(`write outage ${Math.round(w.durationMs)} ms (${Math.round(w.startMs)} .. ${w.endMs === null ? 'end' : Math.round(w.endMs)} ms)`)}</title></rect>`,
    );
  }
  // The partition: from the first rule to the heal.
  const p = run.partition;
  if (p) {
    const xs = X(p.cutFrom);
    const xe = X(p.healedAt ?? x1);
    parts.push(
      `<rect x="${f(xs)}" y="${T}" width="${f(Math.max(1, xe - xs))}" height="${H - T - B}" fill="#7c3aed" fill-opacity="0.07" stroke="#7c3aed" stroke-opacity="0.4" stroke-dasharray="2 3"><title>${esc(`partition: ${p.isolated.join(', ')} cut off from ${Math.round(p.cutFrom)} to ${p.healedAt === null ? 'the end' : Math.round(p.healedAt)} ms`)}</title></rect>`,
    );
    const ack = p.masterSide?.ackWindow;
    if (ack) {
      parts.push(
        `<rect x="${f(X(ack.startMs))}" y="${H - B - 6}" width="${f(Math.max(1, X(ack.endMs) - X(ack.startMs)))}" height="6" fill="#ea580c"><title>${esc(`${p.masterSide!.service} acknowledged writes from ${Math.round(ack.startMs)} to ${Math.round(ack.endMs)} ms after the cut`)}</title></rect>`,
      );
    }
  }
  // Y grid and labels.
  for (let e = yMinExp; e <= yMaxExp; e++) {
    const y = Y(10 ** e);
    const label = e < 0 ? `0.${'0'.repeat(-e - 1)}1` : e < 3 ? String(10 ** e) : `${10 ** (e - 3)} s`;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${f(y)}" y2="${f(y)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${L - 6}" y="${f(y + 4)}" text-anchor="end" class="ax">${label}${e < 3 ? ' ms' : ''}</text>`);
  }
  // X ticks (seconds since the fault).
  const step = niceStep(x1 - x0, 10);
  for (let t = Math.ceil(x0 / step) * step; t <= x1; t += step) {
    const x = X(t);
    parts.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${plotTop + plotH}" y2="${plotTop + plotH + 5}" stroke="#6b7280"/>`);
    parts.push(`<text x="${f(x)}" y="${plotTop + plotH + 18}" text-anchor="middle" class="ax">${(t / 1000).toFixed(step < 1000 ? 1 : 0)} s</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" class="ax">time since the fault</text>`);
  parts.push(`<text x="14" y="${plotTop + plotH / 2}" text-anchor="middle" class="ax" transform="rotate(-90 14 ${plotTop + plotH / 2})">latency (log)</text>`);
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${band}" fill="#f9fafb" stroke="#e5e7eb"/>`);
  parts.push(`<text x="${L - 6}" y="${T + 12}" text-anchor="end" class="ax">failed</text>`);
  parts.push(`<rect x="${L}" y="${plotTop}" width="${W - L - R}" height="${plotH}" fill="none" stroke="#9ca3af"/>`);
  // Markers: labels laid out in lanes above the plot so that close events stay readable.
  const lanes: number[] = [];
  const laneH = 14;
  const maxLanes = Math.floor((T - 8) / laneH);
  for (const m of marks) {
    const x = X(m.t);
    const width = m.label.length * 6.3 + 6;
    const rightAligned = x + width > W - R;
    const left = rightAligned ? x - width : x;
    let lane = lanes.findIndex((end) => end < left);
    if (lane < 0) lane = lanes.length < maxLanes ? lanes.length : lanes.indexOf(Math.min(...lanes));
    lanes[lane] = left + width;
    const ly = T - 6 - lane * laneH;
    parts.push(
      `<g><title>${esc(m.title)}</title><line x1="${f(x)}" x2="${f(x)}" y1="${ly - 10}" y2="${plotTop + plotH}" stroke="${m.color}" stroke-width="1.2"${m.dashed ? ' stroke-dasharray="4 3"' : ''}/>` +
        `<text x="${f(rightAligned ? x - 3 : x + 3)}" y="${ly}"${rightAligned ? ' text-anchor="end"' : ''} fill="${m.color}" class="mk">${esc(m.label)}</text></g>`,
    );
  }
  // Reads (lighter) under writes.
  const dots = (samples: readonly OpSample[], color: string, r: number, opacity: number) => {
    const d: string[] = [];
    for (const s of samples) {
      const l = lat(s);
      if (l === null) continue;
      d.push(`M${f(X(s.issuedAt) - r)},${f(Y(l))}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 -${2 * r},0`);
    }
    return d.length ? `<path d="${d.join('')}" fill="${color}" fill-opacity="${opacity}"/>` : '';
  };
  parts.push(dots(reads, '#16a34a', 1.3, 0.45));
  parts.push(dots(writes, '#1d4ed8', 1.6, 0.8));
  if (side.length) parts.push(dots(side, '#ea580c', 1.4, 0.7));
  // Acknowledged writes the final master does not have: a red cross each, where it was acknowledged.
  const lostSeqs = [
    ...(p?.masterSide?.lost ?? []).map((q) => side.find((s) => s.seq === q)),
    ...(run.writes?.check?.lost ?? []).map((q) => writes.find((s) => s.seq === q)),
  ];
  const lost = lostSeqs.filter((s): s is OpSample => s !== undefined && lat(s) !== null);
  if (lost.length) {
    const d = lost.map((s) => `M${f(X(s.issuedAt) - 3)},${f(Y(lat(s)!) - 3)}l6,6m0,-6l-6,6`).join('');
    parts.push(`<path d="${d}" stroke="#dc2626" stroke-width="1.4"><title>${lost.length} acknowledged writes lost</title></path>`);
  }
  const fails = writes.filter((s) => !s.ok);
  if (fails.length) {
    const d = fails.map((s) => `M${f(X(s.issuedAt))},${T + 2}v${band - 4}`).join('');
    parts.push(`<path d="${d}" stroke="${'#dc2626'}" stroke-width="1.2"><title>${fails.length} failed writes</title></path>`);
  }
  // Legend.
  if (p) {
    const px = L;
    parts.push(
      `<g class="ax"><rect x="${px}" y="${H - 15}" width="10" height="10" fill="#7c3aed" fill-opacity="0.2"/><text x="${px + 14}" y="${H - 6}">partition</text>` +
        (side.length
          ? `<circle cx="${px + 78}" cy="${H - 10}" r="3" fill="#ea580c"/><text x="${px + 86}" y="${H - 6}">write on the old master's side</text>`
          : '') +
        `<path d="M${px + 262},${H - 13}l6,6m0,-6l-6,6" stroke="#dc2626" stroke-width="1.4"/><text x="${px + 274}" y="${H - 6}">lost</text></g>`,
    );
  }
  const lx = W - R - 330;
  parts.push(
    `<g class="ax"><circle cx="${lx}" cy="${H - 10}" r="3" fill="#1d4ed8"/><text x="${lx + 8}" y="${H - 6}">write (ioredis via sentinels)</text>` +
      `<circle cx="${lx + 170}" cy="${H - 10}" r="3" fill="#16a34a" fill-opacity="0.6"/><text x="${lx + 178}" y="${H - 6}">read (replica)</text>` +
      `<rect x="${lx + 262}" y="${H - 15}" width="10" height="10" fill="#dc2626" fill-opacity="0.2"/><text x="${lx + 276}" y="${H - 6}">outage</text></g>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}

function runSection(run: RunReport, i: number): string {
  const status = `<span class="st ${run.status}">${run.status.toUpperCase()}</span>`;
  const out: string[] = [];
  out.push(`<section id="run-${i}"><h2>${esc(headline(run))} ${status} <small>${(run.durationMs / 1000).toFixed(1)} s</small></h2>`);
  out.push(`<p class="muted">${esc(run.summary)}</p>`);
  if (run.reason) out.push(`<pre class="reason">${esc(run.reason)}</pre>`);
  if (run.status === 'skipped') return out.concat('</section>').join('\n');
  out.push(`<div class="chart">${chartSvg(run)}</div>`);
  if (run.partition) {
    const pr = run.partition;
    const m = pr.masterSide;
    out.push('<h3>Partition</h3><table class="kv"><tbody>');
    out.push(`<tr><th>cut off</th><td>${esc(pr.isolated.join(', '))}</td></tr>`);
    out.push(`<tr><th>healed at</th><td class="num">${pr.healedAt === null ? '-' : `${Math.round(pr.healedAt)} ms`}</td></tr>`);
    out.push(`<tr><th>min-replicas-to-write</th><td class="num">${pr.minReplicasToWrite} (max-lag ${pr.minReplicasMaxLagMs / 1000} s)</td></tr>`);
    if (m) {
      out.push(
        `<tr><th>old master acknowledged</th><td class="num">${m.ackWindow ? `${Math.round(m.ackWindow.startMs)} .. ${Math.round(m.ackWindow.endMs)} ms after the cut` : 'nothing after the cut'}</td></tr>`,
      );
      out.push(
        `<tr><th>its client after the cut</th><td class="num">${m.issuedAfterCut} issued, ${m.ackedAfterCut} acknowledged, ${m.failedAfterCut} failed</td></tr>`,
      );
      out.push(`<tr><th>acknowledged writes lost</th><td class="num">${m.lost.length}${m.lost.length ? ` (seq ${esc(summarizeSeqs(m.lost))})` : ''}</td></tr>`);
    }
    out.push(`<tr><th>Sentinel client lost</th><td class="num">${pr.sentinelClientLost.length}</td></tr>`);
    out.push(`</tbody></table><p>${esc(pr.note)}</p>`);
  }
  const figs = figures(run);
  if (figs.length) {
    out.push('<h3>Measured</h3><table class="kv"><tbody>');
    for (const fg of figs) out.push(`<tr><th>${esc(fg.label)}</th><td class="num">${esc(fg.value)}</td><td class="muted">${esc(fg.detail ?? '')}</td></tr>`);
    out.push('</tbody></table>');
  }
  if (run.expectations.length) {
    out.push('<h3>Expectations</h3><table class="kv"><tbody>');
    for (const e of run.expectations) {
      const m = expectationMark(e);
      const cls = m === 'not reached' ? 'nr' : m.toLowerCase();
      out.push(`<tr class="${cls}"><td class="mark">${m}</td><th>${esc(CHECK_TITLES[e.check])}</th><td>${esc(e.message)}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  const tl = timeline(run);
  out.push(`<details${run.status === 'failed' ? ' open' : ''}><summary>Timeline (${tl.length} entries, ms since the fault)</summary><table class="tl"><tbody>`);
  for (const e of tl) {
    out.push(
      `<tr class="${e.kind}"><td class="num">${Math.round(e.t)}</td><td>${esc(e.who)}</td><td><code>${esc(e.what)}</code>${e.note ? ` <span class="muted">(${esc(e.note)})</span>` : ''}</td></tr>`,
    );
  }
  out.push('</tbody></table></details></section>');
  return out.join('\n');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1080px;padding:0 16px;color:#111827}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 4px;border-top:1px solid #e5e7eb;padding-top:16px}
h2 small{font-weight:normal;color:#6b7280;font-size:13px}h3{font-size:15px;margin:16px 0 6px}
.muted{color:#6b7280}.st{font-size:12px;padding:2px 8px;border-radius:10px;vertical-align:middle;color:#fff}
.st.passed{background:#15803d}.st.failed{background:#dc2626}.st.skipped,.st.interrupted{background:#a16207}
table{border-collapse:collapse}.kv th{text-align:left;padding:3px 12px 3px 0;font-weight:600;white-space:nowrap}
.kv td{padding:3px 12px 3px 0;vertical-align:top}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.fail td,tr.fail th{color:#b91c1c}tr.warn td,tr.warn th{color:#a16207}tr.nr td,tr.nr th{color:#6b7280}.mark{font-weight:700;width:3em;white-space:nowrap}
.tl td{padding:1px 10px 1px 0;vertical-align:top}.tl tr.step td{color:#0e7490}.tl tr.client td{color:#a21caf}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}pre.reason{background:#fef2f2;color:#991b1b;padding:8px;white-space:pre-wrap}
.chart{border:1px solid #e5e7eb;border-radius:6px;padding:4px}.ax{font-size:11px;fill:#4b5563}.mk{font-size:11px}
.overview td,.overview th{padding:2px 14px 2px 0;text-align:left}
`;

export function renderHtml(report: DrillReport): string {
  const overview = report.runs
    .map(
      (r, i) =>
        `<tr><td><a href="#run-${i}">${esc(headline(r))}</a></td><td><span class="st ${r.status}">${r.status.toUpperCase()}</span></td>` +
        `<td class="num">${r.writes?.stats.outage ? `${Math.round(r.writes.stats.outage.durationMs)} ms` : '-'}</td>` +
        `<td class="num">${r.writes?.check ? r.writes.check.lost.length : '-'}</td>` +
        `<td>${esc(r.measurements?.finalMaster ?? '')}</td></tr>`,
    )
    .join('\n');
  const o = report.options;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`drill ${report.project}: ${report.passed ? 'passed' : 'failed'}`)}</title>
<style>${CSS}</style></head><body>
<h1>Failover drill: ${esc(report.project)} <span class="st ${report.passed ? 'passed' : 'failed'}">${report.passed ? 'PASSED' : 'FAILED'}</span></h1>
<p class="muted">${esc(report.startedAt)} &middot; ${esc(report.runtime)} runtime, ${esc(report.network)} network, sentinels: ${esc(report.sentinelImplementation)} &middot;
load: ${o.rate} writes/s, ${o.readRate} reads/s through ioredis in Sentinel mode (command timeout ${o.commandTimeoutMs || 'none'} ms; a write slower than ${o.blockedAfterMs} ms counts as blocked)
&middot; ${countsText(report)}</p>
<table class="overview"><thead><tr><th>run</th><th>result</th><th>write outage</th><th>lost writes</th><th>master after</th></tr></thead><tbody>
${overview}
</tbody></table>
${report.runs.map(runSection).join('\n')}
</body></html>
`;
}

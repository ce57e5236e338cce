import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Chalk } from 'chalk';
import { afterEach, describe, expect, it } from 'vitest';
import { judge } from '../../../src/drill/checks.js';
import { loadStats } from '../../../src/drill/load-stats.js';
import { measure } from '../../../src/drill/measure.js';
import { chartSvg, renderHtml } from '../../../src/drill/report/html.js';
import { renderJUnit, xmlEscape } from '../../../src/drill/report/junit.js';
import { figures, timeline } from '../../../src/drill/report/story.js';
import { renderTerminal } from '../../../src/drill/report/terminal.js';
import { REPORT_FILES, renderJson, writeReports } from '../../../src/drill/report/write.js';
import type { DrillReport, OpSample, RunReport } from '../../../src/drill/types.js';
import { seedBook, seedEvents } from './fixtures.js';

const plain = new Chalk({ level: 0 });
const ctx = {
  group: 'mymaster',
  nodes: ['redis-master', 'redis-replica-1', 'redis-replica-2'],
  sentinels: ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'],
  initialMaster: 'redis-master',
};

/** Writes every 20 ms; those issued during the failover (0..32.2 s) fail with a timeout. */
function samples(): OpSample[] {
  const out: OpSample[] = [];
  let seq = 0;
  for (let t = -2000; t < 40_000; t += 20) {
    seq++;
    const during = t >= 0 && t < 32_200;
    out.push(during ? { seq, issuedAt: t, settledAt: t + 1000, ok: false, error: 'Command timed out' } : { seq, issuedAt: t, settledAt: t + 0.8, ok: true });
  }
  return out;
}

function seedRun(over: Partial<RunReport> = {}): RunReport {
  const book = seedBook();
  const events = seedEvents(book);
  const w = samples();
  const stats = loadStats(w, 250);
  const check = { key: 'sc-drill:x:mymaster:master-pause', checkedOn: 'redis-replica-2', lost: [], appliedDespiteError: [17, 18], duplicates: [] };
  const m = measure({
    ctx,
    events,
    faulted: ['redis-master'],
    rejoins: [{ service: 'redis-master', healedAt: 33_000, rejoinedAt: 45_500, as: 'replica' }],
    finalMaster: 'redis-replica-2',
    sentinelById: (id) => book.sentinelById(id),
  });
  const expectations = [
    judge({ check: 'failover-happened' }, { ctx, final: null, events, faulted: ['redis-master'], writes: { stats, check }, stepsEndedAt: 50_000 }),
  ];
  return {
    scenario: 'master-pause',
    summary: 'pause the master; a replica is promoted',
    group: 'mymaster',
    status: 'failed',
    faultWallTime: Date.UTC(2020, 3, 25, 8, 44, 49, 926),
    startedAt: '2020-04-25T08:44:47.000Z',
    durationMs: 52_000,
    steps: [
      { index: 0, label: 'pause the master', services: ['redis-master'], startedAt: -3700, endedAt: 0, mark: 'fault' },
      { index: 1, label: 'wait until failed-over', services: [], startedAt: 2, endedAt: 32_300 },
      { index: 2, label: 'unpause the master', services: ['redis-master'], startedAt: 33_000, endedAt: 33_001, mark: 'heal' },
    ],
    events: events.map((e) => ({
      t: e.t,
      sentinel: e.sentinel,
      channel: e.channel,
      message: e.message,
      ...(e.instanceService ? { note: e.instanceService } : {}),
    })),
    writes: { stats, check, samples: w, clientRestarts: 1 },
    reads: null,
    measurements: m,
    expectations,
    final: null,
    ...over,
  };
}

function report(runs: RunReport[]): DrillReport {
  const counts = {
    passed: runs.filter((r) => r.status === 'passed').length,
    failed: runs.filter((r) => r.status === 'failed').length,
    skipped: runs.filter((r) => r.status === 'skipped').length,
    interrupted: runs.filter((r) => r.status === 'interrupted').length,
  };
  return {
    version: 1,
    tool: 'sentinel-compose drill',
    project: 'seed <&> "quoted"',
    runtime: 'local',
    sentinelImplementation: 'redis',
    network: 'bridge',
    startedAt: '2020-04-25T08:44:47.000Z',
    durationMs: 60_000,
    options: { rate: 50, readRate: 0, commandTimeoutMs: 1000, disconnectTimeoutMs: 200, blockedAfterMs: 250, baselineMs: 2000 },
    sentinelIds: {},
    runs,
    passed: counts.failed === 0 && counts.interrupted === 0,
    counts,
  };
}

/** Stopped by SIGTERM: nothing judged. */
const interrupted: RunReport = {
  ...seedRun(),
  status: 'interrupted',
  reason: 'interrupted by SIGTERM; brought back redis-master',
  expectations: [{ check: 'failover-happened', severity: 'fail', passed: false, notReached: true, message: 'not reached: the run was interrupted first' }],
};

const skipped: RunReport = {
  ...seedRun(),
  scenario: 'replica-pause',
  status: 'skipped',
  reason: 'needs 1 replica(s); mymaster has 0',
  writes: null,
  measurements: null,
  events: [],
  steps: [],
  expectations: [],
};

describe('story', () => {
  it('interleaves sentinel events, drill steps and client milestones in time order', () => {
    const tl = timeline(seedRun());
    // A step counts when the runtime call returned; a slow one says how long it took.
    expect(tl[0]).toMatchObject({ t: 0, who: 'drill', what: 'pause redis-master', note: 'the runtime took 3700 ms', kind: 'step' });
    expect(tl[1]).toMatchObject({ t: 0, who: 'client', kind: 'client' });
    const sdown = tl.find((e) => e.what.startsWith('+sdown master'))!;
    expect(sdown).toMatchObject({ t: 30_000, who: 'redis-sentinel-1', what: '+sdown master mymaster 172.18.0.2 6379', note: 'redis-master' });
    for (let i = 1; i < tl.length; i++) expect(tl[i]!.t).toBeGreaterThanOrEqual(tl[i - 1]!.t);
    expect(tl.some((e) => e.what === 'redis-master back as replica (link up)' && e.t === 45_500)).toBe(true);
    expect(tl.some((e) => e.what.startsWith('writes acknowledged again after'))).toBe(true);
  });

  it('names who was elected, who was promoted, the outage and the rejoin', () => {
    const f = Object.fromEntries(figures(seedRun()).map((x) => [x.label, x]));
    expect(f['leader elected']!.detail).toBe('redis-sentinel-1, epoch 1; votes: redis-sentinel-1 -> redis-sentinel-1');
    expect(f['replica promoted']).toMatchObject({ value: '31113 ms', detail: 'redis-replica-2' });
    expect(f['write outage']!.value).toBe('32201 ms');
    expect(f['writes']!.detail).toContain(
      '0 acknowledged write(s) lost; 2 failed but applied anyway; ioredis gave up its connection 1x and was reconnected by the drill',
    );
    expect(f['old master rejoined']).toMatchObject({ value: '45500 ms' });
    expect(f['old master rejoined']!.detail).toContain('12.5 s after it was brought back, as replica');
  });
});

describe('terminal', () => {
  it('prints the timeline, the numbers and the verdicts without colour codes when asked', () => {
    const text = renderTerminal(report([seedRun(), skipped]), plain);
    // eslint-disable-next-line no-control-regex -- an ANSI escape is exactly what must not be there
    expect(text).not.toMatch(/\x1b\[/);
    expect(text).toContain('master-pause @ mymaster  FAILED');
    expect(text).toMatch(/\n\s+30000 {2}redis-sentinel-1 {2}\+sdown master mymaster 172\.18\.0\.2 6379 {2}\(redis-master\)\n/);
    expect(text).toContain('replica-pause @ mymaster  SKIPPED');
    expect(text).toContain('skipped: needs 1 replica(s); mymaster has 0');
    expect(text).toMatch(/FAIL {2}a replica was promoted/);
    expect(text).toContain('drill failed: 2 run(s): 0 passed, 1 failed, 1 skipped');
  });

  it('shows an interrupted run as such: the signal, and expectations not reached rather than failed', () => {
    const text = renderTerminal(report([interrupted]), plain);
    expect(text).toContain('master-pause @ mymaster  INTERRUPTED');
    expect(text).toContain('stopped: interrupted by SIGTERM; brought back redis-master');
    expect(text).toMatch(/\n {4}not reached {2}a replica was promoted\n/);
    expect(text).not.toContain('FAIL');
    expect(text).toContain('drill interrupted: 1 run(s): 0 passed, 0 failed, 0 skipped, 1 interrupted');
  });
});

describe('junit', () => {
  it('has one testcase per run, the failure message from the expectation, skipped with its reason', () => {
    const xml = renderJUnit(report([seedRun(), skipped]));
    expect(
      xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sentinel-compose drill" tests="2" failures="1" errors="0" skipped="1"'),
    ).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('<testcase classname="drill.seed &lt;&amp;&gt; &quot;quoted&quot;.master-pause" name="master-pause @ mymaster" time="52.000">');
    expect(xml).toMatch(
      /<failure message="failover-happened \(a replica was promoted\): no observation of the topology at the end of the run" type="ExpectationFailed">/,
    );
    expect(xml).toContain('<skipped message="needs 1 replica(s); mymaster has 0"/>');
    // Balanced tags: every opened element is closed.
    for (const tag of ['testsuites', 'testsuite', 'testcase', 'failure', 'system-out', 'properties']) {
      const open = (xml.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length;
      const close = (xml.match(new RegExp(`</${tag}>`, 'g')) ?? []).length;
      expect(close, tag).toBe(open);
    }
  });

  it('an interrupted run is an error (it did not complete), not a failure', () => {
    const xml = renderJUnit(report([interrupted]));
    expect(xml).toContain('tests="1" failures="0" errors="1" skipped="0"');
    expect(xml).toContain('<error message="interrupted by SIGTERM; brought back redis-master" type="Interrupted"/>');
    expect(xml).not.toContain('<failure');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape('a<b>&"c\'\u0001\u001b[31m')).toBe('a&lt;b&gt;&amp;&quot;c&apos;[31m');
  });
});

describe('html', () => {
  it('is one self-contained page: inline style and SVG, no scripts, no external references', () => {
    const html = renderHtml(report([seedRun(), skipped]));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|url\(|(href|src)="https?:/);
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain('seed &lt;&amp;&gt; &quot;quoted&quot;');
    expect(html).toContain('+switch-master');
  });

  it('charts writes, failures, the outage and the events', () => {
    const svg = chartSvg(seedRun());
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('write outage 32201 ms');
    for (const label of [
      '+sdown',
      '+odown',
      '+elected-leader',
      '+promoted-slave',
      '+switch-master',
      '+failover-end',
      'pause redis-master',
      'redis-master back',
    ]) {
      expect(svg, label).toContain(`>${label}</text>`);
    }
    expect(svg).toContain('failed writes</title>');
    expect(chartSvg({ ...seedRun(), writes: null, steps: [], events: [], measurements: null })).toContain('No load samples');
  });
});

describe('writeReports', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes report.json, junit.xml and report.html and nothing else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-report-'));
    dirs.push(dir);
    const target = path.join(dir, 'nested', 'report');
    const r = report([seedRun()]);
    const files = writeReports(target, r);
    expect(files.map((f) => path.basename(f))).toEqual([REPORT_FILES.json, REPORT_FILES.junit, REPORT_FILES.html]);
    expect(readdirSync(target).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    expect(JSON.parse(readFileSync(path.join(target, 'report.json'), 'utf8'))).toEqual(JSON.parse(renderJson(r)));
    writeFileSync(path.join(target, 'keep.txt'), 'x');
    writeReports(target, r);
    expect(readdirSync(target).sort()).toEqual(['junit.xml', 'keep.txt', 'report.html', 'report.json']);
  });
});

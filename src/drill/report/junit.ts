/**
 * JUnit XML for CI: one testcase per scenario x master group. Failed expectations become the
 * failure's message (the first) and body (all), skipped runs say why, and the plain-text
 * summary goes to system-out so that a CI page shows the timeline next to the verdict.
 */
import { Chalk } from 'chalk';
import { CHECK_TITLES } from '../checks.js';
import type { DrillReport, RunReport } from '../types.js';
import { headline } from './story.js';
import { renderRun } from './terminal.js';

const plain = new Chalk({ level: 0 });

/** Escapes text for XML attributes and bodies, dropping characters XML 1.0 cannot carry. */
export function xmlEscape(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- XML 1.0's allowed characters, tab, LF and CR among them
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function failures(run: RunReport): string[] {
  const out: string[] = [];
  if (run.reason) out.push(run.reason);
  for (const e of run.expectations) if (!e.passed && e.severity === 'fail') out.push(`${e.check} (${CHECK_TITLES[e.check]}): ${e.message}`);
  return out;
}

function testcase(run: RunReport, suite: string): string {
  const attrs = `classname="${xmlEscape(`${suite}.${run.scenario}`)}" name="${xmlEscape(headline(run))}" time="${(run.durationMs / 1000).toFixed(3)}"`;
  const body: string[] = [];
  if (run.status === 'skipped') body.push(`      <skipped message="${xmlEscape(run.reason ?? 'skipped')}"/>`);
  if (run.status === 'interrupted') body.push(`      <error message="${xmlEscape(run.reason?.split('\n')[0] ?? 'interrupted')}" type="Interrupted"/>`);
  if (run.status === 'failed') {
    const f = failures(run);
    const first = f[0]?.split('\n')[0] ?? 'failed';
    body.push(`      <failure message="${xmlEscape(first)}" type="${run.reason ? 'DrillError' : 'ExpectationFailed'}">${xmlEscape(f.join('\n'))}</failure>`);
  }
  body.push(`      <system-out>${xmlEscape(renderRun(run, plain))}</system-out>`);
  return `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>`;
}

export function renderJUnit(report: DrillReport): string {
  const suite = `drill.${report.project}`;
  const { failed, skipped, interrupted } = report.counts;
  const time = (report.durationMs / 1000).toFixed(3);
  const props = [
    ['runtime', report.runtime],
    ['network', report.network],
    ['sentinel.implementation', report.sentinelImplementation],
    ['load.rate', String(report.options.rate)],
    ['load.commandTimeoutMs', String(report.options.commandTimeoutMs)],
  ]
    .map(([k, v]) => `      <property name="${xmlEscape(k!)}" value="${xmlEscape(v!)}"/>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sentinel-compose drill" tests="${report.runs.length}" failures="${failed}" errors="${interrupted}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${report.runs.length}" failures="${failed}" errors="${interrupted}" skipped="${skipped}" time="${time}" timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
    '    <properties>',
    props,
    '    </properties>',
    ...report.runs.map((r) => testcase(r, suite)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * A drill report as text for a failing assertion's message: each run's status and failed checks,
 * and for a run that did not pass, the sentinel events it saw. The report's folder is removed
 * with the test, and a CI log is all there is afterwards: the events say whether the sentinels
 * did not agree, did not elect, or did not finish.
 */
import type { DrillReport } from '../../src/drill/types.js';

type Run = DrillReport['runs'][number];

export function runsSummary(report: DrillReport, extra: (run: Run) => string = () => ''): string {
  return report.runs
    .map((run) => {
      const checks = run.expectations
        .filter((e) => !e.passed)
        .map((e) => `  ${e.check}: ${e.message}`)
        .join('\n');
      const events =
        run.status === 'passed' || run.status === 'skipped'
          ? ''
          : `\n  events (ms after the fault):\n${run.events.map((e) => `    ${e.t} ${e.sentinel} ${e.channel} ${e.message}`).join('\n')}`;
      return `${run.scenario}: ${run.status}${run.reason ? ` (${run.reason})` : ''}\n${checks}${extra(run)}${events}`;
    })
    .join('\n');
}

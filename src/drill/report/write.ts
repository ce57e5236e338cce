/** `--report DIR`: report.json, junit.xml and report.html, each written whole or not at all. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DrillReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJUnit } from './junit.js';

export const REPORT_FILES = { json: 'report.json', junit: 'junit.xml', html: 'report.html' } as const;

export function renderJson(report: DrillReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Writes the three files into `dir` (created if needed); returns their paths. */
export function writeReports(dir: string, report: DrillReport): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    [path.join(dir, REPORT_FILES.json), renderJson(report)],
    [path.join(dir, REPORT_FILES.junit), renderJUnit(report)],
    [path.join(dir, REPORT_FILES.html), renderHtml(report)],
  ];
  for (const [file, text] of files) writeAtomic(file, text);
  return files.map(([f]) => f);
}

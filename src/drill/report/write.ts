/** `--report DIR`: report.json, junit.xml and report.html, written whole and together, or not at all. */
import path from 'node:path';
import { writeFilesAtomic } from '../../common/files.js';
import type { DrillReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJUnit } from './junit.js';

export const REPORT_FILES = { json: 'report.json', junit: 'junit.xml', html: 'report.html' } as const;

export function renderJson(report: DrillReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes the three files into `dir` (created if needed), all or none; returns their paths. */
export function writeReports(dir: string, report: DrillReport): string[] {
  const files = [
    { file: path.join(dir, REPORT_FILES.json), content: renderJson(report) },
    { file: path.join(dir, REPORT_FILES.junit), content: renderJUnit(report) },
    { file: path.join(dir, REPORT_FILES.html), content: renderHtml(report) },
  ];
  writeFilesAtomic(files, `writing the report into ${dir}`);
  return files.map((f) => f.file);
}

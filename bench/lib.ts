/** Shared bits of the benchmark scripts: argument parsing, /proc sampling, stats, output. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** A boolean flag (`--quick`). */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export function numbers(name: string, fallback: string): number[] {
  return arg(name, fallback)
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n));
}

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86_64/arm64

/**
 * CPU time (user+system, all threads) and RSS bytes of a pid, from /proc: now, peak (VmHWM), and
 * now split into anonymous memory (heaps) and file-backed pages (the executable and libraries,
 * shared with every other process running the same binary).
 */
export function sampleProc(pid: number): { cpuMs: number; rssBytes: number; peakRssBytes: number; rssAnonBytes: number; rssFileBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[11]) + Number(rest[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const anonKb = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fileKb = Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / CLK_TCK, rssBytes: rssKb * 1024, peakRssBytes: hwmKb * 1024, rssAnonBytes: anonKb * 1024, rssFileBytes: fileKb * 1024 };
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (v: number[]): number => quantile(v, 0.5);

/** Prints a plain-text table: one header row, aligned columns. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: Array<string | number>) =>
    r
      .map((c, i) => String(c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** A titled table for people, on stdout. */
export function printTable(title: string, headers: string[], rows: Array<Array<string | number>>): void {
  process.stdout.write(`\n${title}\n\n${table(headers, rows)}\n\n`);
}

/** One `JSON {...}` line for machines, on stdout. */
export function printJson(json: unknown): void {
  process.stdout.write(`JSON ${JSON.stringify(json)}\n`);
}

/** The table for people, then one `JSON {...}` line for machines, both on stdout. */
export function report(title: string, headers: string[], rows: Array<Array<string | number>>, json: unknown): void {
  printTable(title, headers, rows);
  printJson(json);
}

/**
 * The machine a figure came from: on a shared 2-core host the load average during the run says
 * more about a wall-clock figure than anything else, so every script records it.
 */
export function machine(): { cpuModel: string; cores: number; node: string; loadavg: number[] } {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    /* not Linux: os.cpus() it is */
  }
  return { cpuModel, cores: os.cpus().length, node: process.version, loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) };
}

/** 1-minute load average now. */
export function load1(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

/**
 * Logs of local processes: each service's stdout+stderr goes to DIR/run/<service>/<service>.log.
 * Reading merges the files by the time Redis stamps on each line (lines without a stamp keep the
 * previous line's time); following polls the files and yields lines as they are appended.
 */
import { existsSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { LogLine } from '../types.js';

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// `14936:M 26 Nov 2026 03:25:43.202 # message` (redis-server, redis-sentinel, and the bundled
// sentinel, which writes the same format).
const REDIS_STAMP = /^\d+:[A-Za-z] (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) /;
// `14971:signal-handler (1795663547) Received SIGTERM ...`
const SIGNAL_STAMP = /^\d+:signal-handler \((\d+)\) /;

/** The wall-clock time Redis stamped on a log line (local time zone), or null. */
export function redisLineTime(line: string): number | null {
  const m = REDIS_STAMP.exec(line);
  if (m) {
    const month = MONTHS[m[2]!];
    if (month === undefined) return null;
    return new Date(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])).getTime();
  }
  const s = SIGNAL_STAMP.exec(line);
  if (s) return Number(s[1]) * 1000;
  return null;
}

/** Lines of one service's log, each with its stamped time (or the previous line's, or `fallback`). */
export function stampLines(service: string, text: string, fallback: number): LogLine[] {
  const out: LogLine[] = [];
  let last = fallback;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = redisLineTime(line);
    if (t !== null) last = t;
    out.push({ service, time: last, line });
  }
  return out;
}

/** Merges per-service line lists by time; ties keep each service's own order. */
export function mergeByTime(lists: LogLine[][]): LogLine[] {
  const all = lists.flatMap((list, li) => list.map((l, i) => ({ l, li, i })));
  all.sort((a, b) => a.l.time - b.l.time || a.li - b.li || a.i - b.i);
  return all.map((x) => x.l);
}

function readFrom(file: string, offset: number): { text: string; size: number } {
  if (!existsSync(file)) return { text: '', size: 0 };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    // The file shrank: `down --volumes` and a new `up` replaced it; start over.
    const from = size < offset ? 0 : offset;
    const buf = Buffer.alloc(size - from);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return { text: buf.subarray(0, read).toString('utf8'), size: from + read };
  } finally {
    closeSync(fd);
  }
}

export interface LogFile {
  service: string;
  file: string;
}

/** Everything logged so far, merged by time; then, with `follow`, new lines as they arrive. */
export async function* readLogs(files: LogFile[], opts: { follow?: boolean; signal?: AbortSignal; pollMs?: number } = {}): AsyncIterable<LogLine> {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  const lists: LogLine[][] = [];
  for (const f of files) {
    const { text, size } = readFrom(f.file, 0);
    offsets.set(f.file, size);
    const cut = text.lastIndexOf('\n');
    partial.set(f.file, text.slice(cut + 1));
    lists.push(stampLines(f.service, text.slice(0, cut + 1), 0));
  }
  for (const line of mergeByTime(lists)) {
    if (opts.signal?.aborted) return;
    yield line;
  }
  if (!opts.follow) return;
  const pollMs = opts.pollMs ?? 200;
  while (!opts.signal?.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs);
      opts.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (opts.signal?.aborted) return;
    for (const f of files) {
      const before = offsets.get(f.file) ?? 0;
      const { text, size } = readFrom(f.file, before);
      if (size === before && text === '') continue;
      offsets.set(f.file, size);
      const joined = (size < before ? '' : (partial.get(f.file) ?? '')) + text;
      const cut = joined.lastIndexOf('\n');
      partial.set(f.file, joined.slice(cut + 1));
      for (const line of stampLines(f.service, joined.slice(0, cut + 1), Date.now())) {
        if (opts.signal?.aborted) return;
        // Following: show lines as they come, stamped when read.
        yield { ...line, time: Date.now() };
      }
    }
  }
}

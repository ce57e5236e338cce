/**
 * Text of events and log lines exactly as redis-sentinel writes them, so that tools and people
 * reading Sentinel logs (and the seed's failover log) see the same lines:
 *
 *   <pid>:X <dd Mon yyyy HH:MM:SS.mmm> <level char> <event> <details>
 *
 * with level chars `.` debug, `-` verbose, `*` notice, `#` warning.
 */
import type { LogLevel } from '../context.js';
import { announceHost } from '../state/addr.js';
import { SRI, typeName } from '../state/flags.js';
import type { Instance } from '../state/instance.js';

const LEVEL_CHAR: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[min];
}

export function parseLogLevel(s: string): LogLevel | null {
  const l = s.toLowerCase();
  return l === 'debug' || l === 'verbose' || l === 'notice' || l === 'warning' ? l : null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `26 Nov 2026 03:24:46.817` in local time, as Redis's log timestamps. */
export function logTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** ctime(3) without the newline: `Thu Nov 26 03:24:46 2026`. */
export function ctimeText(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

export function formatLogLine(pid: number, ms: number, level: LogLevel, message: string): string {
  return `${pid}:X ${logTimestamp(ms)} ${LEVEL_CHAR[level]} ${message}`;
}

/** `<type> <name> <ip> <port>`, plus ` @ <master> <ip> <port>` for replicas and sentinels. */
export function describeInstance(ri: Instance, announceHostnames: boolean): string {
  const own = `${typeName(ri.flags)} ${ri.name} ${announceHost(ri.addr, announceHostnames)} ${ri.addr.port}`;
  const m = ri.master;
  if (!m || ri.flags & SRI.MASTER) return own;
  return `${own} @ ${m.name} ${announceHost(m.addr, announceHostnames)} ${m.addr.port}`;
}

/** Expands a leading `%@` into the instance description. */
export function eventMessage(ri: Instance | null, fmt: string, announceHostnames: boolean): string {
  if (fmt.startsWith('%@') && ri) return describeInstance(ri, announceHostnames) + fmt.slice(2);
  return fmt;
}

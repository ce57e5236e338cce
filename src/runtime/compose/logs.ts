/**
 * `compose logs --no-color --timestamps` lines, v1 (`redis-master_1  | 2024-...Z text`) and v2
 * (`redis-master-1  | 2024-...Z text`), back to topology service names and times.
 */
import type { LogLine } from '../types.js';

const PREFIXED = /^(\S+?)\s+\|\s?(.*)$/;
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))\s?(.*)$/;

/** The topology service a compose log prefix names, or null (headers like "Attaching to ..."). */
export function serviceOfPrefix(prefix: string, services: readonly string[], project: string): string | null {
  let p = prefix;
  for (const sep of ['_', '-']) if (p.startsWith(`${project}${sep}`)) p = p.slice(project.length + 1);
  const candidates = [p, p.replace(/[-_]\d+$/, '')];
  for (const c of candidates) if (services.includes(c)) return c;
  return null;
}

export function parseComposeLogLine(raw: string, services: readonly string[], project: string, fallbackTime: number): LogLine | null {
  const m = PREFIXED.exec(raw);
  if (!m) return null;
  const service = serviceOfPrefix(m[1]!, services, project);
  if (!service) return null;
  const rest = m[2]!;
  const s = STAMP.exec(rest);
  if (!s) return { service, time: fallbackTime, line: rest };
  const t = Date.parse(s[1]!);
  return { service, time: Number.isNaN(t) ? fallbackTime : t, line: s[2]! };
}

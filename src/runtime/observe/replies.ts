/**
 * Reading what Redis and Sentinel reply, and saying why a question got no answer. One place, so
 * that every command words a refused connection or a silent node the same way.
 */

/** INFO text into fields. Values are trimmed: Redis ends lines with \r\n. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** `ip=127.0.0.1,port=6380,state=online,offset=123,lag=0` (INFO's slaveN lines). */
export function parseFields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** Flat `[field, value, field, value, ...]` replies (SENTINEL MASTER, and each REPLICAS / SENTINELS entry). */
export function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

/** `a,b,c` flags as a list (empty parts dropped). */
export function flagList(flags: string | undefined): string[] {
  return (flags ?? '').split(',').filter(Boolean);
}

/** Why a question failed, in a few words: socket errors by their meaning, anything else by its message. */
export function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'connect timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return e?.message ?? String(err);
  }
}

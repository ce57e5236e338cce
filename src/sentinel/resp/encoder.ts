/**
 * Writes `Reply` values as RESP2 or RESP3 bytes, and commands as multibulk requests. RESP3-only
 * shapes are downgraded for RESP2 clients the way Redis's addReply* functions do: map -> flat
 * array, set/push -> array, null -> $-1 or *-1, bool -> :1/:0, double -> bulk, verbatim -> bulk.
 */
import type { ProtocolVersion, Reply } from './types.js';

const CRLF = '\r\n';

export function encodeReply(reply: Reply, proto: ProtocolVersion): Buffer {
  const parts: Array<string | Buffer> = [];
  write(reply, proto, parts);
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

/** A request as `*N $len arg ...`, for the outgoing links. */
export function encodeCommand(args: ReadonlyArray<string | Buffer | number>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/**
 * The same request as text, when no argument is a Buffer: the socket encodes it straight into
 * its write, without a Buffer per argument (the links send thousands of PINGs and hellos a
 * second when watching many masters).
 */
export function encodeCommandText(args: ReadonlyArray<string | number>): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s, 'utf8')}\r\n${s}\r\n`;
  }
  return out;
}

/** Redis never lets \r or \n into a status or error line: it would break the protocol. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

function bulk(value: Buffer | string, parts: Array<string | Buffer>): void {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  parts.push(`$${b.length}\r\n`, b, CRLF);
}

function write(r: Reply, proto: ProtocolVersion, parts: Array<string | Buffer>): void {
  switch (r.type) {
    case 'simple':
      parts.push(`+${oneLine(r.value)}\r\n`);
      return;
    case 'error':
      parts.push(`-${oneLine(r.value)}\r\n`);
      return;
    case 'integer':
      parts.push(`:${Math.trunc(r.value)}\r\n`);
      return;
    case 'bulk':
      bulk(r.value, parts);
      return;
    case 'array':
    case 'set':
    case 'push': {
      const head = proto === 3 ? (r.type === 'set' ? '~' : r.type === 'push' ? '>' : '*') : '*';
      parts.push(`${head}${r.value.length}\r\n`);
      for (const v of r.value) write(v, proto, parts);
      return;
    }
    case 'map':
      if (proto === 3) parts.push(`%${r.value.length}\r\n`);
      else parts.push(`*${r.value.length * 2}\r\n`);
      for (const [k, v] of r.value) {
        write(k, proto, parts);
        write(v, proto, parts);
      }
      return;
    case 'null':
      if (proto === 3) parts.push('_\r\n');
      else parts.push(r.kind === 'array' ? '*-1\r\n' : '$-1\r\n');
      return;
    case 'double':
      if (proto === 3) parts.push(`,${formatDouble(r.value)}\r\n`);
      else bulk(formatDouble(r.value), parts);
      return;
    case 'bool':
      if (proto === 3) parts.push(r.value ? '#t\r\n' : '#f\r\n');
      else parts.push(r.value ? ':1\r\n' : ':0\r\n');
      return;
    case 'verbatim': {
      if (proto === 2) {
        bulk(r.value, parts);
        return;
      }
      const body = Buffer.from(r.value, 'utf8');
      const format = (r.format + '   ').slice(0, 3);
      parts.push(`=${body.length + 4}\r\n${format}:`, body, CRLF);
      return;
    }
  }
}

/** C's printf("%.17g"), which Redis uses for doubles; inf/-inf/nan as Redis spells them. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [mant, expStr] = d.toExponential(16).split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 17) {
    const m = stripZeros(mant);
    const e = Math.abs(exp);
    return `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return stripZeros(d.toFixed(Math.max(0, 16 - exp)));
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

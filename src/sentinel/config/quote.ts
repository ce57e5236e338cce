/**
 * Writing config values back: Redis's sdscatrepr quoting (`"a b"`, `\n`, `\xHH`), used where
 * Redis quotes (`dir`, `logfile`, `requirepass`, `sentinel announce-ip`) and, unlike Redis, also
 * where a bare value would not read back the same (a password with a space).
 */
export function repr(value: string): string {
  let out = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (byte === 7) out += '\\a';
    else if (byte === 8) out += '\\b';
    else if (byte >= 0x20 && byte < 0x7f) out += ch;
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

/** The value as is when it reads back unchanged, quoted otherwise. */
export function bareOrRepr(value: string): string {
  return value !== '' && /^[\x21-\x7e]+$/.test(value) && !/["']/.test(value) ? value : repr(value);
}

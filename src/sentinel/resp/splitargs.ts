/**
 * Splits one line into arguments the way Redis's sdssplitargs does; both inline commands and
 * sentinel.conf lines go through it. Returns null for unbalanced quotes or a closing quote that
 * is not followed by a space, which Redis reports as an error.
 *
 * Rules: whitespace separates arguments; "double quotes" understand \xHH, \n, \r, \t, \b, \a and
 * a backslash before any other character; 'single quotes' understand only \'. A quote in the
 * middle of an unquoted word opens a quoted section (a"b c" is one argument: ab c). A NUL byte
 * ends the line, as it ends Redis's C string.
 */
export function splitArgs(line: string | Buffer): Buffer[] | null {
  const src = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const nul = src.indexOf(0);
  const s = nul >= 0 ? src.subarray(0, nul) : src;
  const out: Buffer[] = [];
  let p = 0;
  const n = s.length;
  for (;;) {
    while (p < n && isSpace(s[p]!)) p++;
    if (p >= n) return out;
    const cur: number[] = [];
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = p < n ? s[p]! : 0;
      if (inq) {
        if (c === 0x5c && p + 3 < n + 0 && s[p + 1] === 0x78 && isHex(s[p + 2]) && isHex(s[p + 3])) {
          cur.push(hexVal(s[p + 2]!) * 16 + hexVal(s[p + 3]!));
          p += 3;
        } else if (c === 0x5c && p + 1 < n) {
          p++;
          const e = s[p]!;
          cur.push(e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x61 ? 7 : e);
        } else if (c === 0x22) {
          if (p + 1 < n && !isSpace(s[p + 1]!)) return null;
          done = true;
        } else if (p >= n) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (insq) {
        if (c === 0x5c && p + 1 < n && s[p + 1] === 0x27) {
          p++;
          cur.push(0x27);
        } else if (c === 0x27) {
          if (p + 1 < n && !isSpace(s[p + 1]!)) return null;
          done = true;
        } else if (p >= n) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (p >= n || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        done = true;
      } else if (c === 0x22) {
        inq = true;
      } else if (c === 0x27) {
        insq = true;
      } else {
        cur.push(c);
      }
      if (p < n) p++;
    }
    out.push(Buffer.from(cur));
  }
}

/** C isspace(): space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return c - 0x41 + 10;
}

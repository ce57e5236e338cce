/**
 * Glob matching as Redis's stringmatchlen does it (PSUBSCRIBE, COMMAND LIST FILTERBY PATTERN,
 * SENTINEL RESET, CLIENT KILL ...): `*`, `?`, `[abc]`, `[^a-z]`, and `\` to escape. Iterative for
 * `*` runs so that hostile patterns cannot recurse deeply.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  const p = nocase ? pattern.toLowerCase() : pattern;
  const s = nocase ? subject.toLowerCase() : subject;
  return match(p, 0, s, 0, 0);
}

function match(p: string, pi: number, s: string, si: number, depth: number): boolean {
  // Redis caps nesting too; with the star fast path below a real pattern never gets near this.
  if (depth > 1000) return false;
  while (pi < p.length && si <= s.length) {
    const c = p[pi]!;
    switch (c) {
      case '*': {
        while (p[pi + 1] === '*') pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= s.length; k++) {
          if (match(p, pi + 1, s, k, depth + 1)) return true;
        }
        return false;
      }
      case '?':
        if (si >= s.length) return false;
        si++;
        break;
      case '[': {
        if (si >= s.length) return false;
        pi++;
        const not = p[pi] === '^';
        if (not) pi++;
        let matched = false;
        for (;;) {
          if (pi >= p.length) {
            pi--;
            break;
          }
          if (p[pi] === '\\' && pi + 1 < p.length) {
            pi++;
            if (p[pi] === s[si]) matched = true;
          } else if (p[pi] === ']') {
            break;
          } else if (p[pi + 1] === '-' && pi + 2 < p.length) {
            let start = p.charCodeAt(pi);
            let end = p.charCodeAt(pi + 2);
            const ch = s.charCodeAt(si);
            if (start > end) [start, end] = [end, start];
            pi += 2;
            if (ch >= start && ch <= end) matched = true;
          } else if (p[pi] === s[si]) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      default:
        // `\x` compares x literally.
        if (c === '\\' && pi + 1 < p.length) pi++;
        if (si >= s.length || p[pi] !== s[si]) return false;
        si++;
        break;
    }
    pi++;
    if (si >= s.length) {
      while (p[pi] === '*') pi++;
      break;
    }
  }
  return pi >= p.length && si >= s.length;
}

/**
 * `${VAR}` and `${VAR:-default}` in spec strings, the way Docker Compose does it: `:-` also
 * replaces an empty value, and `$$` is a literal `$`. Runs on the parsed YAML (never on the text),
 * so a value cannot inject YAML structure.
 */
import type { Problem } from '../common/errors.js';
import { childPath } from './field-path.js';

export interface Interpolated {
  value: unknown;
  /** Field paths whose string came (at least partly) from a variable. */
  fromVariables: Set<string>;
  problems: Problem[];
}

export function interpolateTree(tree: unknown, env: Record<string, string | undefined>, envSource: string): Interpolated {
  const fromVariables = new Set<string>();
  const problems: Problem[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      const r = interpolateString(node, env);
      if (r.used) fromVariables.add(path);
      for (const p of r.problems) problems.push({ ...p, path: path || '(top level)', fix: p.fix?.replace('%SOURCE%', envSource) });
      return r.value;
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${path}[${i}]`));
    if (node && typeof node === 'object') {
      // No prototype: a `__proto__` key stays a key (and is reported as unknown), never a prototype.
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, childPath(path, k));
      return out;
    }
    return node;
  };
  return { value: walk(tree, ''), fromVariables, problems };
}

export function interpolateString(text: string, env: Record<string, string | undefined>): { value: string; used: boolean; problems: Omit<Problem, 'path'>[] } {
  const problems: Omit<Problem, 'path'>[] = [];
  let used = false;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    if (text[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] !== '{') {
      out += ch;
      i++;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) {
      problems.push({
        message: `unclosed "\${" in ${JSON.stringify(text)}`,
        fix: 'write ${NAME} or ${NAME:-default}, or $$ for a literal $',
      });
      return { value: text, used, problems };
    }
    const body = text.slice(i + 2, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/s.exec(body);
    if (!m) {
      problems.push({
        message: `"\${${body}}" is not a variable reference`,
        fix: 'write ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or $$ for a literal $',
      });
      out += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    used = true;
    const [, name, op, fallback] = m;
    const value = env[name!];
    if (op === ':-' ? value !== undefined && value !== '' : value !== undefined) {
      out += value;
    } else if (op !== undefined) {
      out += fallback ?? '';
    } else {
      problems.push({
        message: `\${${name}} is not set`,
        fix: `set ${name} in the environment or in %SOURCE%, or write \${${name}:-default}`,
      });
    }
    i = end + 1;
  }
  return { value: out, used, problems };
}

/**
 * Structural validation by walking the published JSON Schema: types, enums, ranges, patterns and
 * unknown keys (with a did-you-mean). It supports exactly the keywords that schema uses, so the
 * editor's view of the spec and ours cannot drift apart; a test checks agreement with ajv.
 * Integer strings that came from `${VAR}` are converted in place, since YAML cannot know that
 * `replicas: ${N}` is a number.
 */
import type { Problem } from '../common/errors.js';
import { closest } from '../common/suggest.js';
import { childPath } from './field-path.js';
import { deref, specSchema, type JsonSchema } from './schema.js';

export function checkShape(value: unknown, fromVariables: Set<string> = new Set()): { value: unknown; problems: Problem[] } {
  const problems: Problem[] = [];
  const root = specSchema();
  const out = walk(value, root, '', root, fromVariables, problems);
  return { value: out, problems };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const typeWords: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  null: 'null',
};

function matchesType(v: unknown, type: string | string[] | undefined): boolean {
  if (type === undefined) return true;
  const actual = typeOf(v);
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function rangeText(s: JsonSchema): string {
  if (s.minimum !== undefined && s.maximum !== undefined) return ` from ${s.minimum} to ${s.maximum}`;
  if (s.minimum !== undefined) return ` of at least ${s.minimum}`;
  if (s.maximum !== undefined) return ` of at most ${s.maximum}`;
  return '';
}

function describeExpected(s: JsonSchema, root: JsonSchema): string {
  if (s.enum) return `one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (s.oneOf) return s.oneOf.map((o) => describeExpected(deref(o, root), root)).join(', or ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const words = types.map((t) => typeWords[t] ?? t).join(' or ');
  if (types.includes('array') && s.items) return `a list, each item ${describeExpected(deref(s.items, root), root)}`;
  return `${words}${types.some((t) => t === 'integer' || t === 'number') ? rangeText(s) : ''}`;
}

function firstSentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /^(.*?[.!?])(\s|$)/s.exec(text);
  return (m ? m[1]! : text).trim();
}

/**
 * What to write instead, from the schema: the kind of value and an example line (the field's
 * default or example), so that a fix never just repeats what the field is for.
 */
function fixFor(s: JsonSchema, path: string, root: JsonSchema, value?: unknown): string {
  const key = lastKey(path);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('object')) {
    const known = Object.keys(s.properties ?? {}).filter((p) => p !== '$schema');
    const fields = known.length ? ` (${known.join(', ')})` : '';
    if (!path) return `write the spec as "field: value" lines${fields}, or run \`sentinel-compose init\` for a commented one`;
    return `write ${key ?? 'it'}: on a line of its own, and its fields on the lines below it, indented${fields}`;
  }
  if (types.includes('array') && !s.oneOf) return `write one item per line below ${key ?? 'it'}:, each starting with "- "`;
  const ex = exampleOf(s, root);
  const line = ex === undefined ? '' : `, e.g. ${key ? `${key}: ` : '- '}${yamlScalar(ex)}`;
  // `name: 123` or `password: yes` are read by YAML as a number or a boolean.
  const quote =
    types.includes('string') && !s.enum && value !== null && typeof value !== 'object' && typeof value !== 'string'
      ? ' (in quotes if it looks like a number or true/false)'
      : '';
  return `write ${describeExpected(s, root)}${line}${quote}`;
}

/** `count` for `sentinels.count`; nothing for a list item (`masters[0]`). */
function lastKey(path: string): string | undefined {
  return /(?:^|\.)([^.[\]]+)$/.exec(path)?.[1];
}

function exampleOf(s: JsonSchema, root: JsonSchema): unknown {
  if (s.default !== undefined && s.default !== null) return s.default;
  if (s.examples?.length) return s.examples[0];
  if (s.enum?.length) return s.enum[0];
  if (s.oneOf?.length) return exampleOf(deref(s.oneOf[0]!, root), root);
  return s.minimum;
}

function yamlScalar(v: unknown): string {
  if (typeof v !== 'string') return JSON.stringify(v);
  // Plain when YAML reads it back as the same string, quoted otherwise.
  return /^[A-Za-z${][\w${}./:-]*$/.test(v) && !/^(true|false|yes|no|on|off|null|~)$/i.test(v) ? v : JSON.stringify(v);
}

function walk(value: unknown, node: JsonSchema, path: string, root: JsonSchema, fromVariables: Set<string>, problems: Problem[]): unknown {
  const s = deref(node, root);
  const at = path || '(top level)';

  if (s.oneOf) {
    const before = problems.length;
    for (const alt of s.oneOf) {
      const trial: Problem[] = [];
      const v = walk(value, alt, path, root, fromVariables, trial);
      if (trial.length === 0) return v;
    }
    problems.splice(before);
    // One alternative of the value's own type (`ports: {redis: 7000, sentinl: 1}` against "auto"
    // or a mapping): its own problems say more precisely what is wrong inside it; for a string,
    // only a did-you-mean (`atuo`) says more than the list of what is allowed.
    const sameType = s.oneOf.filter((alt) => matchesType(value, deref(alt, root).type));
    if (sameType.length === 1 && value !== null && typeof value === 'object') return walk(value, sameType[0]!, path, root, fromVariables, problems);
    if (sameType.length === 1 && typeof value === 'string') {
      const trial: Problem[] = [];
      walk(value, sameType[0]!, path, root, fromVariables, trial);
      const hint = trial.find((p) => p.fix?.startsWith('did you mean'));
      if (hint) {
        problems.push({ path: at, value, message: `must be ${describeExpected(s, root)}`, fix: hint.fix });
        return value;
      }
    }
    problems.push({ path: at, value, message: `must be ${describeExpected(s, root)}`, fix: fixFor(s, path, root, value) });
    return value;
  }

  // ${VAR} yields strings; a whole-number string is what the user meant for an integer field.
  if (typeof value === 'string' && fromVariables.has(path) && /^-?\d+$/.test(value.trim())) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes('integer') || types.includes('number')) value = Number(value.trim());
  }

  if (!matchesType(value, s.type)) {
    problems.push({
      path: at,
      value,
      message: `must be ${describeExpected(s, root)}, not ${typeWords[typeOf(value)] ?? typeOf(value)}`,
      fix: fixFor(s, path, root, value),
    });
    return value;
  }

  if (s.enum && !s.enum.includes(value)) {
    const suggestion = typeof value === 'string' ? closest(value, s.enum.map(String)) : undefined;
    problems.push({
      path: at,
      value,
      message: `must be ${describeExpected(s, root)}`,
      fix: suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : `use one of: ${s.enum.join(', ')}`,
    });
    return value;
  }

  if (typeof value === 'number') {
    if ((s.minimum !== undefined && value < s.minimum) || (s.maximum !== undefined && value > s.maximum)) {
      problems.push({ path: at, value, message: `must be ${describeExpected(s, root)}`, fix: fixFor(s, path, root) });
    }
    return value;
  }

  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) {
      problems.push({ path: at, value, message: 'must not be empty', fix: fixFor(s, path, root) });
    } else if (s.maxLength !== undefined && value.length > s.maxLength) {
      problems.push({ path: at, value, message: `must be at most ${s.maxLength} characters long`, fix: firstSentence(s.description) });
    } else if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) {
      const ex = exampleOf(s, root);
      const key = lastKey(path);
      problems.push({
        path: at,
        value,
        message: 'is not in the allowed format',
        fix: `${s.description ?? ''}${ex !== undefined && key ? ` E.g. ${key}: ${yamlScalar(ex)}` : ''}`.trim(),
      });
    }
    return value;
  }

  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) {
      problems.push({ path: at, value, message: `must have at least ${s.minItems} item${s.minItems === 1 ? '' : 's'}`, fix: fixFor(s, path, root) });
    }
    if (s.maxItems !== undefined && value.length > s.maxItems) {
      problems.push({ path: at, value: `${value.length} items`, message: `must have at most ${s.maxItems} items`, fix: firstSentence(s.description) });
    }
    return s.items ? value.map((v, i) => walk(v, s.items!, `${path}[${i}]`, root, fromVariables, problems)) : value;
  }

  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const props = s.properties ?? {};
    // Keys like `constructor` or `__proto__` are only fields when the schema lists them.
    const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const req of s.required ?? []) {
      if (!own(obj, req)) {
        const d = props[req] ? deref(props[req], root) : undefined;
        const ex = d ? exampleOf(d, root) : undefined;
        problems.push({
          path: childPath(path, req),
          message: 'is required',
          fix: ex !== undefined ? `add it, e.g. ${req}: ${yamlScalar(ex)}` : `add it: ${firstSentence(d?.description) ?? req}`,
        });
      }
    }
    for (const [k, v] of Object.entries(obj)) {
      const child = childPath(path, k);
      const ps = own(props, k) ? props[k] : undefined;
      if (!ps) {
        if (s.additionalProperties === false) {
          const known = Object.keys(props).filter((p) => p !== '$schema');
          const suggestion = closest(k, known);
          problems.push({
            path: child,
            message: 'is not a known field',
            fix: suggestion ? `did you mean "${suggestion}"?` : `known fields here: ${known.join(', ')}`,
          });
        }
        continue;
      }
      out[k] = walk(v, ps, child, root, fromVariables, problems);
    }
    return out;
  }
  return value;
}

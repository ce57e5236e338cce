/**
 * Reading a spec file, as one pipeline:
 *   YAML -> ${VAR} interpolation (environment, then the .env beside the spec, ./interpolate.ts)
 *   -> shape check against the published JSON Schema (./check-shape.ts)
 *   -> typed read: defaults and aliases applied, every value with its field path (./read.ts)
 *   -> named cross-field checks (./checks)
 *   -> resolved Topology (./resolve.ts).
 * Every problem is collected before anything fails, so one run lists them all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError, type Problem } from '../common/errors.js';
import { DEFAULT_SPEC_FILE } from './defaults.js';
import { readInputFile } from '../common/files.js';
import { checkShape } from './check-shape.js';
import { childPath } from './field-path.js';
import { parseDotEnv } from './env.js';
import { interpolateTree } from './interpolate.js';
import { checkSpec } from './checks/index.js';
import { readSpec, toSpec } from './read.js';
import { resolveTopology } from './resolve.js';
import type { Spec } from './spec.js';
import type { Topology } from './types.js';

export { DEFAULT_SPEC_FILE } from './defaults.js';

export interface Secrets {
  redisPassword?: string;
  sentinelPassword?: string;
  /** auth.user.password */
  dataUserPassword?: string;
  /** auth.sentinel-user.password */
  sentinelUserPassword?: string;
}

export interface LoadedSpec {
  file: string;
  spec: Spec;
  topology: Topology;
  secrets: Secrets;
  warnings: Problem[];
  /** True when no spec file existed and the built-in default topology was used. */
  builtIn?: boolean;
}

export interface LoadOptions {
  /** Defaults to process.env; tests pass their own. */
  env?: Record<string, string | undefined>;
}

/** Reads and validates a spec file. Throws UsageError listing every problem. */
export function loadSpecFile(file: string, opts: LoadOptions = {}): LoadedSpec {
  const abs = path.resolve(file);
  if (!existsSync(abs)) {
    throw new UsageError([
      {
        path: '--spec',
        value: file,
        message: 'no such file',
        fix: `run \`sentinel-compose init\` to write ${DEFAULT_SPEC_FILE}, or pass --spec PATH`,
      },
    ]);
  }
  const text = readInputFile(abs, '--spec', 'a YAML spec');
  const dotEnvFile = path.join(path.dirname(abs), '.env');
  const dotEnv = existsSync(dotEnvFile) ? parseDotEnv(readInputFile(dotEnvFile, dotEnvFile, 'a .env file (NAME=value lines)')) : {};
  return parseSpec(text, { ...opts, file: abs, dotEnv, dotEnvFile });
}

export function parseSpec(text: string, opts: LoadOptions & { file?: string; dotEnv?: Record<string, string>; dotEnvFile?: string } = {}): LoadedSpec {
  const file = opts.file ?? '<spec>';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new UsageError(
      doc.errors.map((e) => ({
        path: `${path.basename(file)}:${e.linePos?.[0]?.line ?? '?'}`,
        message: `not valid YAML: ${yamlErrorText(e)}`,
        fix: 'fix the YAML syntax at that line (indentation with spaces, "key: value", lists with "- ")',
      })),
    );
  }
  const raw = toPlain(doc, file);
  const shapeless = structureProblem(raw);
  if (shapeless) throw new UsageError([withLine(shapeless, doc, lineCounter)]);
  // Process environment wins over the .env file, as in Docker Compose.
  const env = { ...(opts.dotEnv ?? {}), ...definedOnly(opts.env ?? process.env) };
  const interpolated = interpolateTree(raw, env, opts.dotEnvFile ?? '.env beside the spec');
  return fromPlain(file, interpolated, (p) => withLine(p, doc, lineCounter));
}

/**
 * A spec given as data (the library's `spec` object): the same shape as the YAML, checked the
 * same way, problems named by field path. No `${VAR}` interpolation: the caller's code builds
 * its strings itself, and a password with a `$` in it must stay as it is.
 */
export function parseSpecObject(value: unknown, opts: { label?: string } = {}): LoadedSpec {
  const label = opts.label ?? '<spec object>';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError([
      {
        path: '(top level)',
        value: Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value,
        message: 'is not an object',
        fix: 'give an object of the same shape as sentinel-compose.yaml, e.g. { masters: [{ name: "mymaster", replicas: 2 }] }',
      },
    ]);
  }
  const shapeless = structureProblem(value);
  if (shapeless) throw new UsageError([shapeless]);
  let plain: unknown;
  try {
    // Plain data only: class instances, getters and undefined fields become what JSON makes of them.
    plain = JSON.parse(JSON.stringify(value));
  } catch (err) {
    throw new UsageError(
      [
        {
          path: '(top level)',
          message: `cannot be read as plain data: ${(err as Error).message}`,
          fix: 'use strings, numbers, booleans, lists and objects only',
        },
      ],
      {
        cause: err,
      },
    );
  }
  return fromPlain(label, { value: plain, fromVariables: new Set(), problems: [] }, (p) => p);
}

function fromPlain(
  file: string,
  interpolated: { value: unknown; fromVariables: Set<string>; problems: Problem[] },
  locate: (p: Problem) => Problem,
): LoadedSpec {
  const shaped = checkShape(interpolated.value, interpolated.fromVariables);
  // An unset ${VAR} leaves an empty or partial value: its shape problem would say the same again.
  const unset = new Set(interpolated.problems.map((p) => p.path));
  const shapeProblems = shaped.problems.filter((p) => !unset.has(p.path));
  // What was rejected reads as its default, so that the checks still run on everything else.
  const rejected = new Set([...unset, ...shapeProblems.map((p) => p.path)]);
  const read = readSpec(shaped.value, { rejected, fromVariables: interpolated.fromVariables });
  const { errors, warnings } = checkSpec(read.spec);
  const problems = [...interpolated.problems, ...shapeProblems, ...read.problems, ...errors].map((p) => ({
    ...locate(p),
    value: redact(p.path, p.value),
  }));
  if (problems.length) throw new UsageError(problems);
  const spec = toSpec(read.spec);
  const topology = resolveTopology(spec);
  return {
    file,
    spec,
    topology,
    secrets: {
      ...(spec.auth.password !== undefined ? { redisPassword: spec.auth.password } : {}),
      ...(spec.auth.sentinelPassword !== undefined ? { sentinelPassword: spec.auth.sentinelPassword } : {}),
      ...(spec.auth.user ? { dataUserPassword: spec.auth.user.password } : {}),
      ...(spec.auth.sentinelUser ? { sentinelUserPassword: spec.auth.sentinelUser.password } : {}),
    },
    warnings: warnings.map((w) => ({ ...locate(w), value: redact(w.path, w.value) })),
  };
}

/**
 * The document as plain data. yaml throws (not reports) for an alias to a missing anchor and for
 * alias expansion beyond maxAliasCount (a "billion laughs" bomb): both are the user's input.
 */
function toPlain(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    if (!(err instanceof ReferenceError || err instanceof TypeError || err instanceof RangeError)) throw err;
    throw new UsageError(
      [
        {
          path: path.basename(file),
          message: `not valid YAML: ${err.message.split('\n')[0]}`,
          fix: 'define each &anchor before its *alias, and do not expand aliases hundreds of times (plain values are clearer in a spec)',
        },
      ],
      { cause: err },
    );
  }
}

/** No spec is this deep; anything deeper is garbage, and would exhaust the stack further on. */
const MAX_DEPTH = 32;

/**
 * A document nested absurdly deep, or one whose alias points into itself (`x: &x { <<: *x }`
 * makes a cycle), cannot be walked: reported as such before anything walks it.
 */
function structureProblem(raw: unknown): Problem | undefined {
  const stack: Array<{ v: unknown; path: string; depth: number; ancestors: Set<unknown> }> = [{ v: raw, path: '', depth: 0, ancestors: new Set() }];
  while (stack.length) {
    const { v, path: at, depth, ancestors } = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    const where = at || '(top level)';
    if (ancestors.has(v)) {
      return { path: where, message: 'contains itself (an alias that points into its own anchor)', fix: 'write the values out instead of using that *alias' };
    }
    if (depth >= MAX_DEPTH) {
      return {
        path: where,
        message: `is nested more than ${MAX_DEPTH} levels deep`,
        fix: 'a spec is a few levels of mappings and lists; check the brackets and indentation',
      };
    }
    const next = new Set(ancestors).add(v);
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((x, i) => [`${at}[${i}]`, x]) : Object.entries(v).map(([k, x]) => [childPath(at, k), x]);
    for (const [p, x] of entries) stack.push({ v: x, path: p, depth: depth + 1, ancestors: next });
  }
  return undefined;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Passwords never appear in messages, not even the wrong ones: nothing under `auth` is shown
 * (a misplaced value there may be a password) except the user names, which are not secrets.
 */
function redact(p: string, value: unknown): unknown {
  if (value === undefined || /^auth\.(user|sentinel-user)\.name$/.test(p)) return value;
  return /^auth(\.|$)|password/i.test(p) ? '<redacted>' : value;
}

/**
 * yaml's message without the position it appends ("... at line 3, column 1:" and a source
 * excerpt): the line is already in the problem's path; the column is kept.
 */
function yamlErrorText(e: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  const first = e.message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/:$/, '');
  return e.linePos ? `${first} (column ${e.linePos[0].col})` : first;
}

/** Adds "(line N)" so that an error in a long spec is found at once. */
function withLine(p: Problem, doc: Document, lc: LineCounter): Problem {
  const keys = pathKeys(p.path);
  if (!keys) return p;
  // The key itself for unknown fields; otherwise the value, falling back to the nearest parent.
  for (let n = keys.length; n > 0; n--) {
    const parent = n > 1 ? doc.getIn(keys.slice(0, n - 1), true) : doc.contents;
    const last = keys[n - 1];
    let range: [number, number, number] | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((it) => (it.key as { value?: unknown } | null)?.value === last);
      const key: unknown = pair?.key;
      range = (key as { range?: [number, number, number] } | undefined)?.range;
    } else if (isSeq(parent) && typeof last === 'number') {
      range = (parent.items[last] as { range?: [number, number, number] } | undefined)?.range;
    }
    if (range) return { ...p, line: lc.linePos(range[0]).line };
  }
  return p;
}

function pathKeys(p: string): (string | number)[] | undefined {
  if (!p || p.startsWith('(') || p.startsWith('-')) return undefined;
  const keys: (string | number)[] = [];
  for (const part of p.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) keys.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
  }
  return keys;
}

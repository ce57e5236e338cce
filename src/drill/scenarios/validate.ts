/**
 * Scenarios written by users (`--scenarios FILE`, YAML or JSON): the same shape as the built-in
 * ones. Every problem is collected with its path and a fix, so that one run shows them all.
 */
import { UsageError, type Problem } from '../../common/errors.js';
import { closest } from '../../common/suggest.js';
import { CHECKS, type Check, type Condition, type Duration, type Expectation, type Scenario, type Step, type Target } from '../types.js';

const ACTIONS = ['pause', 'unpause', 'kill', 'restart', 'failover', 'wait', 'hold', 'heal', 'partition'] as const;
const CONDITIONS: readonly Condition[] = ['sdown', 'failed-over', 'healthy'];
const NODES = ['master', 'replica', 'sentinels'] as const;
const MARKS = ['fault', 'heal'] as const;
const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf(value: unknown, allowed: readonly string[], path: string, problems: Problem[]): boolean {
  if (typeof value === 'string' && allowed.includes(value)) return true;
  const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
  problems.push({
    path,
    message: `must be one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
    value,
  });
  return false;
}

function unknownKeys(o: Obj, allowed: readonly string[], path: string, problems: Problem[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      const guess = closest(k, allowed);
      problems.push({ path: `${path}.${k}`, message: `unknown field${guess ? ` (did you mean "${guess}"?)` : ''}`, fix: `allowed: ${allowed.join(', ')}` });
    }
  }
}

function duration(v: unknown, path: string, problems: Problem[]): Duration | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (isObj(v)) {
    unknownKeys(v, ['downAfter', 'failoverTimeout', 'replicaMaxLag', 'ms'], path, problems);
    const out: { downAfter?: number; failoverTimeout?: number; replicaMaxLag?: number; ms?: number } = {};
    for (const k of ['downAfter', 'failoverTimeout', 'replicaMaxLag', 'ms'] as const) {
      const x = v[k];
      if (x === undefined) continue;
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) problems.push({ path: `${path}.${k}`, message: 'must be a number >= 0', value: x });
      else out[k] = x;
    }
    return out;
  }
  problems.push({
    path,
    message: 'must be milliseconds or { downAfter, failoverTimeout, ms } (multiples of the group settings plus ms)',
    value: v,
    fix: 'e.g. 5000 or { downAfter: 2, ms: 30000 }',
  });
  return undefined;
}

function target(v: unknown, path: string, problems: Problem[]): Target | undefined {
  if (!isObj(v)) {
    problems.push({ path, message: 'must be an object like { node: master } or { node: sentinels, count: 1 }', value: v });
    return undefined;
  }
  if (!oneOf(v.node, NODES, `${path}.node`, problems)) return undefined;
  if (v.node === 'master') {
    unknownKeys(v, ['node'], path, problems);
    return { node: 'master' };
  }
  if (v.node === 'replica') {
    unknownKeys(v, ['node', 'index'], path, problems);
    if (v.index !== undefined && (!Number.isInteger(v.index) || (v.index as number) < 1)) {
      problems.push({ path: `${path}.index`, message: 'must be an integer >= 1 (1 = first replica)', value: v.index });
      return undefined;
    }
    return v.index === undefined ? { node: 'replica' } : { node: 'replica', index: v.index as number };
  }
  unknownKeys(v, ['node', 'count'], path, problems);
  if (v.count === 'majority' || v.count === 'minority' || (Number.isInteger(v.count) && (v.count as number) >= 1)) {
    return { node: 'sentinels', count: v.count as number | 'majority' | 'minority' };
  }
  problems.push({ path: `${path}.count`, message: 'must be an integer >= 1, "majority" or "minority"', value: v.count });
  return undefined;
}

function mark(v: unknown, path: string, problems: Problem[]): { mark?: 'fault' | 'heal' } {
  if (v === undefined) return {};
  return oneOf(v, MARKS, path, problems) ? { mark: v as 'fault' | 'heal' } : {};
}

function step(v: unknown, path: string, problems: Problem[]): Step | undefined {
  if (!isObj(v)) {
    problems.push({ path, message: 'must be an object with a "do" field', value: v });
    return undefined;
  }
  if (!oneOf(v.do, ACTIONS, `${path}.do`, problems)) return undefined;
  const action = v.do as (typeof ACTIONS)[number];
  switch (action) {
    case 'pause':
    case 'unpause':
    case 'kill':
    case 'restart': {
      unknownKeys(v, ['do', 'target', 'mark'], path, problems);
      const t = target(v.target, `${path}.target`, problems);
      return t && { do: action, target: t, ...mark(v.mark, `${path}.mark`, problems) };
    }
    case 'partition': {
      unknownKeys(v, ['do', 'isolate', 'mark'], path, problems);
      const t = target(v.isolate, `${path}.isolate`, problems);
      return t && { do: 'partition', isolate: t, ...mark(v.mark, `${path}.mark`, problems) };
    }
    case 'failover':
    case 'heal':
      unknownKeys(v, ['do', 'mark'], path, problems);
      return { do: action, ...mark(v.mark, `${path}.mark`, problems) };
    case 'wait': {
      unknownKeys(v, ['do', 'until', 'timeout'], path, problems);
      const okUntil = oneOf(v.until, CONDITIONS, `${path}.until`, problems);
      const timeout = duration(v.timeout ?? { downAfter: 2, ms: 60_000 }, `${path}.timeout`, problems);
      return okUntil && timeout !== undefined ? { do: 'wait', until: v.until as Condition, timeout } : undefined;
    }
    case 'hold': {
      unknownKeys(v, ['do', 'for'], path, problems);
      const d = duration(v.for, `${path}.for`, problems);
      return d === undefined ? undefined : { do: 'hold', for: d };
    }
  }
}

function expectation(v: unknown, path: string, problems: Problem[]): Expectation | undefined {
  const o = typeof v === 'string' ? { check: v } : v;
  if (!isObj(o)) {
    problems.push({ path, message: 'must be a check name or { check, severity, why }', value: v });
    return undefined;
  }
  unknownKeys(o, ['check', 'severity', 'why'], path, problems);
  if (!oneOf(o.check, CHECKS, `${path}.check`, problems)) return undefined;
  const out: Expectation = { check: o.check as Check };
  if (o.severity !== undefined && oneOf(o.severity, ['fail', 'warn'], `${path}.severity`, problems)) out.severity = o.severity as 'fail' | 'warn';
  if (o.why !== undefined) {
    if (typeof o.why === 'string') out.why = o.why;
    else problems.push({ path: `${path}.why`, message: 'must be a string', value: o.why });
  }
  return out;
}

/**
 * Parses user scenarios: a list, or `{ scenarios: [...] }`. `builtIn` names may not be reused,
 * so that `drill master-pause` always means the same thing.
 */
export function validateScenarios(doc: unknown, source: string, builtIn: readonly string[]): Scenario[] {
  const problems: Problem[] = [];
  const list = isObj(doc) && 'scenarios' in doc ? doc.scenarios : doc;
  const base = isObj(doc) && 'scenarios' in doc ? 'scenarios' : '';
  if (!Array.isArray(list)) {
    throw new UsageError([
      { path: source, message: 'must be a list of scenarios (or { scenarios: [...] })', fix: 'see `sentinel-compose drill --list` for the built-in ones' },
    ]);
  }
  const out: Scenario[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const path = `${source}: ${base}[${i}]`;
    if (!isObj(raw)) {
      problems.push({ path, message: 'must be an object with name, steps and expect', value: raw });
      return;
    }
    unknownKeys(raw, ['name', 'summary', 'requires', 'steps', 'expect'], path, problems);
    const name = raw.name;
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      problems.push({ path: `${path}.name`, message: 'must be lower-case letters, digits and dashes', value: name });
    } else if (builtIn.includes(name)) {
      problems.push({ path: `${path}.name`, message: `"${name}" is a built-in scenario`, fix: 'give yours another name' });
    } else if (seen.has(name)) {
      problems.push({ path: `${path}.name`, message: `"${name}" appears twice` });
    } else seen.add(name);
    if (raw.summary !== undefined && typeof raw.summary !== 'string')
      problems.push({ path: `${path}.summary`, message: 'must be a string', value: raw.summary });
    const requires: Scenario['requires'] = {};
    if (raw.requires !== undefined) {
      if (!isObj(raw.requires)) problems.push({ path: `${path}.requires`, message: 'must be { replicas?, failoverPossible?, links? }', value: raw.requires });
      else {
        unknownKeys(raw.requires, ['replicas', 'failoverPossible', 'links'], `${path}.requires`, problems);
        const r = raw.requires;
        if (r.replicas !== undefined) {
          if (Number.isInteger(r.replicas) && (r.replicas as number) >= 0) requires.replicas = r.replicas as number;
          else problems.push({ path: `${path}.requires.replicas`, message: 'must be an integer >= 0', value: r.replicas });
        }
        if (r.links !== undefined) {
          if (typeof r.links === 'boolean') requires.links = r.links;
          else problems.push({ path: `${path}.requires.links`, message: 'must be true or false', value: r.links });
        }
        if (r.failoverPossible !== undefined) {
          if (typeof r.failoverPossible === 'boolean') requires.failoverPossible = r.failoverPossible;
          else problems.push({ path: `${path}.requires.failoverPossible`, message: 'must be true or false', value: r.failoverPossible });
        }
      }
    }
    const steps: Step[] = [];
    if (!Array.isArray(raw.steps) || raw.steps.length === 0) {
      problems.push({
        path: `${path}.steps`,
        message: 'must be a non-empty list of steps',
        fix: 'e.g. - { do: pause, target: { node: master }, mark: fault }',
      });
    } else {
      raw.steps.forEach((s, j) => {
        const parsed = step(s, `${path}.steps[${j}]`, problems);
        if (parsed) steps.push(parsed);
      });
    }
    const expect: Expectation[] = [];
    if (!Array.isArray(raw.expect)) {
      problems.push({ path: `${path}.expect`, message: 'must be a list of checks', fix: `checks: ${CHECKS.join(', ')}` });
    } else {
      raw.expect.forEach((e, j) => {
        const parsed = expectation(e, `${path}.expect[${j}]`, problems);
        if (parsed) expect.push(parsed);
      });
    }
    out.push({ name: name as string, summary: typeof raw.summary === 'string' ? raw.summary : `custom scenario from ${source}`, requires, steps, expect });
  });
  if (problems.length) throw new UsageError(problems);
  return out;
}

/**
 * fast-check generators of hostile spec input: YAML-ish text, random YAML trees, documents
 * crafted to break parsers (alias bombs, cycles, deep nesting, tags, prototype keys) and random
 * mutations of the example specs. Shared by the loader's unit test and the CLI test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
export const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => parseYaml(readFileSync(path.join(EXAMPLES, f), 'utf8')) as Record<string, unknown>);

// ---- random YAML ---------------------------------------------------------------------------

const yamlChars = fc.constantFrom(
  ...'abcxyz019 :-\n\t{}[],&*!|>#%@`"\'?<=~.$_\\'.split(''),
  '\n  ',
  ': ',
  '- ',
  '${',
  '}',
  '<<: ',
  '!!binary ',
  '!!set',
  '!!omap',
  '&a ',
  '*a',
  '---\n',
  '...\n',
  '\ufeff',
);
export const yamlish = fc.string({ unit: yamlChars, maxLength: 200 });

export const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('${N}', '${NOPE}', '${EMPTY:-x}', '${', '$${N}', '${N:-}', '${ N }', '__proto__', 'constructor', '1e400', '0x10', '.nan', '-.inf', '~'),
);
export const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('arr'), tie('obj')),
  arr: fc.array(tie('node'), { maxLength: 4 }),
  obj: fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'version',
        'project',
        'network',
        'masters',
        'sentinels',
        'auth',
        'ports',
        'redis',
        'images',
        'bind',
        'announce',
        'name',
        'replicas',
        'quorum',
        'count',
        '__proto__',
        'constructor',
      ),
      fc.string({ maxLength: 8 }),
    ),
    tie('node'),
    { maxKeys: 5 },
  ),
})).node;

/** Documents crafted to break parsers: alias bombs, deep nesting, tags, several documents. */
export const nasty = fc.constantFrom(
  'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nmasters: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n',
  `${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  `${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`,
  `masters:\n${Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i + 1)}- `).join('\n')}x\n`,
  'project: a\n---\nproject: b\n',
  'masters: !!binary aGVsbG8=\n',
  'masters: !!set { a, b }\n',
  'masters: !foo bar\n',
  'sentinels: !!omap [ count: 3 ]\n',
  'x: &x { <<: *x }\n',
  '<<: { project: a }\nproject: b\n',
  'version: 1\nversion: 1\n',
  '__proto__: { polluted: true }\nproject: x\n',
  'constructor: { prototype: { polluted: true } }\n',
  'masters:\n  - name: a\n    __proto__: { replicas: 99999999 }\n',
  'sentinels: { count: 1e308 }\n',
  'masters: [{ name: x, replicas: 18446744073709551616 }]\n',
  'masters: [{ replicas: .nan }]\n',
  '? [a, b]\n: c\n',
  '? { a: 1 }\n: c\n',
  '"\\uD800": 1\n',
  'project: "\\0\\x01"\n',
  '%YAML 1.1\n---\nproject: yes\n',
  '%TAG ! tag:example.com,2000:\n---\nproject: !x y\n',
  '\t\tproject: x\n',
  '',
  '\ufeff',
  '# only a comment\n',
  'null\n',
  '[]\n',
  '42\n',
  '"a string"\n',
);

// ---- mutations of valid specs --------------------------------------------------------------

type Path = Array<string | number>;

function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function mutate(doc: unknown, at: Path, op: 'set' | 'delete' | 'add' | 'rename', value: unknown, key: string): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  if (at.length === 0) return op === 'set' ? value : root;
  const parent = at.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (op === 'set') parent[last] = value;
  else if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op === 'add') {
    const target = parent[last];
    if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[key] = value;
    else if (Array.isArray(target)) target.push(value);
  } else if (op === 'rename' && !Array.isArray(parent)) {
    parent[key] = parent[last];
    delete parent[last];
  }
  return root;
}

export const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom<'set' | 'delete' | 'add' | 'rename'>('set', 'set', 'delete', 'add', 'rename'),
  value: fc.oneof(scalar, tree, fc.integer({ min: -5, max: 100_000 }), fc.constantFrom(0, 1, 2, 25, 26, 65535, 65536, 200, 201, -1)),
  key: fc.oneof(
    fc.constantFrom('replica', 'quorom', 'slaves', 'replicas', 'password', 'sentinel-password', 'user', 'count', 'name', 'bind'),
    fc.string({ maxLength: 6 }),
  ),
});

/** An example spec with 1-4 random mutations, as YAML text. */
export const mutatedExample = fc.tuple(fc.nat({ max: examples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([which, muts]) => {
  let doc: unknown = examples[which];
  for (const m of muts) {
    const all = paths(doc);
    doc = mutate(doc, all[m.pick % all.length]!, m.op, m.value, m.key);
  }
  return stringify(doc);
});

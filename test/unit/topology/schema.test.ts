import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkShape } from '../../../src/topology/check-shape.js';
import { DEFAULTS } from '../../../src/topology/defaults.js';
import { deref, specSchema, type JsonSchema } from '../../../src/topology/schema.js';

const schema = specSchema();
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const validate = ajv.compile(schema);

describe('the published JSON Schema', () => {
  it('compiles under ajv in strict mode (draft-07)', () => {
    expect((schema as Record<string, unknown>)['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(typeof validate).toBe('function');
  });

  it('accepts ports: auto, an auto range beside a fixed one, and nothing else for a port', () => {
    expect(validate({ ports: 'auto' })).toBe(true);
    expect(validate({ ports: { redis: 'auto', sentinel: 26379 } })).toBe(true);
    expect(validate({ ports: 'any' })).toBe(false);
    expect(validate({ ports: { redis: 'free' } })).toBe(false);
  });

  it('states the same defaults as the code', () => {
    const p = schema.properties!;
    const sub = (k: string) => deref(p[k]!).properties!;
    expect(deref(p.project!).default).toBe(DEFAULTS.project);
    expect(deref(p.network!).default).toBe(DEFAULTS.network);
    expect(deref(p.timezone!).default).toBe(DEFAULTS.timezone);
    expect(deref(sub('images').redis!).default).toBe(DEFAULTS.images.redis);
    expect(deref(sub('images').node!).default).toBe(DEFAULTS.images.node);
    expect(deref(sub('images').sentinel!).default).toBe(DEFAULTS.images.sentinel);
    // `ports` is `auto` or the mapping of first ports.
    const ports = deref(p.ports!)
      .oneOf!.map((o) => deref(o))
      .find((o) => o.properties)!.properties!;
    expect(deref(ports.redis!).default).toBe(DEFAULTS.ports.redis);
    expect(deref(ports.sentinel!).default).toBe(DEFAULTS.ports.sentinel);
    const s = sub('sentinels');
    expect(deref(s.count!).default).toBe(DEFAULTS.sentinels.count);
    expect(deref(s.implementation!).default).toBe(DEFAULTS.sentinels.implementation);
    expect(deref(s['down-after-milliseconds']!).default).toBe(DEFAULTS.sentinels.downAfterMs);
    expect(deref(s['failover-timeout']!).default).toBe(DEFAULTS.sentinels.failoverTimeoutMs);
    expect(deref(s['parallel-syncs']!).default).toBe(DEFAULTS.sentinels.parallelSyncs);
    const r = sub('redis');
    expect(deref(r.persistence!).default).toBe(DEFAULTS.persistence);
    expect(deref(r['min-replicas-to-write']!).default).toBe(DEFAULTS.minReplicasToWrite);
    expect(deref(r['min-replicas-max-lag']!).default).toBe(DEFAULTS.minReplicasMaxLag);
    const master = deref(schema.definitions!.master!).properties!;
    expect(deref(master.replicas!).default).toBe(DEFAULTS.replicas);
  });

  it('every example spec is valid for ajv', async () => {
    const { parse } = await import('yaml');
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync('examples').filter((x) => x.endsWith('.yaml'))) {
      const doc = parse(readFileSync(`examples/${f}`, 'utf8'));
      // ${VAR} strings are valid strings for the schema too, except where a number is expected.
      expect(validate(doc), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

/** Values of every kind, weighted towards what the schema accepts, so both sides get exercised. */
function valueFor(node: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const s = deref(node, schema);
  const junk = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -5, max: 70000 }), fc.string({ maxLength: 6 }), fc.constant([]), fc.constant({}));
  if (s.oneOf) return fc.oneof(...s.oneOf.map((o) => valueFor(o, depth)), junk);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const good: fc.Arbitrary<unknown>[] = [];
  if (s.enum) good.push(fc.constantFrom(...s.enum));
  if (types.includes('integer')) good.push(fc.integer({ min: (s.minimum ?? 0) - 2, max: (s.maximum ?? 100) + 2 }));
  if (types.includes('null')) good.push(fc.constant(null));
  if (types.includes('string') && !s.enum) {
    good.push(fc.constantFrom('a', 'ab-1', 'Asia/Shanghai', 'redis:7.0', '127.0.0.1', 'host.docker.internal', 'pw!x', 'a b', 'UPPER', '', 'x'.repeat(41)));
  }
  if (types.includes('array') && s.items && depth < 3) good.push(fc.array(valueFor(s.items, depth + 1), { maxLength: 3 }));
  if (types.includes('object') && depth < 3) {
    const props = Object.entries(s.properties ?? {}).filter(([k]) => k !== '$schema');
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, v] of props) record[k] = valueFor(v, depth + 1);
    good.push(
      fc
        .tuple(fc.record(record, { requiredKeys: [] }), fc.option(fc.constantFrom('typo', 'replica', 'count_'), { nil: undefined }))
        .map(([obj, extra]) => (extra ? { ...obj, [extra]: 1 } : obj)),
    );
  }
  return good.length ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...good) }, { weight: 1, arbitrary: junk }) : junk;
}

describe('the validator and ajv agree on the spec shape', () => {
  it('accept and reject the same documents (property test)', () => {
    fc.assert(
      fc.property(valueFor(schema, 0), (doc) => {
        const ours = checkShape(doc).problems.length === 0;
        const theirs = validate(doc);
        expect(ours, `doc ${JSON.stringify(doc)} ajv errors ${JSON.stringify(validate.errors)}`).toBe(theirs);
      }),
      { numRuns: 600 },
    );
  });
});

describe('the README spec reference', () => {
  it('documents every property of the schema', () => {
    const doc = readFileSync('README.md', 'utf8');
    const missing: string[] = [];
    const visit = (node: JsonSchema, prefix: string) => {
      const s = deref(node, schema);
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (k === '$schema') continue;
        const p = prefix ? `${prefix}.${k}` : k;
        if (!doc.includes(`\`${p}\``)) missing.push(p);
        visit(v, p);
      }
      if (s.items) visit(s.items, `${prefix}[]`);
      for (const alt of s.oneOf ?? []) visit(alt, prefix);
    };
    visit(schema, '');
    expect(missing).toEqual([]);
  });
});

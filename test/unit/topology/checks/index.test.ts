import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKS, checkSpec } from '../../../../src/topology/checks/index.js';
import { interpolateTree } from '../../../../src/topology/interpolate.js';
import { readSpec } from '../../../../src/topology/read.js';
import { examples, mutation } from '../../../helpers/spec-arbitraries.js';
import { readYaml } from '../../../helpers/spec-read.js';

describe('checkSpec', () => {
  it('runs every check and sorts what they find into errors and warnings, in check order', () => {
    const spec = readYaml('sentinels:\n  count: 4\nmasters:\n  - name: a\n    quorum: 5\n    replicas: 0\nports:\n  redis: 26380\n');
    const { errors, warnings } = checkSpec(spec);
    expect(errors.map((p) => p.path)).toEqual(['masters[0].quorum', 'ports']);
    expect(warnings.map((p) => p.path)).toEqual(['masters[0].replicas', 'sentinels.count']);
    expect([...errors, ...warnings].every((p) => !('severity' in p))).toBe(true);
    const direct = CHECKS.flatMap((c) => c(spec));
    expect(direct).toHaveLength(errors.length + warnings.length);
  });

  it('the example specs pass every check', () => {
    for (const e of examples) {
      const { value, fromVariables } = interpolateTree(e, { EXAMPLE_REDIS_PASSWORD: 'r', EXAMPLE_SENTINEL_PASSWORD: 's' }, '.env');
      const { errors } = checkSpec(readSpec(value, { rejected: new Set(), fromVariables }).spec);
      expect(errors).toEqual([]);
    }
  });

  it('no check throws on any read, however odd, and every problem names a path and says why', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 70000 }),
      fc.string({ maxLength: 5 }),
      fc.constant(null),
      fc.constant([]),
      fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.nat({ max: examples.length - 1 }), mutation, value, (i, m, v) => {
        const doc = structuredClone<Record<string, unknown>>(examples[i]!);
        doc[m.key] = v;
        for (const check of CHECKS) {
          for (const f of check(readSpec(doc, { rejected: new Set(), fromVariables: new Set() }).spec)) {
            expect(f.path.length).toBeGreaterThan(0);
            expect(f.message.length).toBeGreaterThan(0);
            expect(f.fix?.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downAfter } from '../../../../src/topology/checks/timing.js';
import { LOW_DOWN_AFTER_MS } from '../../../../src/topology/defaults.js';
import { readYaml } from '../../../helpers/spec-read.js';

describe('downAfter', () => {
  it('warns below the threshold, for the sentinels and for a master that sets its own', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_600_000 }), (ms) => {
        const low = ms < LOW_DOWN_AFTER_MS;
        expect(downAfter(readYaml(`sentinels:\n  down-after-milliseconds: ${ms}\n`)).length).toBe(low ? 1 : 0);
        expect(downAfter(readYaml(`masters:\n  - name: a\n    down-after-milliseconds: ${ms}\n`)).length).toBe(low ? 1 : 0);
      }),
    );
  });

  it('a master that only inherits a low value is not warned about twice', () => {
    expect(downAfter(readYaml('sentinels:\n  down-after-milliseconds: 200\nmasters:\n  - name: a\n  - name: b\n'))).toEqual([
      {
        severity: 'warning',
        path: 'sentinels.down-after-milliseconds',
        value: 200,
        message: '200 ms is very low: a busy machine or a GC pause can look like a failure and trigger a needless failover',
        fix: 'use 1000 or more',
      },
    ]);
  });
});

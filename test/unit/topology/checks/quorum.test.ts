import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quorum, sentinelCount } from '../../../../src/topology/checks/quorum.js';
import { readYaml } from '../../../helpers/spec-read.js';

const spec = (count: number, q: number) => readYaml(`sentinels:\n  count: ${count}\nmasters:\n  - name: a\n    quorum: ${q}\n`);

describe('quorum', () => {
  it('is an error above the sentinel count, a warning below a majority, silent otherwise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 25 }), (count, q) => {
        const found = quorum(spec(count, q));
        const majority = Math.floor(count / 2) + 1;
        const expected = q > count ? 'error' : q < majority ? 'warning' : undefined;
        expect(found.map((f) => f.severity)).toEqual(expected ? [expected] : []);
        for (const f of found) expect(f).toMatchObject({ path: 'masters[0].quorum', value: q });
      }),
    );
  });

  it('names the count, the range and the majority', () => {
    expect(quorum(spec(3, 4))).toEqual([
      {
        severity: 'error',
        path: 'masters[0].quorum',
        value: 4,
        message: 'is larger than sentinels.count (3), so no failover could ever start',
        fix: 'set a quorum from 1 to 3 (a majority is 2)',
      },
    ]);
    expect(quorum(spec(5, 2))[0]).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(/below a majority of the 5 sentinels: a minority can declare a down/),
      fix: 'use 3 unless you mean to',
    });
  });

  it('checks every master', () => {
    const found = quorum(readYaml('masters:\n  - name: a\n    quorum: 9\n  - name: b\n  - name: c\n    quorum: 7\n'));
    expect(found.map((f) => f.path)).toEqual(['masters[0].quorum', 'masters[2].quorum']);
  });

  it('the default quorum is a majority, so never a problem', () => {
    for (let count = 1; count <= 25; count++) expect(quorum(readYaml(`sentinels:\n  count: ${count}\n`))).toEqual([]);
  });
});

describe('sentinelCount', () => {
  it('warns about an even count only', () => {
    for (let count = 1; count <= 25; count++) {
      const found = sentinelCount(readYaml(`sentinels:\n  count: ${count}\n`));
      expect(found.length, String(count)).toBe(count % 2 === 0 ? 1 : 0);
    }
    expect(sentinelCount(readYaml('sentinels:\n  count: 4\n'))).toEqual([
      {
        severity: 'warning',
        path: 'sentinels.count',
        value: 4,
        message: 'an even number of sentinels tolerates no more failures than 3 (a leader needs 3 votes)',
        fix: 'use 3 or 5',
      },
    ]);
  });
});

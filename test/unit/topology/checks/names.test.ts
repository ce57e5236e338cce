import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { masterNames, serviceNames } from '../../../../src/topology/checks/names.js';
import { masterService, replicaService, sentinelService } from '../../../../src/topology/naming.js';
import { readYaml } from '../../../helpers/spec-read.js';

const mastersYaml = (ms: Array<{ name: string; replicas: number }>) =>
  `masters:\n${ms.map((m) => `  - name: ${m.name}\n    replicas: ${m.replicas}\n`).join('')}`;

describe('masterNames', () => {
  it('reports each repeat against the first master of that name', () => {
    expect(masterNames(readYaml('masters:\n  - name: a\n  - name: b\n  - name: a\n  - name: a\n'))).toEqual([
      { severity: 'error', path: 'masters[2].name', value: 'a', message: 'repeats masters[0].name', fix: 'give every master its own name' },
      { severity: 'error', path: 'masters[3].name', value: 'a', message: 'repeats masters[0].name', fix: 'give every master its own name' },
    ]);
  });

  it('leaves out a name the shape check rejected: its stand-in could only clash by accident', () => {
    expect(masterNames(readYaml('masters:\n  - name: Bad!\n  - name: master1\n', { rejected: ['masters[0].name'] }))).toEqual([]);
    expect(serviceNames(readYaml('masters:\n  - name: Bad!\n  - name: master1\n', { rejected: ['masters[0].name'] }))).toEqual([]);
  });
});

describe('serviceNames', () => {
  // With today's naming (-master, -replica-N, redis-sentinel-N) distinct names never collide, so
  // this finds nothing; the property keeps the check honest if the naming changes.
  it('reports a clash exactly when two distinct masters (or a master and the sentinels) produce one service name', () => {
    const name = fc.constantFrom('a', 'b', 'a-replica', 'a-replica-1', 'a-master', 'b-master', 'redis', 'redis-sentinel', 'redis-sentinel-1', 'x');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name, replicas: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 4, selector: (m) => m.name }),
        fc.integer({ min: 1, max: 5 }),
        (ms, count) => {
          const single = ms.length === 1;
          const all = [
            ...ms.flatMap((m) => [masterService(m.name, single), ...Array.from({ length: m.replicas }, (_, r) => replicaService(m.name, single, r + 1))]),
            ...Array.from({ length: count }, (_, s) => sentinelService(s + 1)),
          ];
          const clash = new Set(all).size !== all.length;
          const found = serviceNames(readYaml(`${mastersYaml(ms)}sentinels:\n  count: ${count}\n`));
          expect(found.length > 0, JSON.stringify({ ms, count, found })).toBe(clash);
        },
      ),
    );
  });
});

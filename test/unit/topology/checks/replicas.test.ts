import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canFailOver, minReplicasToWrite, persistence, replicaPriorities } from '../../../../src/topology/checks/replicas.js';
import { readYaml } from '../../../helpers/spec-read.js';

describe('replicaPriorities', () => {
  it('a list needs one entry per replica; a single number is always fine', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 22 }),
        fc.integer({ min: 0, max: 1000 }),
        (replicas, list, one) => {
          const found = replicaPriorities(readYaml(`masters:\n  - name: a\n    replicas: ${replicas}\n    replica-priority: ${JSON.stringify(list)}\n`));
          expect(found.length).toBe(list.length === replicas ? 0 : 1);
          expect(replicaPriorities(readYaml(`masters:\n  - name: a\n    replicas: ${replicas}\n    replica-priority: ${one}\n`))).toEqual([]);
        },
      ),
    );
  });

  it('points at the list where it is written, which may be redis:', () => {
    expect(replicaPriorities(readYaml('redis:\n  replica-priority: [1]\nmasters:\n  - name: a\n    replicas: 2\n'))).toEqual([
      {
        severity: 'error',
        path: 'redis.replica-priority',
        value: [1],
        message: 'has 1 entry but masters[0] (a) has 2 replicas',
        fix: 'give one priority per replica, or a single number for all of them',
      },
    ]);
    expect(replicaPriorities(readYaml('masters:\n  - name: a\n    replicas: 1\n    slave-priority: [1, 2]\n'))[0]).toMatchObject({
      path: 'masters[0].replica-priority',
      message: 'has 2 entries but masters[0] (a) has 1 replica',
    });
  });
});

describe('canFailOver', () => {
  it('warns about a master without replicas, or whose replicas all have priority 0', () => {
    expect(canFailOver(readYaml('masters:\n  - name: a\n    replicas: 0\n'))).toEqual([
      {
        severity: 'warning',
        path: 'masters[0].replicas',
        value: 0,
        message: 'a has no replicas: the sentinels can watch it but can never fail it over',
        fix: 'set replicas to 1 or more',
      },
    ]);
    expect(canFailOver(readYaml('redis:\n  replica-priority: 0\n'))).toMatchObject([
      { path: 'redis.replica-priority', value: 0, message: expect.stringMatching(/every replica of mymaster has priority 0/) },
    ]);
    expect(canFailOver(readYaml('masters:\n  - name: a\n    replica-priority: [0, 1]\n'))).toEqual([]);
  });
});

describe('minReplicasToWrite', () => {
  it('is an error above the replicas, a warning when it leaves none to spare', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), (replicas, min) => {
        const found = minReplicasToWrite(readYaml(`masters:\n  - name: a\n    replicas: ${replicas}\n    min-replicas-to-write: ${min}\n`));
        const expected = min > replicas ? 'error' : min > 0 && min === replicas ? 'warning' : undefined;
        expect(found.map((f) => f.severity)).toEqual(expected ? [expected] : []);
      }),
    );
  });

  it("names the master's own field even when the value comes from redis: or the seed's word", () => {
    expect(minReplicasToWrite(readYaml('redis:\n  min-slaves-to-write: 3\nmasters:\n  - name: a\n    replicas: 1\n'))).toEqual([
      {
        severity: 'error',
        path: 'masters[0].min-replicas-to-write',
        value: 3,
        message: 'is more than the 1 replica of a: the master would refuse every write',
        fix: 'set it from 0 to 1',
      },
    ]);
  });
});

describe('persistence', () => {
  it('warns about none where there are replicas to wipe, at the place it is set', () => {
    expect(persistence(readYaml('redis:\n  persistence: none\n'))).toMatchObject([{ severity: 'warning', path: 'redis.persistence', value: 'none' }]);
    expect(persistence(readYaml('masters:\n  - name: a\n    persistence: none\n'))).toMatchObject([{ path: 'masters[0].persistence' }]);
    expect(persistence(readYaml('masters:\n  - name: a\n    persistence: none\n    replicas: 0\n'))).toEqual([]);
    expect(persistence(readYaml('redis:\n  persistence: aof\n'))).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ports } from '../../../../src/topology/checks/ports.js';
import { readYaml } from '../../../helpers/spec-read.js';

describe('ports', () => {
  it('reports ranges past 65535 and overlapping ranges, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 25 }),
        (redis, sentinel, replicas, count) => {
          const found = ports(
            readYaml(`ports:\n  redis: ${redis}\n  sentinel: ${sentinel}\nmasters:\n  - name: a\n    replicas: ${replicas}\nsentinels:\n  count: ${count}\n`),
          );
          const data = Array.from({ length: replicas + 1 }, (_, i) => redis + i);
          const sentinels = Array.from({ length: count }, (_, i) => sentinel + i);
          const expected = [
            ...(data.some((p) => p > 65535) ? ['ports.redis'] : []),
            ...(sentinels.some((p) => p > 65535) ? ['ports.sentinel'] : []),
            ...(data.some((p) => sentinels.includes(p)) ? ['ports'] : []),
          ];
          expect(found.map((f) => f.path)).toEqual(expected);
          expect(found.every((f) => f.severity === 'error')).toBe(true);
        },
      ),
    );
  });

  it('the last port, 65535, is still a port', () => {
    expect(ports(readYaml('ports:\n  redis: 65533\n  sentinel: 26379\n'))).toEqual([]);
    expect(ports(readYaml('ports:\n  sentinel: 65533\n'))).toEqual([]);
    expect(ports(readYaml('ports:\n  redis: 26376\n'))).toEqual([]);
  });

  it('says which ports each range needs and what to set instead', () => {
    expect(ports(readYaml('ports:\n  redis: 65534\n'))).toEqual([
      {
        severity: 'error',
        path: 'ports.redis',
        value: 65534,
        message: 'the 3 data nodes would need ports 65534-65536, past 65535',
        fix: 'set ports.redis to 65533 or lower',
      },
    ]);
    expect(ports(readYaml('ports:\n  redis: 26378\n'))).toEqual([
      {
        severity: 'error',
        path: 'ports',
        value: { redis: '26378-26380', sentinel: '26379-26381' },
        message: 'the data-node and sentinel port ranges overlap',
        fix: 'move one range, for example ports.sentinel: 26381',
      },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { knownNode } from '../../../src/runtime/known-node.js';
import { parseSpec } from '../../../src/topology/load.js';
import { allNodes } from '../../../src/topology/types.js';

describe('knownNode', () => {
  const nodes = new Map(allNodes(parseSpec('version: 1\nproject: demo\n').topology).map((n) => [n.service, n]));

  it('returns the node a service name names', () => {
    expect(knownNode(nodes, 'redis-master', 'project demo').service).toBe('redis-master');
  });

  it('refuses an unknown name with a usage error that lists the names there are', () => {
    let err: unknown;
    try {
      knownNode(nodes, 'redis-mastr', 'stack demo');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const issue = (err as UsageError).problems[0]!;
    expect(issue).toMatchObject({ path: 'service', value: 'redis-mastr', message: 'no service named "redis-mastr" in stack demo' });
    expect(issue.fix).toBe(`use one of: ${[...nodes.keys()].join(', ')}`);
    expect(issue.fix).toContain('redis-master');
  });
});

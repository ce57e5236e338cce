import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { checkImageReachesNodes, checkNodes } from '../../../src/runtime/swarm/engine.js';
import { assertSwarmSection, failingServices, parseStamped } from '../../../src/runtime/swarm/runtime.js';
import { isLocalImage } from '../../../src/topology/checks/swarm.js';
import { parseSpec } from '../../../src/topology/load.js';

const spec = (nodes: string, extra = '') => parseSpec(`project: t\n${extra}swarm:\n  nodes:\n${nodes}`).topology;
const three = '    - { name: a, address: 10.0.0.1 }\n    - { name: b, address: 10.0.0.2 }\n    - { name: c, address: 10.0.0.3 }\n';

function problems(fn: () => void): { path: string; message: string; fix?: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).problems;
  }
  return [];
}

describe('swarm runtime checks before a deploy', () => {
  it('names every spec node the swarm does not have, or that cannot run tasks, with the ones it has', () => {
    const p = problems(() =>
      checkNodes(spec(three), [
        { hostname: 'a', status: 'Ready', availability: 'Active' },
        { hostname: 'b', status: 'Down', availability: 'Active' },
      ]),
    );
    expect(p.map((x) => x.path)).toEqual(['swarm.nodes[1].name', 'swarm.nodes[2].name']);
    expect(p[0]!.message).toContain('down');
    expect(p[1]!.message).toBe('is not a node of this swarm');
    expect(p[1]!.fix).toContain('a, b');
    expect(
      problems(() =>
        checkNodes(
          spec(three),
          ['a', 'b', 'c'].map((hostname) => ({ hostname, status: 'Ready', availability: 'Active' })),
        ),
      ),
    ).toEqual([]);
  });

  it('refuses a multi-node stack whose bundled sentinel image only this machine has, saying how to push it', () => {
    const p = problems(() => checkImageReachesNodes(spec(three)));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ path: 'images.sentinel' });
    expect(p[0]!.fix).toContain('docker push');
    expect(problems(() => checkImageReachesNodes(spec(three, 'images: { sentinel: "registry.example.com:5000/sentinel:1" }\n')))).toEqual([]);
    // One node (it builds the image there) or redis-sentinel (a pullable image): nothing to say.
    expect(problems(() => checkImageReachesNodes(spec('    - { name: a, address: 10.0.0.1 }\n')))).toEqual([]);
    expect(problems(() => checkImageReachesNodes(spec(three, 'sentinels: { implementation: redis }\n')))).toEqual([]);
  });

  it('tells a local tag from a registry reference', () => {
    expect(isLocalImage('sentinel-compose/sentinel:local')).toBe(true);
    expect(isLocalImage('mine:local')).toBe(true);
    expect(isLocalImage('localhost:5000/sentinel:local')).toBe(false);
    expect(isLocalImage('registry.example.com/team/sentinel:1')).toBe(false);
  });

  it('--runtime swarm without a swarm section is bad input naming the section', () => {
    const p = problems(() => assertSwarmSection(parseSpec('project: t\n').topology));
    expect(p.map((x) => x.path)).toEqual(['swarm']);
  });

  it('reads docker service logs --raw --timestamps lines', () => {
    expect(parseStamped('2026-11-29T06:50:33.128456789Z 1:X # +monitor master', 's1', 5)).toEqual({
      service: 's1',
      time: Date.parse('2026-11-29T06:50:33.128Z'),
      line: '1:X # +monitor master',
    });
    expect(parseStamped('no stamp', 's1', 5)).toEqual({ service: 's1', time: 5, line: 'no stamp' });
    expect(parseStamped('  ', 's1', 5)).toBeNull();
  });

  it('finds services whose task Swarm rejected, or that keep failing, from docker stack ps', () => {
    const ps = [
      'p_redis-master.1\tRunning\tRunning 5 seconds ago\t',
      'p_redis-sentinel-1.1\tRunning\tRejected 2 seconds ago\tNo such image: sentinel:local',
      'p_redis-replica-1.1\tRunning\tStarting 1 second ago\t',
      '\\_ p_redis-replica-1.1\tShutdown\tFailed 10 seconds ago\ttask: non-zero exit (1)',
      '\\_ p_redis-replica-1.1\tShutdown\tFailed 20 seconds ago\ttask: non-zero exit (1)',
      '\\_ p_redis-replica-1.1\tShutdown\tFailed 30 seconds ago\ttask: non-zero exit (1)',
      '\\_ p_redis-replica-2.1\tShutdown\tFailed 30 seconds ago\ttask: non-zero exit (1)',
    ].join('\n');
    expect(failingServices(ps, 'p')).toEqual([
      { service: 'redis-sentinel-1', error: 'No such image: sentinel:local' },
      { service: 'redis-replica-1', error: 'task: non-zero exit (1)' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/common/errors.js';
import { describeDuration, resolveDuration } from '../../../src/drill/duration.js';
import { sentinelsPaused, unmetRequirement } from '../../../src/drill/requirements.js';
import { DEFAULT_SCENARIO, SCENARIOS, selectScenarios, validateScenarios } from '../../../src/drill/scenarios/index.js';
import type { MasterGroup } from '../../../src/topology/types.js';
import { seedTopology } from './fixtures.js';

const names = SCENARIOS.map((s) => s.name);

function problemsOf(fn: () => unknown): { path: string; message: string; fix?: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('built-in scenarios', () => {
  it('are the six the issue asks for, master-pause first and default, then the three partitions (issue 17)', () => {
    expect(names).toEqual([
      'master-pause',
      'sentinel-and-master-pause',
      'no-quorum',
      'replica-pause',
      'manual-failover',
      'master-kill-restart',
      'master-partition',
      'sentinel-minority-partition',
      'replica-partition',
    ]);
    expect(DEFAULT_SCENARIO).toBe('master-pause');
  });

  it('are valid data: each passes the validator that user scenario files go through', () => {
    const renamed = JSON.parse(JSON.stringify(SCENARIOS.map((s) => ({ ...s, name: `copy-${s.name}` }))));
    const parsed = validateScenarios(renamed, 'builtin.json', names);
    expect(parsed.map((s) => s.steps)).toEqual(SCENARIOS.map((s) => s.steps));
    expect(parsed.map((s) => s.expect)).toEqual(SCENARIOS.map((s) => s.expect));
  });

  it('each marks exactly one fault, and every failover scenario checks the old master comes back', () => {
    for (const s of SCENARIOS) {
      expect(
        s.steps.filter((x) => 'mark' in x && x.mark === 'fault'),
        s.name,
      ).toHaveLength(1);
      if (s.expect.some((e) => e.check === 'failover-happened'))
        expect(
          s.expect.map((e) => e.check),
          s.name,
        ).toContain('old-master-replica');
      expect(
        s.expect.map((e) => e.check),
        s.name,
      ).toEqual(expect.arrayContaining(['one-master', 'replicas-follow', 'sentinels-agree']));
    }
  });
});

describe('selectScenarios', () => {
  it('defaults to master-pause, keeps the order given, expands all, drops repeats', () => {
    expect(selectScenarios([]).map((s) => s.name)).toEqual(['master-pause']);
    expect(selectScenarios(['no-quorum', 'master-pause', 'no-quorum']).map((s) => s.name)).toEqual(['no-quorum', 'master-pause']);
    expect(selectScenarios(['all']).map((s) => s.name)).toEqual(names);
  });

  it('lists every unknown name with a did-you-mean', () => {
    const problems = problemsOf(() => selectScenarios(['master-paws', 'master-pause', 'xyz']));
    expect(problems).toHaveLength(2);
    expect(problems[0]!.message).toBe('unknown scenario "master-paws" (did you mean "master-pause"?)');
    expect(problems[0]!.path).toBe('scenario[0]');
    expect(problems[1]!.message).toBe('unknown scenario "xyz"');
    expect(problems[1]!.fix).toContain('master-pause, sentinel-and-master-pause');
  });
});

describe('validateScenarios', () => {
  it('accepts a scenario written by hand, with check names as strings', () => {
    const [s] = validateScenarios(
      [
        {
          name: 'replica-kill',
          steps: [
            { do: 'kill', target: { node: 'replica', index: 2 }, mark: 'fault' },
            { do: 'wait', until: 'sdown' },
            { do: 'hold', for: { downAfter: 1 } },
            { do: 'restart', target: { node: 'replica', index: 2 }, mark: 'heal' },
            { do: 'wait', until: 'healthy', timeout: 30000 },
          ],
          expect: ['no-failover', { check: 'no-lost-writes', severity: 'warn' }],
        },
      ],
      'mine.yaml',
      names,
    );
    expect(s!.steps[1]).toEqual({ do: 'wait', until: 'sdown', timeout: { downAfter: 2, ms: 60000 } });
    expect(s!.expect).toEqual([{ check: 'no-failover' }, { check: 'no-lost-writes', severity: 'warn' }]);
  });

  it('reports every problem with its path and a suggestion', () => {
    const problems = problemsOf(() =>
      validateScenarios(
        {
          scenarios: [
            { name: 'master-pause', steps: [], expect: [] },
            {
              name: 'x',
              steps: [
                { do: 'pasue', target: { node: 'master' } },
                { do: 'wait', until: 'helthy' },
                { do: 'pause', target: { node: 'sentinels', count: 0 } },
                { do: 'hold', for: 'long' },
              ],
              expect: ['one-mastr'],
              extra: 1,
            },
          ],
        },
        'mine.yaml',
        names,
      ),
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['mine.yaml: scenarios[0].name']).toBe('"master-pause" is a built-in scenario');
    expect(byPath['mine.yaml: scenarios[0].steps']).toBe('must be a non-empty list of steps');
    expect(byPath['mine.yaml: scenarios[1].steps[0].do']).toContain('(did you mean "pause"?)');
    expect(byPath['mine.yaml: scenarios[1].steps[1].until']).toContain('(did you mean "healthy"?)');
    expect(byPath['mine.yaml: scenarios[1].steps[2].target.count']).toBe('must be an integer >= 1, "majority" or "minority"');
    expect(byPath['mine.yaml: scenarios[1].steps[3].for']).toContain('must be milliseconds');
    expect(byPath['mine.yaml: scenarios[1].expect[0].check']).toContain('(did you mean "one-master"?)');
    expect(byPath['mine.yaml: scenarios[1].extra']).toContain('unknown field');
  });

  it('rejects a document that is not a list', () => {
    expect(problemsOf(() => validateScenarios({ name: 'x' }, 'mine.yaml', names))[0]!.message).toContain('must be a list of scenarios');
  });
});

describe('requirements', () => {
  const group = (replicas: number, quorum = 2): MasterGroup => {
    const g = seedTopology().masters[0]!;
    return { ...g, quorum, nodes: g.nodes.slice(0, replicas + 1) };
  };
  const byName = (n: string) => SCENARIOS.find((s) => s.name === n)!;

  it('counts the sentinels a scenario pauses; majority is ceil(n/2)', () => {
    expect(sentinelsPaused(byName('no-quorum'), 3)).toBe(2);
    expect(sentinelsPaused(byName('no-quorum'), 5)).toBe(3);
    expect(sentinelsPaused(byName('sentinel-and-master-pause'), 3)).toBe(1);
    expect(sentinelsPaused(byName('master-pause'), 3)).toBe(0);
  });

  it('skips what the topology cannot do, saying why', () => {
    expect(unmetRequirement(byName('master-pause'), group(2), 3)).toBeNull();
    expect(unmetRequirement(byName('master-pause'), group(0), 3)).toBe('needs 1 replica(s); mymaster has 0');
    expect(unmetRequirement(byName('sentinel-and-master-pause'), group(2), 2)).toBe(
      'with 1 of 2 sentinels paused, 1 are left: a failover needs a majority (2) and the quorum (2)',
    );
    expect(unmetRequirement(byName('sentinel-and-master-pause'), group(2, 3), 3)).toContain('the quorum (3)');
    expect(unmetRequirement(byName('no-quorum'), group(2), 1)).toBeNull();
  });
});

describe('durations', () => {
  it('scale with the group settings', () => {
    const g = { downAfterMs: 1000, failoverTimeoutMs: 10_000 };
    expect(resolveDuration(500, g)).toBe(500);
    expect(resolveDuration({ downAfter: 2, ms: 60_000 }, g)).toBe(62_000);
    expect(resolveDuration({ failoverTimeout: 0.5 }, g)).toBe(5000);
    expect(describeDuration({ downAfter: 2, ms: 60_000 })).toBe('2 x down-after + 60000 ms');
  });
});

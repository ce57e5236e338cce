/**
 * A RunScope on a fake clock (sleep advances it) with an observer the test scripts: what the
 * scope-*.test.ts files drive. Nothing real runs: `ps` lists nothing, so no process is "gone".
 */
import type { Clock } from '../../../../src/common/clock.js';
import { newRecord } from '../../../../src/drill/run/record.js';
import { RunScope, type RunDeps } from '../../../../src/drill/run/scope.js';
import type { Observation, Scenario } from '../../../../src/drill/types.js';

export interface FakeScope {
  run: RunScope;
  /** Every sleep asked for, in ms. */
  slept: number[];
  /** Every progress line. */
  said: string[];
  looks: () => number;
}

/** `look(t, n)`: the observation at time t (ms) on the n-th look (0-based). */
export function fakeScope(look: (t: number, n: number) => Observation, nodes: string[], sentinels: string[]): FakeScope {
  let t = 0;
  let looks = 0;
  const slept: number[] = [];
  const said: string[] = [];
  const clock: Clock = { now: () => t, monotonic: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
  const observer = { observe: async () => look(t, looks++) };
  const runtime = { ps: async () => [] };
  const deps = { runtime, group: {}, opts: { pollMs: 200 }, clock, book: {}, observer, recorder: {}, say: (l: string) => said.push(l) } as unknown as RunDeps;
  const record = newRecord({ name: 'x' } as Scenario, 'mymaster', nodes, sentinels, 0, 0);
  return { run: new RunScope(deps, record), slept, said, looks: () => looks };
}

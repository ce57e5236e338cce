/** `wait`: observe until a condition holds; fails the run with what is still missing at the timeout. */
import { healthyMissing } from '../../runtime/observe/index.js';
import { failedOverMissing, sdownMissing } from '../checks.js';
import { describeDuration, resolveDuration } from '../duration.js';
import type { RunScope } from '../run/scope.js';
import type { Condition, Observation } from '../types.js';
import type { StepHandler } from './types.js';

/** What is still missing for `c` (empty: it holds), in words a person can act on. */
function missingFor(c: Condition, run: RunScope): (obs: Observation) => string[] {
  switch (c) {
    case 'healthy':
      return (obs) => healthyMissing(obs, run.context());
    case 'failed-over':
      return (obs) => failedOverMissing(obs, run.context(), run.events());
    case 'sdown':
      return () => sdownMissing(run.events(), run.record.faulted, run.context().faultFrom);
  }
}

export const wait: StepHandler<'wait'> = {
  label: (step) => `wait until ${step.until} (up to ${describeDuration(step.timeout)})`,
  async run(step, run) {
    const ms = resolveDuration(step.timeout, run.deps.group);
    run.say(`waiting until ${step.until} (up to ${(ms / 1000).toFixed(0)} s)`);
    await run.waitFor(step.until, missingFor(step.until, run), ms);
  },
};

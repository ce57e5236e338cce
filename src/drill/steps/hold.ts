/** `hold`: keep the load running and keep watching, doing nothing. */
import { describeDuration, resolveDuration } from '../duration.js';
import type { StepHandler } from './types.js';

export const hold: StepHandler<'hold'> = {
  label: (step) => `hold ${describeDuration(step.for)}`,
  async run(step, run) {
    const ms = resolveDuration(step.for, run.deps.group);
    run.say(`holding ${(ms / 1000).toFixed(1)} s`);
    await run.watch(ms);
  },
};

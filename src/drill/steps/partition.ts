/**
 * `partition`: cut every network link between the target and the rest of the topology. t = 0 is
 * when the rules are in place in every affected container.
 */
import { resolveTarget, targetLabel } from './targets.js';
import type { StepHandler } from './types.js';

export const partition: StepHandler<'partition'> = {
  label: (step) => `cut off ${targetLabel(step.isolate)}`,
  async run(step, run, rec) {
    const isolated = resolveTarget(step.isolate, run.record);
    rec.services = isolated;
    run.say(`cutting ${isolated.join(', ')} off from every other service (starting the network helpers first)`);
    await run.cut(isolated);
    for (const s of isolated) run.faulted(s);
    if (step.mark === 'fault') run.markFault();
    run.say(`${isolated.join(', ')} cut off`);
  },
};

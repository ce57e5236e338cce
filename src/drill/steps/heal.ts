/** `heal`: bring back everything the run paused or killed and has not brought back yet. */
import type { StepHandler } from './types.js';

export const heal: StepHandler<'heal'> = {
  label: () => 'heal the partition and everything paused or killed',
  async run(_step, run, rec) {
    rec.services = await run.bringBackAll();
    run.say(`healed ${rec.services.join(', ') || 'nothing (nothing was down)'}`);
  },
};

/** `failover`: SENTINEL FAILOVER <group> on the first sentinel the run has not taken down that accepts it. */
import type { StepHandler } from './types.js';

export const failover: StepHandler<'failover'> = {
  label: () => 'SENTINEL FAILOVER',
  async run(step, run, rec) {
    if (step.mark === 'fault') run.markFault();
    const group = run.record.group;
    const errors: string[] = [];
    for (const s of run.record.sentinels) {
      if (run.down.isDown(s)) continue;
      try {
        await run.observer.sentinelCommand(s, 'SENTINEL', 'FAILOVER', group);
      } catch (err) {
        errors.push(`${s}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      rec.services = [s];
      run.say(`SENTINEL FAILOVER ${group} sent to ${s}`);
      // The old master is displaced without being faulted: track when it is a replica.
      run.displaced(run.initialMaster);
      return;
    }
    throw new Error(`no sentinel accepted SENTINEL FAILOVER ${group}: ${errors.join('; ')}`);
  },
};

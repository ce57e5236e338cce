/** `pause` and `kill`: take the target down. A step marked `fault` is t = 0 of the report. */
import type { RecordedStep } from '../run/record.js';
import type { RunScope } from '../run/scope.js';
import { resolveTarget, targetLabel } from './targets.js';
import type { StepHandler, StepOf } from './types.js';

async function takeDown(step: StepOf<'pause' | 'kill'>, run: RunScope, rec: RecordedStep, how: (service: string) => Promise<void>): Promise<void> {
  const targets = resolveTarget(step.target, run.record);
  rec.services = targets;
  run.say(`${step.do} ${targets.join(', ')}`);
  for (const s of targets) {
    await how(s);
    run.faulted(s);
  }
  // t = 0 is when the runtime says the fault is in place: `docker-compose pause` spends seconds
  // starting up before it freezes anything, SIGSTOP takes effect at once.
  if (step.mark === 'fault') run.markFault();
}

/** SIGSTOP (local) or `docker pause`: the service stops answering but keeps its connections. */
export const pause: StepHandler<'pause'> = {
  label: (step) => `pause ${targetLabel(step.target)}`,
  run: (step, run, rec) => takeDown(step, run, rec, (s) => run.down.pause(s)),
};

/** SIGKILL: a crash rather than a hang; connections are refused at once. */
export const kill: StepHandler<'kill'> = {
  label: (step) => `kill ${targetLabel(step.target)}`,
  run: (step, run, rec) => takeDown(step, run, rec, (s) => run.down.kill(s)),
};

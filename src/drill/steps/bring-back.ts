/** `unpause` and `restart`: bring the target back; rejoin times count from here. */
import type { RecordedStep } from '../run/record.js';
import type { RunScope } from '../run/scope.js';
import { resolveTarget, targetLabel } from './targets.js';
import type { StepHandler, StepOf } from './types.js';

async function bringBack(step: StepOf<'unpause' | 'restart'>, run: RunScope, rec: RecordedStep, how: (service: string) => Promise<void>): Promise<void> {
  const targets = resolveTarget(step.target, run.record);
  rec.services = targets;
  run.say(`${step.do} ${targets.join(', ')}`);
  for (const s of targets) await how(s);
}

export const unpause: StepHandler<'unpause'> = {
  label: (step) => `unpause ${targetLabel(step.target)}`,
  run: (step, run, rec) => bringBack(step, run, rec, (s) => run.down.unpause(s)),
};

export const restart: StepHandler<'restart'> = {
  label: (step) => `restart ${targetLabel(step.target)}`,
  run: (step, run, rec) => bringBack(step, run, rec, (s) => run.down.restart(s)),
};

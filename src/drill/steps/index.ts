/**
 * Scenario steps by kind: each kind (`do`) is a handler in this folder, and this is the one
 * place that knows them all. A new kind is a handler here, a case in types.ts's `Step` and in
 * scenarios/validate.ts.
 */
import type { RecordedStep } from '../run/record.js';
import type { RunScope } from '../run/scope.js';
import type { Step } from '../types.js';
import { restart, unpause } from './bring-back.js';
import { failover } from './failover.js';
import { heal } from './heal.js';
import { hold } from './hold.js';
import { partition } from './partition.js';
import { kill, pause } from './take-down.js';
import type { StepHandler } from './types.js';
import { wait } from './wait.js';

export const STEP_HANDLERS: { [K in Step['do']]: StepHandler<K> } = { pause, kill, unpause, restart, failover, wait, hold, heal, partition };

function handlerFor(step: Step): StepHandler<Step['do']> {
  // The map's type pairs each kind with its handler; TypeScript cannot follow that through an index.
  return STEP_HANDLERS[step.do];
}

export function stepLabel(step: Step): string {
  return handlerFor(step).label(step);
}

/** Plays one step, recording when it started and ended and what went wrong. */
export async function playStep(step: Step, index: number, run: RunScope): Promise<void> {
  const rec: RecordedStep = { index, label: stepLabel(step), services: [], startedAt: run.now(), endedAt: null };
  if ('mark' in step && step.mark) rec.mark = step.mark;
  run.record.steps.push(rec);
  try {
    await handlerFor(step).run(step, run, rec);
  } catch (err) {
    rec.error = err instanceof Error ? err.message : String(err);
    throw err;
  } finally {
    rec.endedAt = run.now();
  }
}

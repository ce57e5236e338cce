/** The shape of a step handler: what one kind of scenario step does, and how it is named. */
import type { RecordedStep } from '../run/record.js';
import type { RunScope } from '../run/scope.js';
import type { Step } from '../types.js';

/** The steps of one kind (`do`). */
export type StepOf<K extends Step['do']> = Step & { do: K };

export interface StepHandler<K extends Step['do']> {
  /** How the step reads in progress lines and reports. */
  label(step: StepOf<K>): string;
  /**
   * Does the step. `rec` is its entry in the run's record: set `rec.services` to what it acts on
   * as soon as that is known. Its times and error are recorded by the caller (./index.ts).
   */
  run(step: StepOf<K>, run: RunScope, rec: RecordedStep): Promise<void>;
}

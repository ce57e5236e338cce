/**
 * What a named check returns: problems, each an error (the spec cannot be rendered) or a warning
 * (it can, but probably not as meant).
 */
import type { Problem } from '../../common/errors.js';
import type { SpecRead } from '../read.js';

export interface Finding extends Problem {
  severity: 'error' | 'warning';
}

/** A named cross-field rule: everything it finds wrong with the spec, or nothing. */
export type Check = (spec: SpecRead) => Finding[];

export function error(p: Problem): Finding {
  return { severity: 'error', ...p };
}

export function warning(p: Problem): Finding {
  return { severity: 'warning', ...p };
}

export function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

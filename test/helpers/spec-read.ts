/**
 * A typed read of a spec written as YAML, without the shape check or interpolation, for testing
 * the named checks on their own. `rejected` marks paths as if the shape check had rejected them.
 */
import { parse } from 'yaml';
import { readSpec, type SpecRead } from '../../src/topology/read.js';

export function readYaml(yaml: string, opts: { rejected?: string[]; fromVariables?: string[] } = {}): SpecRead {
  return readSpec(parse(yaml) ?? {}, { rejected: new Set(opts.rejected ?? []), fromVariables: new Set(opts.fromVariables ?? []) }).spec;
}

/** The `spec` option: a file, an object, or the built-in default with `ports: auto`. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import type { SpecSource } from '../runtime/bring-up/index.js';
import { loadSpecFile, parseSpecObject, type LoadedSpec } from '../topology/load.js';
import type { SpecObject } from './types.js';

/**
 * Reads and checks the spec before anything is written (bad input leaves nothing on disk). An
 * object or the default without a `project` gets one of its own, so that two topologies started
 * at once never share Docker Compose project names.
 */
export function loadStartSpec(spec: string | SpecObject | undefined): { loaded: LoadedSpec; source: SpecSource } {
  let loaded: LoadedSpec;
  let label: string;
  if (typeof spec === 'string') {
    const file = path.resolve(spec);
    if (!existsSync(file)) {
      throw new UsageError([
        { path: 'spec', value: spec, message: 'no such file', fix: 'give the path of a spec file, a spec object, or leave spec out for the default' },
      ]);
    }
    loaded = loadSpecFile(file);
    label = spec;
  } else if (spec === undefined) {
    loaded = parseSpecObject({ version: 1, project: uniqueProject(), ports: 'auto' }, { label: 'the built-in default' });
    label = 'the built-in default';
  } else {
    const own = spec !== null && typeof spec === 'object' && !Array.isArray(spec) && spec.project === undefined ? { ...spec, project: uniqueProject() } : spec;
    loaded = parseSpecObject(own, { label: 'the spec object' });
    label = 'the spec object';
  }
  return { loaded, source: { exists: true, label, load: () => loaded } };
}

function uniqueProject(): string {
  return `sc-${randomBytes(4).toString('hex')}`;
}

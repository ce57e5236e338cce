export type * from './types.js';
export { allNodes } from './types.js';
export { loadSpecFile, parseSpec, DEFAULT_SPEC_FILE, type LoadedSpec, type Secrets } from './load.js';
export type { Spec, MasterSpec } from './spec.js';
export { DEFAULTS } from './defaults.js';
export { SCHEMA_FILE, specSchema } from './schema.js';

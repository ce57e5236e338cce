export type * from './types.js';
export { parseSentinelConfig, loadSentinelConfig, splitLines, emptyConfig, memoryOf, DEFAULTS, DEFAULT_SENTINEL_PORT } from './parse.js';
export { renderRewrite, rewriteSentinelConfig, writeFileAtomicSync, ConfigWriteError, REWRITE_SIGNATURE } from './rewrite.js';
export { repr, bareOrRepr } from './quote.js';
export { REDIS_DIRECTIVES } from './redis-directives.js';

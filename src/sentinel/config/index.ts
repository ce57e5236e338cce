export type * from './types.js';
export { parseSentinelConfig, loadSentinelConfig } from './parse.js';
export { renderRewrite, rewriteSentinelConfig, REWRITE_SIGNATURE } from './rewrite.js';

export { renderNodeConfig, reachableAddress, type NodeConfig, type NodeSecrets, type RenderTarget } from './node-config.js';
export { renderFiles, MANIFEST_FILE, BUNDLE_PLACEHOLDER, type RenderedFile, type RenderOptions, type SentinelBundle } from './files.js';
export { writeOutput, checkOutput, DEFAULT_OUT_DIR, RUNTIME_DIRS, type WriteResult, type CheckResult } from './output.js';
export { readSecrets } from './secrets.js';
export { summarise, CONFIG_MOUNT } from './compose.js';
export { defaultSentinelBundle } from './bundle.js';
export { renderSwarmFiles, STACK_FILE, SWARM_DIR, SWARM_SERVICE_LABEL } from './swarm.js';

export type * from './types.js';
export { LinkError } from './errors.js';
export { createCommandLink, CommandLinkImpl } from './command-link.js';
export { createPubSubLink, PubSubLinkImpl } from './pubsub-link.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_RECONNECT_PERIOD_MS } from './link.js';

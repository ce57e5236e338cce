export type * from './types.js';
export { LinkError } from './errors.js';
export { createCommandLink } from './command-link.js';
export { createPubSubLink } from './pubsub-link.js';

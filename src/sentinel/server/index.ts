export type * from './types.js';
export { Server, ListenError, createServer, isLoopback } from './server.js';
export { sha256Hex } from './auth.js';

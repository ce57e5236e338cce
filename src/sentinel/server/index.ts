export type * from './types.js';
export { Server, ListenError, createServer, isLoopback } from './server.js';
export { globMatch } from './glob.js';
export { sha256Hex, defaultUser, applyAclRules, describeUser, checkPassword } from './auth.js';
export { clientLine } from './client-command.js';

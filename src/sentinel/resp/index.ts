export type { Reply, ProtocolVersion } from './types.js';
export { R } from './types.js';
export { encodeReply, encodeCommand, encodeCommandText, formatDouble } from './encoder.js';
export { RequestParser, ProtocolError } from './request-parser.js';
export type { RequestParserOptions } from './request-parser.js';
export { ReplyParser, ReplyProtocolError } from './reply-parser.js';
export { splitArgs } from './splitargs.js';

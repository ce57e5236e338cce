export type { Reply, ProtocolVersion } from './types.js';
export { R } from './types.js';
export { encodeReply, encodeCommand, encodeCommandText, formatDouble } from './encoder.js';
export { RequestParser, ProtocolError, parseLongLong, PROTO_INLINE_MAX_SIZE, DEFAULT_PROTO_MAX_BULK_LEN } from './request-parser.js';
export type { RequestParserOptions } from './request-parser.js';
export { ReplyParser, ReplyProtocolError } from './reply-parser.js';
export { splitArgs } from './splitargs.js';

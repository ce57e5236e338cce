import type { LinkErrorKind } from './types.js';

/** Why a command on a link got no reply: timeout, disconnect, not connected, or closed. */
export class LinkError extends Error {
  constructor(
    readonly kind: LinkErrorKind,
    readonly peer: string,
    message: string,
  ) {
    super(`${peer}: ${message}`);
    this.name = 'LinkError';
  }
}

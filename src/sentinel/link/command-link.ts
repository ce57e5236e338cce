/**
 * The command link: pipelined requests with replies matched in order, a timeout per command, and
 * the pending count Redis keeps (it drops links with too many). A command that timed out keeps
 * its place in the queue, because its reply may still come and must not be taken for the next
 * command's.
 */
import type { Reply } from '../resp/types.js';
import { LinkError } from './errors.js';
import { BaseLink, DEFAULT_COMMAND_TIMEOUT_MS } from './link.js';
import type { CommandLink, LinkOptions } from './types.js';

interface Pending {
  resolve?: (r: Reply) => void;
  reject?: (e: LinkError) => void;
  timer?: NodeJS.Timeout;
  done: boolean;
}

export class CommandLinkImpl extends BaseLink implements CommandLink {
  private queue: Pending[] = [];
  lastReplyAt = 0;

  constructor(opts: LinkOptions) {
    super(opts);
    this.start();
  }

  get pendingCommands(): number {
    return this.queue.length;
  }

  send(args: Array<string | Buffer | number>, opts: { timeoutMs?: number } = {}): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.state === 'closed') return reject(new LinkError('closed', this.peer, 'link closed'));
      if (args.length === 0) return reject(new LinkError('not-connected', this.peer, 'empty command'));
      const mapped = [this.mapName(String(args[0])), ...args.slice(1)];
      if (!this.write(mapped)) return reject(new LinkError('not-connected', this.peer, 'not connected'));
      const p: Pending = { resolve, reject, done: false };
      const timeout = opts.timeoutMs ?? this.opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
      if (timeout > 0) {
        p.timer = setTimeout(() => {
          if (p.done) return;
          p.done = true;
          reject(new LinkError('timeout', this.peer, `no reply to ${String(args[0])} in ${timeout} ms`));
        }, timeout);
      }
      this.queue.push(p);
    });
  }

  trySend(args: Array<string | Buffer | number>, opts?: { timeoutMs?: number }): Promise<Reply | LinkError> {
    return this.send(args, opts).catch((e: unknown) => {
      if (e instanceof LinkError) return e;
      throw e;
    });
  }

  protected handshake(): void {
    for (const cmd of this.handshakeCommands()) {
      if (this.write(cmd)) this.queue.push({ done: true });
    }
  }

  protected onReply(r: Reply): void {
    this.lastReplyAt = this.now();
    const p = this.queue.shift();
    if (!p) {
      // A reply nobody asked for: the stream is out of step, start over.
      this.disconnect('unexpected reply');
      return;
    }
    if (p.timer) clearTimeout(p.timer);
    if (p.done) return;
    p.done = true;
    p.resolve?.(r);
  }

  protected onDropped(reason: string): void {
    const q = this.queue;
    this.queue = [];
    this.lastReplyAt = 0;
    const kind = this.state === 'closed' ? 'closed' : 'disconnected';
    for (const p of q) {
      if (p.timer) clearTimeout(p.timer);
      if (p.done) continue;
      p.done = true;
      p.reject?.(new LinkError(kind, this.peer, reason));
    }
  }
}

export function createCommandLink(opts: LinkOptions): CommandLink {
  return new CommandLinkImpl(opts);
}

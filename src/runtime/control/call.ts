/**
 * One command to one node on a connection of its own, with a deadline: a paused node accepts
 * the connection and never answers, and a command must not hang on it.
 */
import { Redis, ReplyError } from 'ioredis';
import type { Endpoint } from '../types.js';

export type CallResult = { ok: true; reply: unknown } | { ok: false; error: string; replyError: boolean };

export async function call(ep: Endpoint, password: string | undefined, args: [string, ...string[]], timeoutMs: number): Promise<CallResult> {
  const c = new Redis({
    host: ep.host,
    port: ep.port,
    password,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
  });
  c.on('error', () => {
    /* reported through the command that failed */
  });
  try {
    await c.connect();
    return { ok: true, reply: await c.call(...args) };
  } catch (err) {
    // A reply error (-INPROG ..., -NOGOODSLAVE ...) is the node's answer; anything else is no answer.
    return { ok: false, error: errorText(err), replyError: err instanceof ReplyError };
  } finally {
    c.disconnect();
  }
}

function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  const msg = e?.message ?? String(err);
  if (/timed? ?out/i.test(msg)) return `no answer within the deadline (paused?)`;
  return msg;
}

/** INFO replication's role of a data node, or undefined when it does not answer. */
export async function roleOf(ep: Endpoint, password: string | undefined, timeoutMs = 1000): Promise<'master' | 'replica' | undefined> {
  const r = await call(ep, password, ['INFO', 'replication'], timeoutMs);
  if (!r.ok) return undefined;
  const role = /^role:(\w+)/m.exec(String(r.reply))?.[1];
  return role === 'master' ? 'master' : role === 'slave' ? 'replica' : undefined;
}

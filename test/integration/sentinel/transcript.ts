/**
 * A transcript of commands run on several named connections to one server: each reply, or that
 * the connection was closed instead, then which connections the server closed. Two servers given
 * the same steps must produce the same transcript.
 */
import { RespConn, plain } from '../../helpers/resp-conn.js';
import type { Reply } from '../../../src/sentinel/resp/types.js';

/** `[connection, command]`; `$ID` / `$ADDR` stand for that connection's own id / address. */
export type Step = [string, ...string[]];

function normalise(r: Reply): unknown {
  const p = plain(r);
  // Client ids differ between the two servers.
  return typeof p === 'object' && p && 'map' in p ? { map: (p as { map: Array<[unknown, unknown]> }).map.map(([k, v]) => [k, k === 'id' ? 'ID' : v]) } : p;
}

/**
 * Runs the steps on named connections (each opened at its first step), one reply per step, and
 * reports each reply, or that the connection was closed instead, then which connections the
 * server closed.
 */
export async function transcript(port: number, steps: Step[]): Promise<unknown[]> {
  const conns = new Map<string, RespConn>();
  const out: unknown[] = [];
  try {
    for (const [name, ...cmd] of steps) {
      let c = conns.get(name);
      if (!c) conns.set(name, (c = await RespConn.connect(port)));
      const label = cmd.join(' ');
      if (cmd.some((a) => a === '$ID' || a === '$ADDR')) {
        const info = String(plain(await c.call('CLIENT', 'INFO')));
        const own = { $ID: /\bid=(\d+)/.exec(info)![1]!, $ADDR: /\baddr=(\S+)/.exec(info)![1]! } as Record<string, string>;
        cmd.splice(0, cmd.length, ...cmd.map((a) => own[a] ?? a));
      }
      c.send(...cmd);
      let reply: unknown;
      try {
        reply = normalise(await c.next(1000));
      } catch (err) {
        reply = c.closed ? 'closed, no reply' : String(err);
      }
      out.push([name, label, reply]);
    }
    for (const [name, c] of conns) out.push([name, (await c.waitClosed(300)) ? 'closed' : 'open']);
  } finally {
    for (const c of conns.values()) c.close();
  }
  return out;
}

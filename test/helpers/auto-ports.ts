/** What the `ports: auto` tests (integration on local processes, e2e under Docker) check alike. */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { findPortHolder } from '../../src/runtime/ports.js';
import { allNodes, type Topology } from '../../src/topology/types.js';
import { runCli } from './cli.js';

/** The host port each service got, as `up` recorded it in out/topology.json. */
export function recordedPorts(dir: string): Map<string, number> {
  const t = JSON.parse(readFileSync(path.join(dir, 'out', 'topology.json'), 'utf8')) as Topology;
  return new Map(allNodes(t).map((n) => [n.service, n.hostPort]));
}

/** `status --json` in `dir` says healthy and shows every node on the port `up` recorded for it. */
export async function expectStatusOnPorts(dir: string, ports: Map<string, number>): Promise<void> {
  const status = await runCli(['status', '--json'], dir);
  expect(status.code, status.stderr).toBe(0);
  const s = JSON.parse(status.stdout) as { healthy: boolean; snapshot: { nodes: { service: string; address: string }[] } };
  expect(s.healthy).toBe(true);
  for (const n of s.snapshot.nodes) expect(n.address).toBe(`127.0.0.1:${ports.get(n.service)}`);
}

/**
 * A listener on 127.0.0.1:`port` held by this test process, so the CLI finds the port taken. A
 * port a node was just killed on can stay busy for a moment (CI saw EADDRINUSE once right after
 * the node was gone): retried for a few seconds, then the error names what holds it.
 */
export async function holdPort(port: number, timeoutMs = 5000): Promise<net.Server> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await listenOnce(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) {
        const holder = findPortHolder(port);
        throw new Error(`cannot hold 127.0.0.1:${port}: ${holder ? `held by ${JSON.stringify(holder)}` : 'no holder found in /proc'}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function listenOnce(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port }, () => resolve(srv));
  });
}

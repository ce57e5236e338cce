import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { candidateRange, choosePorts, reservePort, systemPortSource, type PortSource } from '../../../src/runtime/auto-ports.js';

/** Ports listed as taken are not free; candidates come from a list, in order; reservations are shared. */
function fakeSource(opts: { taken?: number[]; candidates: number[]; reservedByOthers?: number[] }): PortSource & { reserved: Set<number> } {
  const reserved = new Set<number>();
  const others = new Set(opts.reservedByOthers ?? []);
  const queue = [...opts.candidates];
  return {
    reserved,
    isFree: async (p) => !(opts.taken ?? []).includes(p),
    candidate: () => {
      const c = queue.shift();
      if (c === undefined) throw new Error('out of candidates');
      return c;
    },
    reserve: (p) => {
      if (others.has(p) || reserved.has(p)) return false;
      reserved.add(p);
      return true;
    },
    unreserve: (p) => void reserved.delete(p),
  };
}

describe('choosing ports for auto nodes', () => {
  it('gives every service its own free port, skipping taken, reserved and avoided ones', async () => {
    const source = fakeSource({ taken: [20001], reservedByOthers: [20002], candidates: [20000, 20001, 20002, 20000, 20003, 20004, 20005] });
    const c = await choosePorts(['a', 'b', 'c'], { source, avoid: [20004] });
    expect([...c.ports]).toEqual([
      ['a', 20000],
      ['b', 20003],
      ['c', 20005],
    ]);
    expect(c.moved).toEqual([]);
    expect([...source.reserved].sort()).toEqual([20000, 20003, 20005]);
    c.release();
    expect(source.reserved.size).toBe(0);
  });

  it('keeps the ports a topology had while they are free, and says which moved', async () => {
    const source = fakeSource({ taken: [30001], candidates: [30500] });
    const c = await choosePorts(['a', 'b', 'c'], {
      source,
      previous: new Map([
        ['a', 30000],
        ['b', 30001],
        ['c', 30002],
      ]),
    });
    expect([...c.ports.values()]).toEqual([30000, 30500, 30002]);
    expect(c.moved).toEqual([{ service: 'b', from: 30001, to: 30500 }]);
  });

  it('a previous port another up has reserved meanwhile is given up too', async () => {
    const source = fakeSource({ reservedByOthers: [30000], candidates: [30700] });
    const c = await choosePorts(['a'], { source, previous: new Map([['a', 30000]]) });
    expect(c.ports.get('a')).toBe(30700);
  });

  it('gives up with an error, and releases what it reserved, when nothing is free', async () => {
    const taken = Array.from({ length: 300 }, (_, i) => 40000 + i);
    const source = fakeSource({ taken, candidates: [41000, ...taken] });
    await expect(choosePorts(['a', 'b'], { source })).rejects.toThrow(/no free port found for b/);
    expect(source.reserved.size).toBe(0);
  });

  it('draws candidates below the ephemeral range, or above it when it starts too low', () => {
    expect(candidateRange([32768, 60999])).toEqual([10000, 32768]);
    expect(candidateRange([1024, 60999])).toEqual([61000, 65536]);
  });
});

describe('machine-wide reservations', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("one live process holds a port; a dead one's reservation is taken over", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sc-resv-'));
    expect(reservePort(dir, 21000)).toBe(true);
    expect(reservePort(dir, 21000, process.pid + 1)).toBe(false);
    // A pid that cannot be alive (beyond pid_max).
    writeFileSync(path.join(dir, '21001'), '99999999\n');
    expect(reservePort(dir, 21001)).toBe(true);
  });

  it('the real source: a port something listens on is not free; a chosen one is free and reserved', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sc-resv-'));
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port: 0 }, r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const source = systemPortSource(dir);
      expect(await source.isFree(port)).toBe(false);
      const c = await choosePorts(['a', 'b'], { source, previous: new Map([['a', port]]) });
      expect(c.ports.get('a')).not.toBe(port);
      expect(new Set(c.ports.values()).size).toBe(2);
      for (const p of c.ports.values()) expect(await source.isFree(p)).toBe(true);
      expect(reservePort(dir, c.ports.get('b')!, process.pid + 1)).toBe(false);
      c.release();
    } finally {
      srv.close();
    }
  });
});

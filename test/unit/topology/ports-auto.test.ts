import { describe, expect, it } from 'vitest';
import { UsageError, type Problem } from '../../../src/common/errors.js';
import { parseSpec } from '../../../src/topology/load.js';
import { resolveTopology } from '../../../src/topology/resolve.js';
import { allNodes, hasAutoPort } from '../../../src/topology/types.js';

function problems(yaml: string): Problem[] {
  try {
    parseSpec(yaml, { env: {} });
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  return [];
}

describe('ports: auto in the spec', () => {
  it('ports: auto makes every node auto; render without chosen ports uses the default ranges', () => {
    const loaded = parseSpec('ports: auto', { env: {} });
    expect(loaded.spec.ports.auto).toEqual({ redis: true, sentinel: true });
    const t = loaded.topology;
    expect(t.ports).toEqual({ redis: true, sentinel: true });
    expect(allNodes(t).every((n) => hasAutoPort(t, n))).toBe(true);
    expect(allNodes(t).map((n) => n.port)).toEqual([6379, 6380, 6381, 26379, 26380, 26381]);
  });

  it('a fixed-port spec resolves as before, without a ports entry in topology.json', () => {
    const t = parseSpec('ports: {redis: 7000}', { env: {} }).topology;
    expect(t.ports).toBeUndefined();
    expect(allNodes(t).some((n) => hasAutoPort(t, n))).toBe(false);
  });

  it('one range auto, the other fixed: only that range is chosen, and its stand-in keeps clear of the fixed one', () => {
    const t = parseSpec('ports: {redis: auto, sentinel: 6380}', { env: {} }).topology;
    expect(t.ports).toEqual({ redis: true, sentinel: false });
    expect(t.sentinels.map((s) => s.port)).toEqual([6380, 6381, 6382]);
    expect(t.masters[0]!.nodes.map((n) => n.port)).toEqual([6383, 6384, 6385]);
  });

  it('chosen ports go to the auto nodes only; in bridge mode they are the published ports and the local ports', () => {
    const loaded = parseSpec('network: bridge\nports: {sentinel: auto}', { env: {} });
    const chosen = new Map([
      ['redis-master', 40001],
      ['redis-sentinel-1', 40100],
      ['redis-sentinel-2', 40101],
      ['redis-sentinel-3', 40102],
    ]);
    const t = resolveTopology(loaded.spec, chosen);
    expect(t.masters[0]!.nodes[0]!.hostPort).toBe(6379); // fixed range: not taken from the map
    expect(t.sentinels.map((s) => [s.port, s.hostPort, s.announce?.port, s.local.port])).toEqual([
      [26379, 40100, 40100, 40100],
      [26379, 40101, 40101, 40101],
      [26379, 40102, 40102, 40102],
    ]);
  });

  it('host mode: a chosen port is where the node listens', () => {
    const loaded = parseSpec('ports: auto', { env: {} });
    const t = resolveTopology(loaded.spec, new Map([['redis-replica-2', 41234]]));
    const n = t.masters[0]!.nodes[2]!;
    expect([n.port, n.hostPort, n.local.port]).toEqual([41234, 41234, 41234]);
  });

  it('a misspelt auto names the field and suggests auto', () => {
    const [p] = problems('ports:\n  redis: atuo');
    expect(p?.path).toBe('ports.redis');
    expect(p?.fix).toMatch(/did you mean "auto"/);
    const [q] = problems('ports: automatic');
    expect(q?.path).toBe('ports');
    expect(q?.fix).toMatch(/auto/);
  });

  it('a port that is neither a number nor auto says both are allowed', () => {
    const [p] = problems('ports:\n  sentinel: free');
    expect(p?.path).toBe('ports.sentinel');
    expect(p?.message).toMatch(/whole number from 1 to 65535, or one of "auto"/);
    expect(p?.fix).toMatch(/sentinel: 26379/);
  });

  it('an unknown key under ports is still named precisely', () => {
    const [p] = problems('ports:\n  sentinels: 26379');
    expect(p?.path).toBe('ports.sentinels');
    expect(p?.fix).toMatch(/did you mean "sentinel"/);
  });

  it('auto ranges skip the range checks; a fixed range beside one is still checked', () => {
    expect(problems('ports: auto\nsentinels: {count: 25}')).toEqual([]);
    const [p] = problems('ports: {redis: auto, sentinel: 65535}');
    expect(p?.path).toBe('ports.sentinel');
    expect(p?.message).toMatch(/past 65535/);
  });
});

/**
 * drill() through the library: the drill engine on a topology the library started, returning
 * the object `drill --json` prints (compared, key by key, with the CLI's own output on the same
 * topology).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTopology, type Topology } from '../../../src/api/index.js';
import { CLI_SKIP, cliBuilt, runCli } from '../../helpers/cli.js';
import { bundledSentinelBuilt } from '../../helpers/drill.js';

const started: Topology[] = [];
afterEach(async () => {
  for (const t of started.splice(0)) await t.stop().catch(() => {});
});

/** Every key path of a JSON value, arrays by their first element (runs differ in length, not in shape). */
function shape(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.length ? shape(v[0], `${at}[]`) : [`${at}[]`];
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [`${at}.${k}`, ...shape(x, `${at}.${k}`)]);
  return [];
}

describe.skipIf(!cliBuilt || !bundledSentinelBuilt)(`drill() through the library${CLI_SKIP}`, () => {
  it('master-pause passes and returns the shape drill --json prints', async () => {
    const t = await startTopology({
      runtime: 'local',
      spec: { version: 1, ports: 'auto', sentinels: { 'down-after-milliseconds': 1000 }, redis: { persistence: 'none' } },
    });
    started.push(t);
    const report = await t.drill(['master-pause'], { rate: 20, readRate: 0 });
    expect(report.passed, JSON.stringify(report.runs.map((r) => r.reason))).toBe(true);
    expect(report.runs.map((r) => `${r.scenario}@${r.group}`)).toEqual(['master-pause@mymaster']);
    expect(report.runtime).toBe('local');
    // A plain object, as JSON.parse of `drill --json` gives it.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);

    await t.waitHealthy({ timeoutMs: 60_000 });
    const cli = await runCli(['drill', 'master-pause', '--out', t.dir, '--json', '--rate', '20', '--read-rate', '0'], t.dir);
    expect(cli.code, cli.stderr).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as unknown;
    const top = (o: unknown) => Object.keys(o as object).sort();
    expect(top(report)).toEqual(top(fromCli));
    expect(top(report.runs[0])).toEqual(top((fromCli as { runs: unknown[] }).runs[0]));
    // Optional fields come and go with what happened; the paths both runs have must be most of them.
    const a = new Set(shape(report));
    const b = new Set(shape(fromCli));
    const common = [...a].filter((k) => b.has(k));
    expect(common.length / Math.max(a.size, b.size)).toBeGreaterThan(0.9);
  });
});

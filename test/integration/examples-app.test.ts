/**
 * The example application test suite (examples/app-tests: a ledger on ioredis, failed over in
 * the middle of its traffic through the library API) passes as a user would run it, twice at
 * the same time on local processes, as parallel CI jobs on one runner would: one started in the
 * example's folder (vitest finds its config there), one from the repository root with --config.
 * Both pass, their topologies got different ports, and nothing of either runs afterwards.
 * The root run does not collect the example's tests itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_SKIP } from '../helpers/cli.js';
import { bundledSentinelBuilt } from '../helpers/drill.js';
import { exampleDir, figures, portsOf, runExampleSuite, sentinelEvents } from '../helpers/example-app.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';

const libraryBuilt = existsSync(path.join(repoRoot, 'dist', 'api', 'index.js')) && bundledSentinelBuilt;
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** Processes whose command line or working directory is inside `dir` (the sentinels' configs, the data nodes' data). */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe.skipIf(!libraryBuilt)(`examples/app-tests on local processes${CLI_SKIP}`, () => {
  it('runs twice in parallel: both pass, on different ports, and leave nothing running', { timeout: 420_000 }, async () => {
    const a = path.join(tempDir('sc-example-a-'), 'topology');
    const b = path.join(tempDir('sc-example-b-'), 'topology');
    dirs.push(path.dirname(a), path.dirname(b));

    // While they run, the check below must see their processes: it is what proves none is left.
    const seen = { [a]: 0, [b]: 0 };
    const watch = setInterval(() => {
      for (const d of [a, b]) seen[d] = Math.max(seen[d]!, processesUnder(d).length);
    }, 500);
    const [ra, rb] = await Promise.all([
      runExampleSuite({ runtime: 'local', dir: a, from: 'example' }, 400_000),
      runExampleSuite({ runtime: 'local', dir: b, from: 'repo' }, 400_000),
    ]).finally(() => clearInterval(watch));
    for (const [r, dir] of [
      [ra, a],
      [rb, b],
    ] as const) {
      expect(r.code, `${r.output}\nsentinel events:\n${sentinelEvents(dir)}`).toBe(0);
      // Its own tests and only those: the failover file, both tests, nothing skipped.
      expect(r.output).toMatch(/Test Files\s+1 passed \(1\)/);
      expect(r.output).toMatch(/Tests\s+2 passed \(2\)/);
      expect(r.output).toContain('failover.test.ts');
    }
    console.log(`examples/app-tests, two runs at once:\n  ${[...figures(ra.output), ...figures(rb.output)].join('\n  ')}`);

    const pa = portsOf(a);
    const pb = portsOf(b);
    expect(pa).toHaveLength(6);
    expect(pa.filter((p) => pb.includes(p))).toEqual([]);

    for (const dir of [a, b]) {
      // At least the 6 nodes (a data node forks for a snapshot now and then).
      expect(seen[dir], `processes of ${dir} seen while it ran`).toBeGreaterThanOrEqual(6);
      expect(processesUnder(dir), `processes of ${dir} left`).toEqual([]);
    }
    for (const port of [...pa, ...pb]) expect(await answers(port), `127.0.0.1:${port} still answers`).toBe(false);
  });

  it('is not collected by the root config', () => {
    const list = execFileSync(process.execPath, [path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'list', '--filesOnly', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
    });
    const files = (JSON.parse(list) as { file: string }[]).map((f) => f.file);
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => f.startsWith(exampleDir))).toEqual([]);
  });
});

/**
 * The example application test suite (examples/app-tests) under Docker Compose: its global setup
 * starts the topology through the library with `runtime: 'docker'` (SC_RUNTIME=docker), its
 * tests pause the master's container and fail over in the middle of the ledger's traffic. It
 * passes, and no container or network of its project is left. Runs when an engine answers (see
 * test/helpers/docker.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containersOf, dockerUsable, networksOf, skipNote } from '../helpers/docker.js';
import { bundledSentinelBuilt } from '../helpers/drill.js';
import { figures, recordedTopology, runExampleSuite, sentinelEvents } from '../helpers/example-app.js';
import { removeDir, repoRoot, tempDir } from '../helpers/procs.js';

const libraryBuilt = existsSync(path.join(repoRoot, 'dist', 'api', 'index.js')) && bundledSentinelBuilt;
const dockerOk = dockerUsable() && libraryBuilt;
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe.skipIf(!dockerOk)(`examples/app-tests under Docker Compose${skipNote}`, () => {
  it('passes with runtime docker and leaves no container', { timeout: 900_000 }, async () => {
    const dir = path.join(tempDir('sc-e2e-example-'), 'topology');
    dirs.push(path.dirname(dir));
    const run = await runExampleSuite({ runtime: 'docker', dir, from: 'example' }, 850_000);
    // The library's stop() kept the containers' logs in the folder: the sentinels' side of a failure.
    expect(run.code, `${run.output}\nsentinel events:\n${sentinelEvents(dir)}`).toBe(0);
    expect(run.output).toMatch(/Tests\s+2 passed \(2\)/);
    console.log(`examples/app-tests under Docker:\n  ${figures(run.output).join('\n  ')}`);

    const t = recordedTopology(dir);
    // It ran where it was asked to: a compose project of its own, on the ports it chose.
    expect(existsSync(path.join(dir, 'compose.yaml'))).toBe(true);
    expect(t.project).toMatch(/^sc-[0-9a-f]{8}$/);
    expect(containersOf(t.project)).toEqual([]);
    // Their logs stayed in the folder the run was given, as with local processes.
    const events = sentinelEvents(dir);
    for (const s of t.sentinels) expect(events).toMatch(new RegExp(`^${s.service}:$`, 'm'));
    expect(events).toMatch(/\+switch-master/);
    expect(networksOf(t.project)).toEqual([]);
  });
});

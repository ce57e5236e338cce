/**
 * `down` removes the containers, and their logs go with them. They are kept where the local
 * runtime keeps its logs (run/<service>/<service>.log, appended), so that a folder that stays
 * (after `down`, or the library's stop() of a folder the caller named) still tells what happened:
 * after a failed test run in CI, that is all there is.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureRunDir } from '../state.js';
import { tryRun } from './exec.js';

/** Best effort: a log that cannot be read must not keep `down` from stopping anything. */
export async function keepContainerLogs(outDir: string, containers: readonly { id: string; service: string }[]): Promise<void> {
  if (!containers.length) return;
  const run = ensureRunDir(outDir);
  await Promise.all(
    containers.map(async (c) => {
      // stdout and stderr in the order they came (`all`), as a terminal would have shown them.
      const r = await tryRun('docker', ['logs', c.id], { timeoutMs: 60_000 });
      if (!r.ok || !r.out.all) return;
      const dir = path.join(run, c.service);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      appendFileSync(path.join(dir, `${c.service}.log`), r.out.all.endsWith('\n') ? r.out.all : `${r.out.all}\n`, { mode: 0o600 });
    }),
  );
}

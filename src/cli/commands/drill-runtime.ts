/**
 * How `drill` gets a Runtime for a rendered folder.
 *
 * TEMPORARY: stands in for the runtime module's own factory (for `--runtime auto|docker|local`
 * and `run/state.json`) until it lands on this branch; then `openRuntime` below becomes a call to
 * it. Until then only the local runtime is wired: `auto` means local, `docker` says so plainly.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MissingDependencyError, UsageError } from '../../common/errors.js';
import type { Runtime, RuntimeChoice } from '../../runtime/types.js';
import type { Topology } from '../../topology/types.js';

export interface OpenedRuntime {
  runtime: Runtime;
  secrets: { redisPassword?: string; sentinelPassword?: string };
}

/** The topology a folder was rendered from (render writes topology.json beside compose.yaml). */
export function readRenderedTopology(outDir: string): Topology {
  const file = path.join(outDir, 'topology.json');
  if (!existsSync(file)) {
    throw new UsageError([
      {
        path: '--out',
        value: outDir,
        message: 'holds no rendered topology (topology.json is missing)',
        fix: 'run `sentinel-compose render && sentinel-compose up` first, pass the folder you rendered to with --out, or add --up to start one for the drill',
      },
    ]);
  }
  try {
    const t = JSON.parse(readFileSync(file, 'utf8')) as Topology;
    if (t.version !== 1 || !Array.isArray(t.masters) || !Array.isArray(t.sentinels)) throw new Error('not a topology.json of this version');
    return t;
  } catch (err) {
    throw new UsageError(
      [{ path: file, message: `cannot be read: ${err instanceof Error ? err.message : String(err)}`, fix: 'render the spec again (`sentinel-compose render`)' }],
      { cause: err },
    );
  }
}

export async function openRuntime(outDir: string, topology: Topology, choice: RuntimeChoice): Promise<OpenedRuntime> {
  const { readSecrets, renderNodeConfig } = await import('../../render/index.js');
  const secrets = readSecrets(outDir);
  if (choice === 'docker') {
    throw new MissingDependencyError(
      'The Docker Compose runtime',
      'This build of drill drives the local runtime only; use --runtime local (or auto).',
    );
  }
  const { LocalRuntime } = await import('../../runtime/local/runtime.js');
  const runtime = new LocalRuntime({
    outDir,
    topology,
    configFor: (node) => renderNodeConfig(topology, node.service, 'local', secrets),
  });
  return { runtime, secrets };
}

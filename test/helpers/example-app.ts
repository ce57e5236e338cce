/**
 * Runs the example application test suite (examples/app-tests) as a user runs it: its own vitest
 * process with its own config, the topology started by its global setup through the library.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allNodes, type Topology } from '../../src/topology/types.js';
import { repoRoot } from './procs.js';

export const exampleDir = path.join(repoRoot, 'examples', 'app-tests');
const vitestBin = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');

export interface SuiteRun {
  code: number | null;
  output: string;
}

/**
 * `vitest run` of the example in a child process. `from: 'example'` starts it in the example's
 * folder with no flags (vitest finds the folder's config, as in a user's project); `from: 'repo'`
 * starts it in the repository root with `--config` (the root config must not be read instead).
 * `dir` is where the global setup starts the topology (SC_TOPOLOGY_DIR), kept for the checks.
 */
export function runExampleSuite(opts: { runtime: 'local' | 'docker'; dir: string; from: 'example' | 'repo' }, timeoutMs: number): Promise<SuiteRun> {
  // The parent is a vitest worker: none of its settings may leak into the child's run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  Object.assign(env, { SC_RUNTIME: opts.runtime, SC_TOPOLOGY_DIR: opts.dir, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' });
  const args = opts.from === 'example' ? [vitestBin, 'run'] : [vitestBin, 'run', '--config', path.join('examples', 'app-tests', 'vitest.config.ts')];
  const child = spawn(process.execPath, args, { cwd: opts.from === 'example' ? exampleDir : repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => {
    // SIGINT, as Ctrl-C: the library stops the topology it started on the way out.
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The resolved topology the run recorded in its folder. */
export function recordedTopology(dir: string): Topology {
  return JSON.parse(readFileSync(path.join(dir, 'topology.json'), 'utf8')) as Topology;
}

/** The host port of every node, as the run recorded it. */
export function portsOf(dir: string): number[] {
  return allNodes(recordedTopology(dir)).map((n) => n.hostPort);
}

/** The figures the example's tests print (one `pause: ...` and one `failover: ...` line), for the CI log. */
export function figures(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(pause|failover): /.test(l));
}

/**
 * The sentinels' events (+sdown, +tilt, +switch-master ...) from the logs the run kept in its
 * folder (run/<service>/<service>.log, both runtimes), for a failing test's message: the folder
 * goes with the test, and a CI log is all there is afterwards.
 */
export function sentinelEvents(dir: string): string {
  const run = path.join(dir, 'run');
  if (!existsSync(run)) return '(no logs were kept)';
  const out: string[] = [];
  for (const service of readdirSync(run)
    .filter((n) => n.includes('sentinel'))
    .sort()) {
    const file = path.join(run, service, `${service}.log`);
    if (!existsSync(file)) continue;
    const events = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => / [#*] [+-][a-z]/.test(l));
    out.push(`${service}:`, ...events.slice(-120).map((l) => `  ${l}`));
  }
  return out.length ? out.join('\n') : '(no sentinel logs were kept)';
}

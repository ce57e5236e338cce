/**
 * The programs the local runtime starts: Debian's (or Homebrew's) redis-server and
 * redis-sentinel, and the bundled TypeScript Sentinel run by this same node binary. Each is looked
 * up without running anything, and a missing one is a MissingDependencyError that says what to
 * install.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingDependencyError } from '../../common/errors.js';
import type { SentinelImplementation } from '../../topology/types.js';
import { findOnPath } from './process.js';
import { SENTINEL_NODE_OPTIONS } from '../../common/sentinel-node-options.js';

export interface Command {
  command: string;
  /** Arguments that come before the config file. */
  prefix: string[];
}

const INSTALL_REDIS =
  'Install it: `apt-get install -y redis-server redis-sentinel` (Debian/Ubuntu), `brew install redis` (macOS), ' +
  'or run the topology under Docker with `--runtime docker` (needs a running Docker engine).';

export function redisServerCommand(pathEnv?: string): Command {
  const found = findOnPath('redis-server', pathEnv);
  if (!found) throw new MissingDependencyError('redis-server (needed by the local runtime)', INSTALL_REDIS);
  return { command: found, prefix: [] };
}

export function sentinelCommand(implementation: SentinelImplementation, pathEnv?: string): Command {
  if (implementation === 'redis') {
    const found = findOnPath('redis-sentinel', pathEnv);
    if (found) return { command: found, prefix: [] };
    // redis-sentinel is redis-server in sentinel mode; some installs ship only the server.
    const server = findOnPath('redis-server', pathEnv);
    if (server) return { command: server, prefix: ['--sentinel'] };
    throw new MissingDependencyError('redis-sentinel (sentinel.implementation: redis)', INSTALL_REDIS);
  }
  return { command: process.execPath, prefix: [...SENTINEL_NODE_OPTIONS, bundledSentinelScript()] };
}

/**
 * The package root: the nearest directory above this module whose package.json names
 * sentinel-compose. Works from the source tree (src/runtime/local/), from dist/ and from an
 * installed package (node_modules/sentinel-compose/dist/runtime/local/).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sentinel-compose') return dir;
      } catch {
        /* not ours; keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`sentinel-compose package root not found above ${from}`);
    dir = up;
  }
}

/** The bundled sentinel's entry point: dist/sentinel/main.js, else the single-file bundle. */
export function bundledSentinelScript(root: string = packageRoot()): string {
  const candidates = [path.join(root, 'dist', 'sentinel', 'main.js'), path.join(root, 'dist', 'sentinel.bundle.mjs')];
  const found = candidates.find((c) => existsSync(c));
  if (found) return found;
  throw new MissingDependencyError(
    `the bundled sentinel (${path.relative(process.cwd(), candidates[0]!) || candidates[0]})`,
    'Build it with `npm run build` in the sentinel-compose checkout (an installed package ships it), ' +
      'or set `sentinel.implementation: redis` in the spec to use redis-sentinel.',
  );
}

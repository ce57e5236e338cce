/**
 * From a rendered output directory to a Runtime: which one (`--runtime auto | docker | local`,
 * or the one that brought the directory up, from run/state.json), and the inputs it needs
 * (topology.json, secrets from .env, local configs rendered for target `local`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MissingDependencyError, UsageError } from '../common/errors.js';
import { readSecrets, renderNodeConfig, type NodeSecrets } from '../render/index.js';
import type { Topology } from '../topology/types.js';
import { detectCompose, engineMissing, probeEngine, recordedCompose, type EngineProbe } from './compose/engine.js';
import { ComposeRuntime } from './compose/runtime.js';
import { LocalRuntime } from './local/runtime.js';
import { SwarmRuntime } from './swarm/runtime.js';
import { readState, type RunState } from './state.js';
import type { Runtime, RuntimeChoice, RuntimeKind } from './types.js';

export interface RenderedDir {
  outDir: string;
  topology: Topology;
  secrets: NodeSecrets;
}

/** Reads topology.json and .env of a rendered folder; a clear UsageError when it is not one. */
export function loadRendered(outDir: string): RenderedDir {
  const abs = path.resolve(outDir);
  const topologyFile = path.join(abs, 'topology.json');
  if (!existsSync(abs) || !statSync(abs).isDirectory() || !existsSync(topologyFile)) {
    throw new UsageError([
      {
        path: '--out',
        value: outDir,
        message: existsSync(abs) ? 'is not a rendered folder (it has no topology.json)' : 'does not exist',
        fix: 'render the spec first: `sentinel-compose render --out DIR` (or pass the --out you rendered to)',
      },
    ]);
  }
  let topology: Topology;
  try {
    topology = JSON.parse(readFileSync(topologyFile, 'utf8')) as Topology;
  } catch (err) {
    throw new UsageError([{ path: topologyFile, message: `is not valid JSON (${(err as Error).message})`, fix: 'render the spec again' }], { cause: err });
  }
  if (topology?.version !== 1 || !Array.isArray(topology.masters) || !Array.isArray(topology.sentinels)) {
    throw new UsageError([
      { path: topologyFile, message: 'is not a topology this version understands', fix: 'render the spec again with this version of sentinel-compose' },
    ]);
  }
  return { outDir: abs, topology, secrets: readSecrets(abs) };
}

export function localRuntime(dir: RenderedDir, pathEnv?: string): LocalRuntime {
  return new LocalRuntime({
    outDir: dir.outDir,
    topology: dir.topology,
    pathEnv,
    configFor: (node) => renderNodeConfig(dir.topology, node.service, 'local', dir.secrets),
  });
}

/**
 * `recorded`: the compose command of the `up` that started this folder (run/state.json). The
 * engine is still asked whether it answers (docker info, fast), but compose is not asked for its
 * version again: `docker-compose version` is a Python start-up, 1-2 s on every status, logs,
 * drill and down.
 */
export async function dockerRuntime(dir: RenderedDir, probe?: EngineProbe, recorded?: string[]): Promise<ComposeRuntime> {
  const known = recorded?.length ? recordedCompose(recorded) : null;
  const p = probe ?? (await probeEngine(10_000, { bridge: !known }));
  if (!p.ok) throw engineMissing(p.reason);
  if (!known && dir.topology.network === 'bridge' && !p.info.bridge) {
    throw new MissingDependencyError(
      `A Docker engine with bridge networking (this one, ${p.info.serverVersion}, has no bridge network)`,
      'Bridge-mode topologies need an engine that can create networks. Use `network: host` in the spec, or `--runtime local`.',
    );
  }
  return new ComposeRuntime({ outDir: dir.outDir, topology: dir.topology, compose: known ?? (await detectCompose()) });
}

export interface Selected {
  runtime: Runtime;
  /** One line saying why this runtime, for the user. */
  reason: string;
}

/**
 * `auto`: Docker when an engine answers and the topology can run there (bridge mode needs a
 * bridge network; host networking on Docker Desktop does not reach this machine), else local.
 */
export async function selectRuntime(
  dir: RenderedDir,
  choice: RuntimeChoice,
  deps: { probe?: () => Promise<EngineProbe>; pathEnv?: string } = {},
): Promise<Selected> {
  if (choice === 'local') {
    const rt = localRuntime(dir, deps.pathEnv);
    rt.checkDependencies();
    return { runtime: rt, reason: 'local processes (--runtime local)' };
  }
  if (choice === 'swarm') return { runtime: new SwarmRuntime({ outDir: dir.outDir, topology: dir.topology }), reason: 'Docker Swarm (--runtime swarm)' };
  const probe = await (deps.probe ?? probeEngine)();
  if (choice === 'docker') return { runtime: await dockerRuntime(dir, probe), reason: 'Docker Compose (--runtime docker)' };

  let why: string;
  if (!probe.ok) why = `no Docker engine answers (${probe.reason})`;
  else if (dir.topology.network === 'bridge' && !probe.info.bridge) why = `the Docker engine ${probe.info.serverVersion} has no bridge network`;
  else if (dir.topology.network === 'host' && probe.info.desktop) why = 'host networking on Docker Desktop does not reach this machine';
  else {
    try {
      const rt = await dockerRuntime(dir, probe);
      return { runtime: rt, reason: `Docker Compose (engine ${probe.info.serverVersion}, ${rt.compose.command.join(' ')} ${rt.compose.version})` };
    } catch (err) {
      if (!(err instanceof MissingDependencyError)) throw err;
      why = err.message;
    }
  }
  const rt = localRuntime(dir, deps.pathEnv);
  try {
    rt.checkDependencies();
  } catch (err) {
    if (err instanceof MissingDependencyError) {
      throw new MissingDependencyError(`Neither runtime can run ${dir.topology.project}: ${why}; and ${err.what}`, `${err.install}`, { cause: err });
    }
    throw err;
  }
  return { runtime: rt, reason: `local processes (${why})` };
}

/** The runtime for a directory that may be up: the one recorded in run/state.json, unless the user names one. */
export async function runtimeForExisting(dir: RenderedDir, choice?: RuntimeChoice): Promise<{ runtime: Runtime; state: RunState | null }> {
  const state = readState(dir.outDir);
  const kind: RuntimeKind | 'auto' = choice && choice !== 'auto' ? choice : (state?.runtime ?? 'local');
  const runtime =
    kind === 'docker'
      ? await dockerRuntime(dir, undefined, state?.runtime === 'docker' ? state.compose : undefined)
      : kind === 'swarm'
        ? new SwarmRuntime({ outDir: dir.outDir, topology: dir.topology })
        : localRuntime(dir);
  return { runtime, state };
}

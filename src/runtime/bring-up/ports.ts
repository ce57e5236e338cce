/**
 * The spec as `up` renders it when it has `auto` port ranges: the same spec, resolved with the
 * ports chosen now (../auto-ports.ts). `render` alone never gets here, so its output stays the
 * same bytes for the same spec; the folder `up` renders holds the chosen ports in topology.json,
 * compose.yaml and the configs, ready to run by hand as well.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedSpec } from '../../topology/load.js';
import { resolveTopology } from '../../topology/resolve.js';
import { allNodes, hasAutoPort, type Topology } from '../../topology/types.js';
import { choosePorts, type PortChoice, type PortSource } from '../auto-ports.js';
import { isSameProcess } from '../local/process.js';
import { recordedProcess } from '../local/runtime.js';
import { readState } from '../state.js';
import type { SpecSource } from './output.js';

export interface AutoPorts {
  spec: SpecSource;
  /** What was chosen by the last load (null: nothing auto, or the running topology's ports kept). */
  readonly choice: PortChoice | null;
  /** Not to be chosen again (it was taken between choosing and starting). */
  avoid(port: number): void;
  release(): void;
}

export function withAutoPorts(spec: SpecSource, outDir: string, opts: { source?: PortSource; onMoved?(line: string): void } = {}): AutoPorts {
  const avoid = new Set<number>();
  let choice: PortChoice | null = null;
  const release = () => {
    choice?.release();
    choice = null;
  };
  const load = async (): Promise<LoadedSpec> => {
    const loaded = await spec.load();
    const auto = allNodes(loaded.topology).filter((n) => hasAutoPort(loaded.topology, n));
    if (!auto.length) return loaded;
    // A folder only `render` wrote holds the stand-in default ranges, which are not a choice to
    // keep: auto should not settle on 6379 because it happened to be free.
    const recorded = recordedPorts(outDir);
    const standIn = auto.every((n) => recorded.get(n.service) === n.hostPort);
    const previous = standIn ? new Map<string, number>() : recorded;
    // Up already: its nodes hold their ports, which are not free, and stay what they are. A
    // topology recorded as up of which nothing runs (after a reboot, a kill -9) holds nothing:
    // its ports are chosen again, kept while free, so that one taken since moves instead of
    // failing every up after it.
    if (recordedRunIsLive(outDir) && auto.every((n) => previous.has(n.service))) return { ...loaded, topology: resolveTopology(loaded.spec, previous) };
    release();
    const fixed = allNodes(loaded.topology)
      .filter((n) => !hasAutoPort(loaded.topology, n))
      .map((n) => n.hostPort);
    choice = await choosePorts(
      auto.map((n) => n.service),
      { previous, avoid: [...fixed, ...avoid], source: opts.source },
    );
    for (const m of choice.moved) opts.onMoved?.(`${m.service}: port ${m.from} is taken now; it gets ${m.to} instead (ports: auto)`);
    return { ...loaded, topology: resolveTopology(loaded.spec, choice.ports) };
  };
  return {
    spec: { ...spec, load },
    get choice() {
      return choice;
    },
    avoid: (port) => avoid.add(port),
    release,
  };
}

/**
 * Whether the run recorded in run/state.json is still there: under Docker, taken to be so (the
 * engine would have to be asked); on local processes, when a process recorded for one of its
 * nodes is still the one that was started. A stale record (nothing runs) is no reason to keep
 * the folder or its ports as they are.
 */
export function recordedRunIsLive(outDir: string): boolean {
  const state = readState(outDir);
  if (!state) return false;
  if (state.runtime !== 'local') return true;
  const t = readTopology(outDir);
  if (!t) return false;
  return allNodes(t).some((n) => {
    const rec = recordedProcess(outDir, n.service);
    return rec !== null && isSameProcess(rec);
  });
}

function readTopology(outDir: string): Topology | null {
  try {
    return JSON.parse(readFileSync(path.join(outDir, 'topology.json'), 'utf8')) as Topology;
  } catch {
    return null;
  }
}

/** The host ports of the auto nodes in the folder's topology.json, from the last up. */
export function recordedPorts(outDir: string): Map<string, number> {
  try {
    const t = JSON.parse(readFileSync(path.join(outDir, 'topology.json'), 'utf8')) as Topology;
    return new Map(
      allNodes(t)
        .filter((n) => hasAutoPort(t, n))
        .map((n) => [n.service, n.hostPort]),
    );
  } catch {
    return new Map();
  }
}

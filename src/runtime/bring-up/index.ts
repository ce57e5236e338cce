/**
 * Bringing a topology up from a spec, and taking it down: the one sequence behind `up`,
 * `drill --up` and the library API. Render if needed (output.ts), take the folder's lock, choose
 * the runtime (the recorded one if it is up already), resume what a dead drill left paused,
 * record the run (run/state.json) and start. Nothing here prints or parses arguments: progress
 * goes to `logger`, cancellation comes through `signal`, failures are the typed errors of
 * common/errors.ts. Waiting for health is the caller's next step (`waitHealthy` in runtime/observe/wait.ts),
 * so that it can say what happens while it waits.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { placeError, UsageError } from '../../common/errors.js';
import { allNodes, hasAutoPort, type Topology } from '../../topology/types.js';
import { checkServices, describeLeftover, onPurpose, resume, undoCommand, type Leftover } from '../leftovers.js';
import { acquireLock, describeReplaced, type Lock } from '../lock.js';
import { loadRendered, runtimeForExisting, selectRuntime, type RenderedDir } from '../open.js';
import { clearState, newRunState, readState, writeState, type RunState } from '../state.js';
import type { Runtime, RuntimeChoice } from '../types.js';
import type { PortSource } from '../auto-ports.js';
import { PortInUseError, stopHolder } from '../ports.js';
import { applyOutput, planOutput, type SpecSource } from './output.js';
import { withAutoPorts } from './ports.js';

export { applyOutput, planOutput, type OutputAction, type OutputOptions, type OutputPlan, type SpecSource } from './output.js';

/** Where progress goes: one line each, for a person. */
export interface BringUpLogger {
  info(line: string): void;
  /** Something the user should act on, though the bring-up goes on. */
  warn(line: string): void;
}

export const silentLogger: BringUpLogger = { info() {}, warn() {} };

export interface BringUpOptions {
  /** The output folder (relative paths are taken from the current directory). */
  outDir: string;
  /** The folder as the user named it, for messages (default: outDir). */
  outLabel?: string;
  spec: SpecSource;
  /** Default auto. A topology already up keeps its runtime; naming another one is a UsageError. */
  runtime?: RuntimeChoice;
  /** Who holds the folder's lock meanwhile, as other commands name it (`up`, `drill`). */
  command: string;
  /** Recorded in run/state.json: who means to take it down again (see RunState). */
  startedBy?: RunState['startedBy'];
  /** Rebuild the bundled sentinel image even if it exists (docker). */
  build?: boolean;
  /** Aborted (reason: the signal's name): what was being started is stopped, InterruptedError. */
  signal?: AbortSignal;
  logger?: BringUpLogger;
  /** The bundled sentinel to render into sentinel-image/ (default: this package's build). */
  sentinelBundle?: string;
  /** Called with the topology that will run before anything is written; throw (a UsageError) to refuse it. */
  check?(topology: Topology): void;
  /**
   * For a topology recorded as up already: `use` runs it as it is (nothing is started), `start`
   * starts it like a new one. Without it, what is paused is resumed and what is not running is
   * started, which leaves what runs as it is.
   */
  adopt?(runtime: Runtime, state: RunState): Promise<'use' | 'start'>;
  /** Called with the runtime just before it starts anything, so that the caller can take it down again if it must. */
  onStarting?(runtime: Runtime): void;
  /** Where `ports: auto` draws and checks ports (default: this machine's free ports; tests inject one). */
  portSource?: PortSource;
}

export interface BroughtUp {
  dir: RenderedDir;
  runtime: Runtime;
  /** False when `adopt` chose to use what was up already. */
  started: boolean;
  /** What run/state.json said before: the topology was recorded as up already. */
  previous: RunState | null;
  /**
   * Services left paused because `sentinel-compose pause` paused them on purpose: healthy, for
   * the caller's wait, means healthy apart from these.
   */
  held: string[];
  /** The folder's lock, held until the caller releases it (also released when the process exits). */
  lock: Lock;
}

/** Times `up` chooses ports again when one it chose was taken before its node could bind it. */
const PORT_RETRIES = 3;

/** Renders if needed and starts; on failure, what it started is stopped and the lock released. */
export async function bringUp(opts: BringUpOptions): Promise<BroughtUp> {
  const o = { ...opts, outDir: path.resolve(opts.outDir) };
  const log = o.logger ?? silentLogger;
  const out = o.outLabel ?? o.outDir;
  let lock: Lock | undefined;
  const takeLock = () => {
    if (lock) return;
    lock = acquireLock(o.outDir, o.command, out);
    if (lock.replaced) log.info(describeReplaced(lock.replaced));
  };
  // ports: auto: chosen while rendering, reserved until the nodes listen.
  const ports = withAutoPorts(o.spec, o.outDir, { source: o.portSource, onMoved: (l) => log.warn(l) });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await bringUpOnce({ ...o, spec: ports.spec }, log, out, takeLock, () => lock!);
      } catch (err) {
        // Another program took a port between choosing it and starting its node: choose again.
        if (!(err instanceof PortInUseError)) throw err;
        if (!ports.choice) throw keptPortTaken(err, o.outDir, out);
        if (![...ports.choice.ports.values()].includes(err.port) || attempt > PORT_RETRIES) throw err;
        log.warn(`port ${err.port} (${err.service}) was taken after up chose it; choosing again`);
        ports.avoid(err.port);
      } finally {
        ports.release();
      }
    }
  } catch (err) {
    lock?.release();
    throw err;
  }
}

/**
 * An auto port kept because the topology is recorded as up and partly running, taken by another
 * program since its node stopped: starting again would keep it again, so the fix is to take the
 * rest down first, after which up chooses afresh.
 */
function keptPortTaken(err: PortInUseError, outDir: string, out: string): PortInUseError {
  const t = readRenderedTopology(outDir);
  const node = t && allNodes(t).find((n) => n.service === err.service);
  if (!t || !node || !hasAutoPort(t, node)) return err;
  return new PortInUseError(
    err.service,
    err.host,
    err.port,
    err.holder,
    `${stopHolder(err.holder)}, or take the rest of it down (\`sentinel-compose down --out ${out}\`) and start it again: up then chooses other free ports`,
    { cause: err },
  );
}

function readRenderedTopology(outDir: string): Topology | null {
  try {
    return loadRendered(outDir).topology;
  } catch {
    return null;
  }
}

async function bringUpOnce(
  o: BringUpOptions & { outDir: string },
  log: BringUpLogger,
  out: string,
  takeLock: () => void,
  lock: () => Lock,
): Promise<BroughtUp> {
  // The lock lives in run/ inside the folder: a folder not rendered yet is rendered first (render
  // refuses a run/ it did not make), one rendered already is re-rendered only under the lock.
  const rendered = existsSync(path.join(o.outDir, 'topology.json'));
  if (rendered) takeLock();
  const plan = await planOutput(o.outDir, o.spec, { outLabel: out, sentinelBundle: o.sentinelBundle });
  o.check?.(plan.topology);
  applyOutput(plan);
  if (plan.message && plan.action === 'keep') log.warn(plan.message);
  else if (plan.message) log.info(plan.message);
  if (!rendered) takeLock();

  const dir = loadRendered(o.outDir);
  const t = dir.topology;
  const previous = readState(o.outDir);
  const choice = o.runtime ?? 'auto';
  if (previous && choice !== 'auto' && choice !== previous.runtime) {
    throw new UsageError([
      {
        path: '--runtime',
        value: choice,
        message: `${out} is already up under ${previous.runtime}`,
        fix: `run \`sentinel-compose down --out ${out}\` first, or leave out --runtime`,
      },
    ]);
  }
  if (previous && o.adopt) {
    const { runtime } = await runtimeForExisting(dir);
    if ((await o.adopt(runtime, previous)) === 'use') return { dir, runtime, started: false, previous, held: [], lock: lock() };
  }

  const { runtime, reason } = await selectRuntime(dir, previous?.runtime ?? choice);
  log.info(`${t.project}: ${reason}`);
  // Everything runs after a bring-up: a node left paused (by a drill that died, or by hand) is
  // resumed. One paused on purpose with `sentinel-compose pause` stays paused: the user undoes
  // that with `unpause` (the caller's health wait leaves it out, see `held`).
  const { paused } = await checkServices(runtime, o.outDir);
  const held = paused.filter(onPurpose);
  for (const l of held) log.info(`  ${l.service} ${describeLeftover(l)}; leaving it paused (${undoCommand(l, out)} resumes it)`);
  const toResume = paused.filter((l) => !onPurpose(l));
  for (const l of toResume) log.info(`  ${l.service} ${describeLeftover(l)}; resuming it`);
  await resume(runtime, toResume);
  o.onStarting?.(runtime);
  // Recorded before starting, so that status, logs and down find it while it starts.
  writeState(o.outDir, newRunState(runtime, t.project, o.startedBy));
  log.info(`starting ${t.project}`);
  try {
    await runtime.up({ build: o.build, onProgress: (m) => log.info(`  ${m}`), signal: o.signal });
  } catch (err) {
    if (!previous) clearState(o.outDir);
    throw placeError(err, `starting ${t.project} in ${out}`, 'what it had started was stopped');
  }
  return { dir, runtime, started: true, previous, held: held.map((l) => l.service), lock: lock() };
}

/**
 * Stops everything `runtime` runs and forgets the run (run/state.json); `volumes` also deletes
 * the data sentinel-compose created. The caller holds the folder's lock.
 */
export async function tearDown(runtime: Runtime, outDir: string, opts: { volumes?: boolean; logger?: BringUpLogger } = {}): Promise<void> {
  const log = opts.logger ?? silentLogger;
  const { paused } = await checkServices(runtime, outDir).catch((): { paused: Leftover[] } => ({ paused: [] }));
  // runtime.down wakes them (a frozen process cannot act on SIGTERM); say whose they were.
  for (const l of paused) log.info(`  ${l.service} ${describeLeftover(l)}; resuming it to stop it`);
  await runtime.down({ volumes: opts.volumes });
  clearState(outDir);
}

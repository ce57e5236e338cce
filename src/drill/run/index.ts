/**
 * One run: a scenario on a master group. Wait until the group is ready, start the client load,
 * play the steps, keep watching, then check the writes and build the report from what was
 * recorded. Whatever happens (a failed step, a timeout, Ctrl-C), every node the run paused or
 * killed is brought back before it returns.
 *
 * The parts: record.ts (what a run records), scope.ts (what steps work with), ../steps/ (one
 * handler per kind of step), client-load.ts and write-check.ts (the application's side), and
 * report.ts (the report, a pure function of the record).
 */
import { healthyMissing, soleMaster } from '../../runtime/observe/index.js';
import { linksUnsupported } from '../../runtime/types.js';
import { directWriter, drillKey, type SteadyLoad } from '../load.js';
import { DrillAborted } from '../options.js';
import { unmetRequirement } from '../requirements.js';
import { playStep } from '../steps/index.js';
import type { RunReport, Scenario } from '../types.js';
import { ClientLoad } from './client-load.js';
import { newRecord } from './record.js';
import { buildRunReport } from './report.js';
import { RunScope, type RunDeps } from './scope.js';
import { checkWrites } from './write-check.js';

/** What the engine hands a run: the drill-wide parts (RunDeps, without `say`) and the run's own. */
export interface RunArgs extends Omit<RunDeps, 'say'> {
  scenario: Scenario;
  runId: string;
  progress: (line: string) => void;
}

export async function runOne(a: RunArgs): Promise<RunReport> {
  const { runtime, scenario, group, opts, clock, book } = a;
  const say = (line: string) => a.progress(`[${scenario.name} @ ${group.name}] ${line}`);
  const sentinels = runtime.topology.sentinels.map((s) => s.service);
  const record = newRecord(
    scenario,
    group.name,
    group.nodes.map((n) => n.service),
    sentinels,
    clock.monotonic(),
    clock.now(),
  );
  const report = () =>
    buildRunReport(record, {
      names: book,
      blockedAfterMs: opts.blockedAfterMs,
      group: { minReplicasToWrite: group.minReplicasToWrite, minReplicasMaxLag: group.minReplicasMaxLag, quorum: group.quorum },
    });

  const unmet = unmetRequirement(scenario, group, sentinels.length, linksUnsupported(runtime));
  if (unmet) {
    say(`skipped: ${unmet}`);
    record.skipped = unmet;
    return report();
  }

  const run = new RunScope({ ...a, say }, record);
  const key = drillKey(a.runId, group.name, scenario.name);
  let load: ClientLoad | null = null;
  let side: SteadyLoad | null = null;
  try {
    say(`waiting for ${group.name} to be ready`);
    const ready = await run.waitFor(`${group.name} ready`, (obs) => healthyMissing(obs, run.context()), opts.readyTimeoutMs);
    record.initialMaster = soleMaster(ready)!;
    record.eventsFrom = clock.monotonic();
    say(`master is ${record.initialMaster}; starting the load (${opts.rate} writes/s${opts.readRate > 0 ? `, ${opts.readRate} reads/s` : ''})`);
    load = new ClientLoad(runtime, group.name, key, opts, clock);
    await load.start();
    if (isolatesMaster(scenario)) {
      // The application on the master's side of the cut: it keeps the connection it has.
      const endpoint = runtime.endpoint(record.initialMaster);
      side = directWriter(endpoint, { password: opts.password, commandTimeoutMs: opts.commandTimeoutMs }, `${key}:master-side`, opts.rate, clock);
      await side.connect(10_000);
      side.start();
      say(`a second client writes to ${record.initialMaster} directly (${endpoint.host}:${endpoint.port}): it stays on the master's side of the cut`);
    }
    await run.sleep(opts.baselineMs);

    try {
      for (const [i, step] of scenario.steps.entries()) {
        run.checkAbort();
        await playStep(step, i, run);
      }
    } finally {
      record.stepsEndedAt = clock.monotonic();
    }
    // No step marked the fault: t = 0 is the end of the steps.
    run.markFault();
    await run.sleep(opts.settleMs);
  } catch (err) {
    record.stopped =
      err instanceof DrillAborted
        ? { interrupted: true, message: err.message }
        : { interrupted: false, message: err instanceof Error ? err.message : String(err) };
    say(`stopped: ${record.stopped.message.split('\n')[0]}`);
  } finally {
    try {
      const healed = await run.bringBackAll();
      if (healed.length) say(`brought back ${healed.join(', ')}`);
      record.cleanup = { healed };
    } catch (err) {
      record.cleanup = { error: err instanceof Error ? err.message : String(err) };
    }
  }

  if (load) await finishLoad(load, run, key);
  if (side) await finishSide(side, run, `${key}:master-side`);
  await run.disposeLinks().catch((err: unknown) => say(`warning: could not remove the network helpers: ${err instanceof Error ? err.message : String(err)}`));
  record.events = a.recorder.between(record.eventsFrom, Infinity);
  record.endedAt = clock.monotonic();
  return report();
}

function isolatesMaster(s: Scenario): boolean {
  return s.steps.some((x) => x.do === 'partition' && x.isolate.node === 'master');
}

/** Stops the master-side client and reads what of its writes the final master has. */
async function finishSide(side: SteadyLoad, run: RunScope, key: string): Promise<void> {
  const { record } = run;
  await side.stop(record.stopped?.interrupted ? 200 : 2000);
  side.close();
  const entry: NonNullable<typeof record.masterSide> = {
    service: record.initialMaster ?? '',
    key,
    load: { samples: side.samples, clientRestarts: side.clientRestarts },
    stored: null,
    checkedOn: null,
  };
  record.masterSide = entry;
  if (run.deps.opts.signal?.aborted) return;
  const master = record.latest ? soleMaster(record.latest) : null;
  if (!master) {
    entry.error = 'no single master to check the writes on';
    return;
  }
  try {
    const stored = await run.observer.nodeCommand(master, 'LRANGE', key, '0', '-1');
    if (!Array.isArray(stored)) throw new Error(`LRANGE returned ${JSON.stringify(stored)}`);
    entry.stored = stored.map(String);
    entry.checkedOn = master;
    await run.observer.nodeCommand(master, 'DEL', key).catch(() => undefined);
  } catch (err) {
    entry.error = err instanceof Error ? err.message : String(err);
  }
}

/** Stops the load, lets in-flight operations settle, then checks the writes against the master. */
async function finishLoad(load: ClientLoad, run: RunScope, key: string): Promise<void> {
  const { record } = run;
  const { opts } = run.deps;
  // Interrupted, nobody waits for the figures: in-flight writes get a moment, not a timeout.
  const drainMs = record.stopped?.interrupted ? 200 : opts.commandTimeoutMs > 0 ? opts.commandTimeoutMs + 1000 : 5000;
  await load.stop(drainMs);
  record.writes = load.writes;
  record.reads = load.reads;
  if (!opts.signal?.aborted) {
    const final = await run.observeSettled().catch(() => record.latest);
    record.writeCheck = await checkWrites(run.observer, final, key, load.writes.samples);
  }
}

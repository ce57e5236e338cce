/**
 * `sentinel-compose drill [scenario...]`: failover drills against a running topology, or with
 * --up against one it renders and starts for the purpose and always takes down again (also on
 * failure and Ctrl-C). Input is checked before anything runs, so bad input leaves nothing behind.
 */
import { cutsLinks } from '../../drill/requirements.js';
import { linksUnsupported } from '../../runtime/types.js';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as yamlParse } from 'yaml';
import { checkWritable, readInputFile } from '../../common/files.js';
import { signalExitCode, UsageError, type Problem } from '../../common/errors.js';
import type { Lock } from '../../runtime/lock.js';
import type { RenderedDir } from '../../runtime/open.js';
import type { Runtime, RuntimeChoice } from '../../runtime/types.js';
import type { Scenario } from '../../drill/types.js';
import { outOption, specOption, specSource } from '../options.js';
import { catchInterrupts } from '../interrupt.js';
import { defineCommand, type CommandContext } from '../registry.js';
import { runtimeOption } from './runtime-shared.js';

export const drillCommand = defineCommand({
  name: 'drill',
  positionalSyntax: '[scenario..]',
  positionals: {
    scenario: {
      type: 'string',
      array: true,
      describe: 'Scenarios to run, in order (default: master-pause; "all" for every built-in one)',
    },
  },
  describe: 'Failover drills: pause/kill nodes under a client load, measure what the application saw, check the topology recovers',
  options: {
    ...specOption,
    ...outOption,
    up: {
      type: 'boolean',
      default: false,
      describe: 'Render the spec into --out, start it, drill, and take it down afterwards (also on failure or Ctrl-C)',
    },
    ...runtimeOption,
    rate: {
      type: 'number',
      default: 50,
      describe: 'Writes per second of the client load (sequence numbers, each one checked afterwards)',
      requiresArg: true,
      range: { min: 0, minExclusive: true, max: 10_000, unit: 'writes per second', example: 50 },
    },
    'read-rate': {
      type: 'number',
      default: 20,
      describe: 'Reads per second from replicas (0: no reader)',
      requiresArg: true,
      range: { min: 0, max: 10_000, unit: 'reads per second', example: 20, note: 'or 0 for no reader' },
    },
    'command-timeout': {
      type: 'number',
      default: 1000,
      describe: "The client's command timeout in ms (0: none; writes then block until the client reconnects)",
      requiresArg: true,
      // Node timers hold at most 2^31-1 ms; an hour is far beyond any useful timeout here.
      range: { min: 0, max: 3_600_000, integer: true, unit: 'milliseconds', example: 1000, note: 'or 0 for none' },
    },
    group: {
      type: 'string',
      array: true,
      describe: 'Only these master groups (default: every one, one after another)',
      requiresArg: true,
    },
    'scenario-file': {
      type: 'string',
      describe: 'A YAML/JSON file with scenarios of your own (same shape as the built-in ones; see --list --json)',
      requiresArg: true,
    },
    list: {
      type: 'boolean',
      default: false,
      describe: 'List the scenarios and exit',
    },
    report: {
      type: 'string',
      describe: 'Also write report.json, junit.xml and report.html into this folder',
      requiresArg: true,
    },
  },
  examples: [
    ['$0 drill --up', "start the spec's topology, drill master-pause on every master group, take it down"],
    ['$0 drill master-pause no-quorum --report drill-report', 'against the running topology in ./out; JUnit + HTML for CI'],
    ['$0 drill all --up --json > drill.json', 'every scenario, machine-readable'],
    ['$0 drill --list', 'what each scenario does'],
  ],
  epilogue:
    'Each run waits until its master group is healthy (and no sentinel is in TILT), starts a Sentinel-aware client ' +
    '(ioredis) writing sequence numbers at --rate, plays the scenario, and then checks every acknowledged write on the final ' +
    'master. Times are ms since the fault. Progress goes to stderr, the summary (or --json) to stdout.\n' +
    "Interrupted (Ctrl-C, kill, a closed terminal or pipe), it brings back what it paused, takes down what --up started, and exits 128 + the signal's number (130 for Ctrl-C); a second Ctrl-C quits at once and says what it left.\n" +
    'Exit codes: 0 every expectation held, 1 one failed (or a run could not finish), 2 bad input, a missing dependency or nothing running, 129/130/143 interrupted.',
  async run(args, ctx) {
    const { SCENARIOS, selectScenarios, validateScenarios } = await import('../../drill/scenarios/index.js');
    const file = args['scenario-file'];
    const custom = file
      ? loadScenarioFile(
          file,
          ctx.cwd,
          SCENARIOS.map((s) => s.name),
          validateScenarios,
        )
      : [];
    const available = [...SCENARIOS, ...custom];
    if (args.list) return listScenarios(available, ctx);

    const problems: Problem[] = [];
    if (args.report !== undefined) {
      const dir = path.resolve(ctx.cwd, args.report);
      if (existsSync(dir) && !statSync(dir).isDirectory())
        problems.push({ path: '--report', value: args.report, message: 'exists and is not a folder', fix: 'give a folder (it is created if missing)' });
      else {
        // Found out now rather than after the drill.
        const unwritable = checkWritable(dir, '--report');
        if (unwritable) problems.push(unwritable);
      }
    }
    const wanted = ((args as { scenario?: string[] }).scenario ?? []).map(String);
    let scenarios: Scenario[] = [];
    try {
      scenarios = selectScenarios(wanted, available);
    } catch (err) {
      if (err instanceof UsageError) problems.push(...err.problems);
      else throw err;
    }
    if (problems.length) throw new UsageError(problems);
    // Named one by one (not through `all`), partitions are refused where they cannot run.
    const named = scenarios.filter((s) => wanted.includes(s.name));
    return runDrillCommand(args, scenarios, ctx, named);
  },
});

export interface DrillArgs {
  spec: string;
  out: string;
  up: boolean;
  runtime?: RuntimeChoice;
  rate: number;
  'read-rate': number;
  'command-timeout': number;
  group?: string[];
  report?: string;
  json: boolean;
}

function loadScenarioFile(
  file: string,
  cwd: string,
  builtIn: string[],
  validate: (doc: unknown, source: string, builtIn: readonly string[]) => Scenario[],
): Scenario[] {
  const text = readInputFile(path.resolve(cwd, file), '--scenario-file', 'a YAML or JSON file with a list of scenarios');
  return validate(parseYaml(text, file), path.basename(file), builtIn);
}

function parseYaml(text: string, file: string): unknown {
  try {
    return yamlParse(text);
  } catch (err) {
    throw new UsageError(
      [{ path: `--scenario-file ${file}`, message: `is not valid YAML/JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }],
      { cause: err },
    );
  }
}

function listScenarios(available: Scenario[], ctx: CommandContext): number {
  const width = Math.max(...available.map((s) => s.name.length));
  ctx.result({ scenarios: available }, available.map((s) => `${ctx.out.color.bold(s.name.padEnd(width))}  ${s.summary}`).join('\n'));
  return 0;
}

/** A UsageError when a named scenario cuts links and `runtime` cannot (see linksUnsupported). */
function refusePartitions(named: Scenario[], runtime: Pick<Runtime, 'kind' | 'links' | 'topology'>): void {
  const why = linksUnsupported(runtime);
  const refused = named.filter(cutsLinks);
  if (!why || !refused.length) return;
  throw new UsageError(
    refused.map((s) => ({
      path: 'scenario',
      value: s.name,
      message: `cannot run with the ${runtime.kind} runtime and network: ${runtime.topology.network}: ${why}`,
      fix: 'run it against a bridge-mode topology under Docker, or drop it from the command line',
    })),
  );
}

async function runDrillCommand(args: DrillArgs, scenarios: Scenario[], ctx: CommandContext, named: Scenario[] = []): Promise<number> {
  const { runDrill } = await import('../../drill/engine.js');
  const { preflight } = await import('../../drill/preflight.js');
  const { renderTerminal } = await import('../../drill/report/terminal.js');
  const { renderJson, writeReports } = await import('../../drill/report/write.js');
  const { loadRendered, runtimeForExisting } = await import('../../runtime/open.js');
  const { acquireLock, describeReplaced } = await import('../../runtime/lock.js');
  const { readFaults } = await import('../../runtime/faults.js');
  const { readPartition } = await import('../../runtime/compose/partition.js');
  const { bringUp, tearDown } = await import('../../runtime/bring-up/index.js');
  const outDir = path.resolve(ctx.cwd, args.out);
  const choice = args.runtime ?? 'auto';
  // Progress goes to stderr even with --json: a drill takes minutes, and stdout stays clean.
  const progress = (line: string) => process.stderr.write(`${ctx.out.color.dim(line)}\n`);

  let startedHere = false;
  const interrupts = catchInterrupts({
    onStop: (sig) =>
      progress(`${sig}: stopping after bringing back whatever is paused${startedHere ? ' and taking the topology down' : ''} (Ctrl-C again to quit at once)`),
    onQuit: () => {
      const paused = readFaults(outDir).map((f) => `${f.service} is still ${f.kind}`);
      const cut = readPartition(outDir);
      if (cut) paused.push(`${cut.sides[0].join(', ')} may still be cut off (run/partition.json)`);
      return startedHere
        ? `${[...paused, 'the topology is still up'].join(', ')}: \`sentinel-compose down --out ${args.out}\` takes it down.`
        : paused.length
          ? `${paused.join(', ')}: \`sentinel-compose up --out ${args.out}\` brings it back.`
          : undefined;
    },
  });
  const { signal } = interrupts;
  let lock: Lock | undefined;
  let runtime: Runtime | undefined;
  try {
    let dir: RenderedDir;
    if (args.up) {
      const up = await bringUp({
        outDir,
        outLabel: args.out,
        spec: await specSource(args.spec, ctx),
        runtime: choice,
        command: 'drill',
        startedBy: 'drill --up',
        signal,
        logger: { info: progress, warn: (l) => ctx.out.warn(l) },
        check: (t) => {
          checkGroups(
            args.group,
            t.masters.map((m) => m.name),
          );
          // Before anything starts: what the spec and --runtime already rule out.
          if (t.network !== 'bridge' || choice === 'local') {
            refusePartitions(named, { kind: choice === 'local' ? 'local' : 'docker', links: undefined, topology: t });
          }
        },
        // Already up (by `up`, or by another drill): drill it as it is and leave it running.
        adopt: async (rt) => {
          if ((await preflight(rt, outDir, args.out, progress, true)) === 'ready') return 'use';
          progress(`${rt.topology.project} is recorded as up in ${args.out}, but nothing of it runs: starting it`);
          return 'start';
        },
        onStarting: (rt) => {
          runtime = rt;
          startedHere = true;
        },
      });
      ({ lock, runtime, dir } = up);
      refusePartitions(named, runtime);
      if (!up.started && up.previous?.startedBy === 'drill --up') {
        // We hold the lock, so the drill --up that started it is gone: finish its job.
        progress(`${dir.topology.project} was left up in ${args.out} by a \`drill --up\` that did not finish: drilling it and taking it down afterwards`);
        startedHere = true;
      } else if (!up.started) {
        progress(`${dir.topology.project} is already up in ${args.out} (${up.previous!.runtime}): drilling it as it is and leaving it running`);
      }
    } else {
      dir = loadRendered(outDir);
      checkGroups(
        args.group,
        dir.topology.masters.map((m) => m.name),
      );
      lock = acquireLock(outDir, 'drill', args.out);
      if (lock.replaced) progress(describeReplaced(lock.replaced));
      runtime = (await runtimeForExisting(dir, choice === 'auto' ? undefined : choice)).runtime;
      refusePartitions(named, runtime);
      await preflight(runtime, outDir, args.out, progress);
    }
    if (signal.aborted) return signalExitCode(String(signal.reason));
    const report = await runDrill(runtime, scenarios, {
      rate: args.rate,
      readRate: args['read-rate'],
      commandTimeoutMs: args['command-timeout'],
      groups: args.group,
      password: dir.secrets.redisPassword,
      sentinelPassword: dir.secrets.sentinelPassword,
      signal,
      onProgress: progress,
    });
    if (args.json) process.stdout.write(renderJson(report));
    else ctx.out.out(renderTerminal(report, ctx.out.color));
    if (args.report) {
      const files = writeReports(path.resolve(ctx.cwd, args.report), report);
      progress(`report: ${files.map((f) => path.relative(ctx.cwd, f) || f).join(', ')}`);
    }
    if (signal.aborted) return signalExitCode(String(signal.reason));
    return report.passed ? 0 : 1;
  } finally {
    if (startedHere && runtime) {
      progress(`taking ${runtime.topology.project} down`);
      try {
        await tearDown(runtime, outDir, { volumes: true, logger: { info: progress, warn: (l) => ctx.out.warn(l) } });
      } catch (err) {
        ctx.out.warn(
          `could not take ${runtime.topology.project} down: ${err instanceof Error ? err.message : String(err)} (run \`sentinel-compose down --out ${args.out}\`)`,
        );
      }
    }
    lock?.release();
    interrupts.dispose();
  }
}

function checkGroups(groups: string[] | undefined, known: string[]): void {
  const problems: Problem[] = [];
  for (const g of groups ?? []) {
    if (!known.includes(g))
      problems.push({ path: '--group', value: g, message: 'is not a master group of this topology', fix: `use one of: ${known.join(', ')}` });
  }
  if (problems.length) throw new UsageError(problems);
}

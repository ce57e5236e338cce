import { existsSync } from 'node:fs';
import path from 'node:path';
import { InterruptedError, placeError, TimeoutError } from '../../common/errors.js';
import { catchInterrupts } from '../interrupt.js';
import { outOption, specOption } from '../options.js';
import { defineCommand, type CommandContext } from '../registry.js';
import { outDirOf, runtimeOption } from './runtime-shared.js';

export const upCommand = defineCommand({
  name: 'up',
  describe: 'Start the rendered topology (Docker Compose or local processes) and wait until it is healthy',
  options: {
    ...specOption,
    ...outOption,
    ...runtimeOption,
    build: { type: 'boolean', default: false, describe: 'Rebuild the bundled sentinel image even if it exists (docker)' },
    wait: { type: 'boolean', default: true, describe: 'Wait until every replica is online and every sentinel sees everything (--no-wait: return once started)' },
    timeout: { type: 'number', default: 90, describe: 'Seconds to wait for health', requiresArg: true, range: { min: 0, minExclusive: true, max: 86_400, unit: 'seconds', example: 90 } },
  },
  examples: [
    ['$0 up', 'render ./sentinel-compose.yaml into ./out if not done yet, start it, wait until healthy'],
    ['$0 up --runtime local', 'run as local redis-server / sentinel processes even when Docker is there'],
    ['$0 up --out deploy/redis --runtime docker --build', 'under Docker Compose, rebuilding the sentinel image'],
  ],
  epilogue:
    'up runs what is in --out. When --out has not been rendered yet and the spec exists, it renders it first; after editing the spec, run `sentinel-compose render` again.\n' +
    'The runtime is remembered in --out/run/state.json, so status, logs and down need no --runtime.\n' +
    'Interrupted while starting (Ctrl-C, kill, a closed terminal), it stops what it had started; while waiting for health, it leaves the topology running. Only one up, down or drill runs on a folder at a time.\n' +
    'Exit codes: 0 healthy, 1 not healthy within --timeout (it keeps running: see status and logs), 2 bad input, a missing dependency or the folder in use, 128 + the signal\'s number when interrupted.',
  async run(args, ctx) {
    const outDir = outDirOf(args, ctx);
    const specFile = path.resolve(ctx.cwd, args.spec);
    await renderIfNeeded(specFile, args.spec, outDir, args.out, ctx);

    const { loadRendered, selectRuntime } = await import('../../runtime/open.js');
    const { readState, writeState, clearState, newRunState } = await import('../../runtime/state.js');
    const { acquireLock, describeReplaced } = await import('../../runtime/lock.js');
    const { checkServices, describeLeftover, resume } = await import('../../runtime/leftovers.js');
    const { UsageError } = await import('../../common/errors.js');
    const dir = loadRendered(outDir);
    const t = dir.topology;
    let waiting = false;
    const interrupts = catchInterrupts({
      onStop: (sig) => ctx.out.info(waiting ? `${sig}: no longer waiting` : `${sig}: stopping what this up started`),
    });
    const { signal } = interrupts;
    const lock = acquireLock(outDir, 'up', args.out);
    try {
      if (lock.replaced) ctx.out.info(describeReplaced(lock.replaced));
      const previous = readState(outDir);
      let choice = args.runtime ?? 'auto';
      if (previous) {
        if (choice !== 'auto' && choice !== previous.runtime) {
          throw new UsageError([
            {
              path: '--runtime',
              value: choice,
              message: `${args.out} is already up under ${previous.runtime}`,
              fix: `run \`sentinel-compose down --out ${args.out}\` first, or leave out --runtime`,
            },
          ]);
        }
        choice = previous.runtime;
      }
      const { runtime, reason } = await selectRuntime(dir, choice);
      ctx.out.info(`${t.project}: ${reason}`);
      // up runs everything: a node left paused (by a drill that died, or by hand) is resumed.
      const { paused } = await checkServices(runtime, outDir);
      for (const l of paused) ctx.out.info(`  ${l.service} ${describeLeftover(l)}; resuming it`);
      await resume(runtime, paused);
      writeState(outDir, newRunState(runtime, t.project));
      try {
        await runtime.up({ build: args.build, onProgress: (m) => ctx.out.info(`  ${m}`), signal });
      } catch (err) {
        if (!previous) clearState(outDir);
        throw placeError(err, `starting ${t.project} in ${args.out}`, 'what it had started was stopped');
      }

      const { waitHealthy } = await import('../../runtime/observe/index.js');
      const { connectionHelp } = await import('../../runtime/connection-help.js');
      const services = await runtime.ps();
      if (!args.wait) {
        ctx.result({ ok: true, project: t.project, runtime: runtime.kind, outDir, healthy: null, services }, `${ctx.out.color.green('started')} ${t.project} (${runtime.kind}); not waiting for health (--no-wait)`);
        return;
      }
      ctx.out.info(`waiting until healthy (up to ${args.timeout} s)...`);
      waiting = true;
      const started = Date.now();
      const stillRunning = `It keeps running: \`sentinel-compose status --out ${args.out}\` and \`sentinel-compose logs --out ${args.out}\` show how it is; \`sentinel-compose down --out ${args.out}\` stops it.`;
      try {
        await waitHealthy(runtime, dir.secrets, {
          timeoutMs: args.timeout * 1000,
          signal,
          onProgress: (missing) => ctx.out.info(`  ${Math.round((Date.now() - started) / 1000)} s, waiting for: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? `; and ${missing.length - 3} more` : ''}`),
        });
      } catch (err) {
        if (err instanceof TimeoutError) throw new TimeoutError(`${err.message}\n${stillRunning}`, [], { cause: err });
        if (err instanceof InterruptedError) throw new InterruptedError(err.signal, `${err.message}. ${stillRunning}`, { cause: err });
        throw err;
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const help = connectionHelp(t, runtime);
      ctx.result(
        {
          ok: true,
          project: t.project,
          runtime: runtime.kind,
          outDir,
          healthy: true,
          secondsToHealthy: Number(seconds),
          sentinels: t.sentinels.map((s) => ({ service: s.service, ...runtime.endpoint(s.service) })),
          masters: t.masters.map((m) => m.name),
          services,
        },
        [`${ctx.out.color.green('healthy')}: ${t.project} on ${runtime.kind} (${seconds} s)`, ...help].join('\n'),
      );
    } finally {
      lock.release();
      interrupts.dispose();
    }
  },
});

async function renderIfNeeded(specFile: string, specArg: string, outDir: string, outArg: string, ctx: CommandContext): Promise<void> {
  const rendered = existsSync(path.join(outDir, 'topology.json'));
  // Already rendered and no spec to compare with: run it as it is.
  if (rendered && !existsSync(specFile)) return;
  const { loadSpecOrDefault, specLabel } = await import('../options.js');
  const render = await import('../../render/index.js');
  let label = specArg;
  const renderSpec = async () => {
    const loaded = await loadSpecOrDefault(specArg, ctx);
    label = specLabel(loaded, specArg);
    return render.renderFiles(loaded.topology, loaded.secrets, {
      specName: path.basename(loaded.file),
      sentinelBundle: { file: render.defaultSentinelBundle() },
    });
  };
  if (!rendered) {
    const files = await renderSpec();
    render.writeOutput(outDir, files);
    ctx.out.info(`rendered ${label} into ${outArg} (${files.length} files)`);
    return;
  }
  // Only a hint: a spec that no longer loads or renders does not stop running what was rendered.
  let diff: { changed: string[]; missing: string[] };
  try {
    diff = render.checkOutput(outDir, await renderSpec());
  } catch {
    return;
  }
  const changed = [...diff.changed, ...diff.missing];
  if (changed.length) {
    ctx.out.warn(`${outArg} is not what ${specArg} renders to now (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', ...' : ''}); up runs ${outArg} as it is. Run \`sentinel-compose render\` to update it.`);
  }
}

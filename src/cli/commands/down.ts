import { outOption } from '../options.js';
import { catchInterrupts } from '../interrupt.js';
import { defineCommand } from '../registry.js';
import { openRendered, runtimeOption } from './runtime-shared.js';

export const downCommand = defineCommand({
  name: 'down',
  describe: 'Stop everything the topology runs (data is kept unless --volumes)',
  options: {
    ...outOption,
    ...runtimeOption,
    volumes: {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'Also delete the data directories sentinel-compose created (and the configs the nodes rewrote); never anything else',
    },
  },
  examples: [
    ['$0 down', 'stop ./out with the runtime that started it'],
    ['$0 down --volumes', 'stop it and start from scratch next time'],
  ],
  epilogue:
    'Local processes are stopped by the pids recorded when they started (and only while each pid is still that process); containers with compose down. Exit codes: 0 done, 2 bad input or a missing dependency.',
  async run(args, ctx) {
    const dir = await openRendered(args, ctx);
    const { runtimeForExisting, localRuntime } = await import('../../runtime/open.js');
    const { clearState } = await import('../../runtime/state.js');
    const { acquireLock, describeReplaced } = await import('../../runtime/lock.js');
    const { tearDown } = await import('../../runtime/bring-up/index.js');
    // down is short and leaves nothing half-done when it finishes: the first signal lets it
    // finish, a second Ctrl-C stops it where it is (run it again to finish).
    const interrupts = catchInterrupts({
      onStop: (sig) => ctx.out.info(`${sig}: finishing down first (Ctrl-C again to quit at once)`),
      onQuit: () => `Some services may still run: run \`sentinel-compose down --out ${args.out}\` again.`,
    });
    const lock = acquireLock(dir.outDir, 'down', args.out);
    try {
      if (lock.replaced) ctx.out.info(describeReplaced(lock.replaced));
      const { runtime, state } = await runtimeForExisting(dir, args.runtime);
      if (!state && !args.runtime) {
        // Nothing recorded: stop any local processes recorded under run/ all the same (harmless when
        // there are none), and containers of this project if an engine has some.
        await localRuntime(dir).down({ volumes: args.volumes });
        const stopped = await downContainersIfAny(dir);
        clearState(dir.outDir);
        const kept = await keptData(dir.outDir, args.volumes);
        ctx.result(
          { ok: true, project: dir.topology.project, runtime: stopped ? 'docker' : null, volumes: args.volumes, kept: kept.files },
          `${dir.topology.project}: nothing recorded as running${stopped ? '; removed its containers' : ''}${args.volumes ? `; data deleted${kept.note}` : ''}`,
        );
        return;
      }
      ctx.out.info(`${dir.topology.project}: stopping (${runtime.kind})`);
      await tearDown(runtime, dir.outDir, { volumes: args.volumes, logger: { info: (l) => ctx.out.info(l), warn: (l) => ctx.out.warn(l) } });
      const kept = await keptData(dir.outDir, args.volumes);
      ctx.result(
        { ok: true, project: dir.topology.project, runtime: runtime.kind, volumes: args.volumes, kept: kept.files },
        `${ctx.out.color.green('down')}: ${dir.topology.project}${args.volumes ? ` (data deleted${kept.note})` : ' (data kept; --volumes deletes it)'}`,
      );
    } finally {
      lock.release();
      interrupts.dispose();
    }
  },
});

/** What `--volumes` left in data/ because sentinel-compose did not create it. */
async function keptData(outDir: string, volumes: boolean): Promise<{ files: string[]; note: string }> {
  if (!volumes) return { files: [], note: '' };
  const { leftIn } = await import('../../runtime/owned.js');
  const { dataDir } = await import('../../runtime/state.js');
  const files = leftIn(dataDir(outDir)).map((f) => `data/${f}`);
  const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, and ${files.length - 5} more` : '');
  return { files, note: files.length ? `; kept what sentinel-compose did not create: ${shown}` : '' };
}

async function downContainersIfAny(dir: import('../../runtime/open.js').RenderedDir): Promise<boolean> {
  const { probeEngine } = await import('../../runtime/compose/engine.js');
  const probe = await probeEngine(5000);
  if (!probe.ok) return false;
  const { containerIdsByLabel } = await import('../../runtime/compose/exec.js');
  const ids = await containerIdsByLabel(`com.docker.compose.project=${dir.topology.project}`).catch(() => []);
  if (!ids.length) return false;
  const { dockerRuntime } = await import('../../runtime/open.js');
  await (await dockerRuntime(dir, probe)).down();
  return true;
}

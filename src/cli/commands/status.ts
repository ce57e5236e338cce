import { EXIT_CHECK_FAILED } from '../../common/errors.js';
import { outOption } from '../options.js';
import { defineCommand } from '../registry.js';
import { openRendered, runtimeOption } from './runtime-shared.js';

export const statusCommand = defineCommand({
  name: 'status',
  describe: 'Who is master, replicas with offsets and lag, and what each sentinel believes',
  options: {
    ...outOption,
    ...runtimeOption,
    watch: { alias: 'w', type: 'boolean', default: false, describe: 'Refresh in place until Ctrl-C' },
    interval: { type: 'number', default: 2, describe: 'Seconds between refreshes with --watch', requiresArg: true },
  },
  examples: [
    ['$0 status', 'one look'],
    ['$0 status --watch', 'keep watching, e.g. while a drill pauses the master'],
    ['$0 status --json', 'the same as JSON: nodes, sentinels, problems, disagreements'],
  ],
  epilogue: 'Exit codes: 0 healthy, 1 not healthy (or not running), 2 bad input. With --watch: 0 on Ctrl-C.',
  async run(args, ctx) {
    const dir = await openRendered(args, ctx);
    const { runtimeForExisting } = await import('../../runtime/open.js');
    const { takeSnapshot, missingForHealth, disagreements } = await import('../../runtime/probe.js');
    const { formatStatus } = await import('./status-view.js');
    const { runtime, state } = await runtimeForExisting(dir, args.runtime);
    await (await import('../../runtime/reach.js')).assertReachable(runtime);
    const t = dir.topology;

    const look = async () => {
      const snapshot = await takeSnapshot(runtime, dir.secrets);
      const problems = missingForHealth(t, snapshot);
      const dis = disagreements(t, snapshot);
      return { snapshot, problems, disagreements: dis, healthy: problems.length === 0 && dis.length === 0 };
    };
    const notUp = !state && !args.runtime ? `${t.project} is not up (nothing recorded in ${dir.outDir}/run/state.json); start it with \`sentinel-compose up\`` : null;

    if (!args.watch) {
      const v = await look();
      const data = { ok: v.healthy, project: t.project, runtime: runtime.kind, startedAt: state ? new Date(state.startedAt).toISOString() : null, ...v };
      ctx.result(data, [formatStatus(t, v, ctx.out.color), ...(notUp ? ['', notUp] : [])].join('\n'));
      // The report above says why; exit 1 so that scripts can wait on `status`.
      return v.healthy ? 0 : EXIT_CHECK_FAILED;
    }

    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const tty = Boolean(process.stdout.isTTY) && !ctx.out.json;
    try {
      while (!abort.signal.aborted) {
        const v = await look();
        if (ctx.out.json) ctx.out.out(JSON.stringify({ ok: v.healthy, project: t.project, runtime: runtime.kind, ...v }));
        else {
          const text = `${formatStatus(t, v, ctx.out.color)}\n\n${ctx.out.color.dim(`every ${args.interval} s; Ctrl-C to stop`)}`;
          // Home the cursor and clear below it: the table redraws in place without flicker.
          ctx.out.out(tty ? `\x1b[H\x1b[J${text}` : text);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, args.interval * 1000);
          abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
});

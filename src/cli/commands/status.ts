import { EXIT_CHECK_FAILED, EXIT_OK } from '../../common/errors.js';
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
    interval: {
      type: 'number',
      default: 2,
      describe: 'Seconds between refreshes with --watch',
      requiresArg: true,
      // Each refresh asks every node and sentinel: faster than 10 a second is load, not news.
      range: { min: 0.1, max: 3600, unit: 'seconds', example: 2 },
    },
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
    const { observerFor } = await import('../../runtime/observe/index.js');
    const { formatStatus } = await import('./status-view.js');
    const { lookAtStatus, statusReport } = await import('../../runtime/status.js');
    const { runtime, state } = await runtimeForExisting(dir, args.runtime);
    await (await import('../../runtime/reach.js')).assertReachable(runtime);
    const t = dir.topology;

    // One set of connections for every look (--watch): a node that does not answer keeps one question pending, not one per refresh.
    const observer = observerFor(runtime, dir.secrets);
    const look = () => lookAtStatus(dir, runtime, state, observer, args.out);
    const notUp =
      !state && !args.runtime ? `${t.project} is not up (nothing recorded in ${dir.outDir}/run/state.json); start it with \`sentinel-compose up\`` : null;

    if (!args.watch) {
      const v = await look().finally(() => observer.close());
      const data = statusReport(dir, runtime, state, v);
      ctx.result(data, [formatStatus(t, v, ctx.out.color), ...(v.notes.length ? ['', ...v.notes] : []), ...(notUp ? ['', notUp] : [])].join('\n'));
      // The report above says why; exit 1 so that scripts can wait on `status`.
      return v.healthy ? EXIT_OK : EXIT_CHECK_FAILED;
    }

    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const tty = Boolean(process.stdout.isTTY) && !ctx.out.json;
    // `status --watch | head`: the reader went away; stop quietly.
    const stop = AbortSignal.any([abort.signal, ctx.out.closed]);
    try {
      while (!stop.aborted) {
        const v = await look();
        if (ctx.out.json) ctx.out.out(JSON.stringify({ ok: v.healthy, project: t.project, runtime: runtime.kind, ...v }));
        else {
          const text = [
            formatStatus(t, v, ctx.out.color),
            ...(v.notes.length ? ['', ...v.notes] : []),
            '',
            ctx.out.color.dim(`every ${args.interval} s; Ctrl-C to stop`),
          ].join('\n');
          // Home the cursor and clear below it: the table redraws in place without flicker.
          ctx.out.out(tty ? `\x1b[H\x1b[J${text}` : text);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, args.interval * 1000);
          stop.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    } finally {
      process.off('SIGINT', onSigint);
      observer.close();
    }
  },
});

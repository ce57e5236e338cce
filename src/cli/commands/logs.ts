import type { ChalkInstance } from 'chalk';
import { outOption } from '../options.js';
import { onOutputClosed } from '../interrupt.js';
import { defineCommand } from '../registry.js';
import { openRendered, runtimeOption } from './runtime-shared.js';

export const logsCommand = defineCommand({
  name: 'logs',
  describe: 'Show the logs of every service, merged by time, one colour per service',
  options: {
    ...outOption,
    ...runtimeOption,
    follow: { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new lines until Ctrl-C' },
    service: { alias: 's', type: 'string', array: true, describe: 'Only these services (repeatable)', requiresArg: true },
  },
  examples: [
    ['$0 logs', 'everything logged so far'],
    ['$0 logs -f -s redis-sentinel-1 -s redis-sentinel-2', 'follow two sentinels'],
    ['$0 logs --json', 'one JSON object per line: service, time, line'],
  ],
  async run(args, ctx) {
    const dir = await openRendered(args, ctx);
    const { runtimeForExisting } = await import('../../runtime/open.js');
    const { runtime } = await runtimeForExisting(dir, args.runtime);
    const { allNodes } = await import('../../topology/types.js');
    const services = allNodes(dir.topology).map((n) => n.service);
    const width = Math.max(...(args.service?.length ? args.service : services).map((s) => s.length));
    const colours = palette(ctx.out.color);
    const colourOf = new Map(services.map((s, i) => [s, colours[i % colours.length]!]));
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    // `logs | head`: the reader went away; stop quietly.
    const stopOnClosed = onOutputClosed(() => abort.abort());
    try {
      for await (const l of runtime.logs({ services: args.service, follow: args.follow, signal: abort.signal })) {
        if (abort.signal.aborted) break;
        if (ctx.out.json) ctx.out.out(JSON.stringify({ service: l.service, time: new Date(l.time).toISOString(), line: l.line }));
        else ctx.out.out(`${colourOf.get(l.service)!(l.service.padEnd(width))} | ${l.line}`);
      }
    } finally {
      process.off('SIGINT', onSigint);
      stopOnClosed();
    }
  },
});

function palette(c: ChalkInstance): ((s: string) => string)[] {
  return [c.cyan, c.magenta, c.yellow, c.green, c.blue, c.redBright, c.cyanBright, c.magentaBright, c.yellowBright, c.greenBright, c.blueBright];
}

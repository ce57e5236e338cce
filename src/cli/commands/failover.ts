import { InterruptedError } from '../../common/errors.js';
import type { FailoverResult } from '../../runtime/control/index.js';
import { catchInterrupts } from '../interrupt.js';
import { outOption } from '../options.js';
import { defineCommand, type CommandContext } from '../registry.js';
import { outDirOf, runtimeOption } from './runtime-shared.js';

export const failoverCommand = defineCommand({
  name: 'failover',
  positionalSyntax: '[master]',
  positionals: { master: { type: 'string', describe: 'The master group, as the sentinels monitor it (default: the only one)' } },
  describe: 'SENTINEL FAILOVER through a sentinel that can do it, then wait until every sentinel names the new master',
  options: {
    ...outOption,
    ...runtimeOption,
    wait: { type: 'boolean', default: true, describe: 'Wait until every running sentinel names the new master (--no-wait: return once a sentinel accepted)' },
    timeout: {
      type: 'number',
      default: 60,
      describe: 'Seconds for the whole failover: a sentinel accepting it, and every sentinel naming the new master',
      requiresArg: true,
      range: { min: 0, minExclusive: true, max: 86_400, unit: 'seconds', example: 60 },
    },
  },
  examples: [
    ['$0 failover', 'promote a replica of the only master group; return once every sentinel names it'],
    ['$0 failover orders --json', 'fail over the group "orders"; the old and new master and the time taken as JSON'],
    ['$0 failover --no-wait && $0 wait --master-changed --from redis-master', 'start it, do something else, then wait'],
  ],
  epilogue:
    'The sentinels are asked in order. One that sees no replica it may promote (-NOGOODSLAVE, e.g. right after another failover) is passed over for the next, and all are asked again until --timeout. ' +
    'A failover a sentinel is still leading (-INPROG; redis-sentinel finishes reconfiguring replicas for seconds after the new master is named) is waited for first, so that each failover moves the master once more, never two at once. A forced failover needs neither a quorum nor an election: one running sentinel that sees a good replica is enough.\n' +
    'Exit codes: 0 done (with --no-wait: accepted), 1 no sentinel accepted it or the sentinels did not all name a new master within --timeout, 2 bad input, no replicas, nothing running, or the folder in use.',
  async run(args, ctx) {
    const { failover } = await import('../../runtime/control/index.js');
    const interrupts = catchInterrupts({ onStop: (sig) => ctx.out.info(`${sig}: no longer waiting (a failover a sentinel accepted goes on)`) });
    try {
      const result = await failover(args.master as string | undefined, {
        outDir: outDirOf(args, ctx),
        outLabel: args.out,
        runtime: args.runtime,
        wait: args.wait,
        timeoutMs: args.timeout * 1000,
        signal: interrupts.signal,
        logger: { info: (l) => ctx.out.info(l), warn: (l) => ctx.out.warn(l) },
        onProgress: (missing) =>
          ctx.out.info(`  waiting for: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? `; and ${missing.length - 3} more` : ''}`),
      });
      ctx.result({ ok: true, ...result }, human(result, ctx, args.out));
    } catch (err) {
      if (err instanceof InterruptedError)
        throw new InterruptedError(err.signal, `${err.message}; \`sentinel-compose status --out ${args.out}\` shows where it is`, { cause: err });
      throw err;
    } finally {
      interrupts.dispose();
    }
  },
});

function human(r: FailoverResult, ctx: CommandContext, out: string): string {
  const c = ctx.out.color;
  const label = (m: { service?: string; address: string }) => (m.service ? `${m.service} (${m.address})` : m.address);
  const how = `${r.sentinel} accepted SENTINEL FAILOVER${r.waitedForPrevious ? ` after ${r.waitedForPrevious.sentinel} finished the previous one (${r.waitedForPrevious.ms} ms)` : ''}`;
  if (!r.to)
    return `${c.green('started')}: ${r.group}: ${how} after ${r.acceptedMs} ms; the master was ${label(r.from)} (not waiting: \`sentinel-compose wait --master-changed ${r.group} --from ${r.from.service ?? r.from.address} --out ${out}\` waits for it)`;
  return `${c.green('failed over')} ${r.group}: ${label(r.from)} -> ${c.bold(label(r.to))} in ${r.ms} ms (${how}; every running sentinel names the new master)`;
}

import { UsageError } from '../../common/errors.js';
import { outOption } from '../options.js';
import { defineCommand } from '../registry.js';
import { catchInterrupts } from '../interrupt.js';
import { outDirOf, runtimeOption } from './runtime-shared.js';

export const waitCommand = defineCommand({
  name: 'wait',
  positionalSyntax: '[group]',
  positionals: { group: { type: 'string', describe: 'Only this master group (default: the whole topology; with --master-changed: the only group)' } },
  describe: "Wait until the topology is healthy, or until a group's master has changed",
  options: {
    ...outOption,
    ...runtimeOption,
    'master-changed': {
      type: 'boolean',
      default: false,
      describe: 'Wait until every running sentinel names a new master for the group (one that says role master), instead of for health',
    },
    from: {
      type: 'string',
      describe:
        'With --master-changed: the master to wait for a change from, as a service or host:port (default: the one the sentinels name when the wait starts)',
      requiresArg: true,
    },
    timeout: {
      type: 'number',
      default: 60,
      describe: 'Seconds to wait',
      requiresArg: true,
      range: { min: 0, minExclusive: true, max: 86_400, unit: 'seconds', example: 60 },
    },
  },
  examples: [
    ['$0 wait', 'until every node and sentinel is healthy (exit 1 after --timeout)'],
    ['$0 wait --master-changed', 'until the sentinels name a new master of the only group'],
    ['$0 wait --master-changed orders --from orders-master --timeout 30', 'until the master of "orders" is no longer orders-master'],
    ['$0 pause redis-master && $0 wait --master-changed --from redis-master --json', 'fault, then the new master and how long it took as JSON'],
  ],
  epilogue:
    'Without --from, the master to change from is the one the sentinels name when the wait starts: after a fault that a fast failover follows, name the old master with --from, or start the wait first (`sentinel-compose wait --master-changed & sentinel-compose pause redis-master`).\n' +
    'Healthy: every data node answers, one master per group with every replica online and linked, every sentinel answers and agrees on the master and sees every replica and sentinel. A node left paused (by `pause`) keeps it from being healthy until it is resumed.\n' +
    'wait only looks: it takes no lock, so it can run beside the pause, kill or failover it waits for. Exit codes: 0 it happened, 1 not within --timeout (the message says what is still missing), 2 bad input or nothing running.',
  async run(args, ctx) {
    const { waitForHealthy, waitForMasterChange } = await import('../../runtime/control/index.js');
    if (args.from !== undefined && !args['master-changed']) {
      throw new UsageError([
        {
          path: '--from',
          value: args.from,
          message: 'only applies with --master-changed',
          fix: `add --master-changed, or leave out --from to wait for health`,
        },
      ]);
    }
    const interrupts = catchInterrupts({ onStop: (sig) => ctx.out.info(`${sig}: no longer waiting`) });
    const base = {
      outDir: outDirOf(args, ctx),
      outLabel: args.out,
      runtime: args.runtime,
      timeoutMs: args.timeout * 1000,
      signal: interrupts.signal,
      logger: { info: (l: string) => ctx.out.info(l), warn: (l: string) => ctx.out.warn(l) },
      onProgress: (missing: string[]) =>
        ctx.out.info(`  waiting for: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? `; and ${missing.length - 3} more` : ''}`),
    };
    const group = args.group as string | undefined;
    try {
      if (args['master-changed']) {
        const r = await waitForMasterChange(group, { ...base, from: args.from });
        const label = (m: { service?: string; address: string }) => (m.service ? `${m.service} (${m.address})` : m.address);
        ctx.result(
          { ok: true, waitedFor: 'master-changed', ...r },
          `${ctx.out.color.green('master changed')}: ${r.group}: ${label(r.from)} -> ${ctx.out.color.bold(label(r.to))} after ${r.ms} ms`,
        );
      } else {
        const r = await waitForHealthy(group, base);
        ctx.result(
          { ok: true, waitedFor: 'healthy', ...r },
          `${ctx.out.color.green('healthy')}: ${r.group ?? 'every group'}${r.already ? ' (already)' : ` after ${r.ms} ms`}`,
        );
      }
    } finally {
      interrupts.dispose();
    }
  },
});

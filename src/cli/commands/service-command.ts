/**
 * pause, unpause, kill and restart are one command each (commands/<name>.ts) built here: the same
 * arguments (services as `status` names them), the same lock, the same output, and the logic in
 * runtime/control, where the library calls it too.
 */
import type { ServiceChange, ServiceOp, ServiceOpResult } from '../../runtime/control/index.js';
import { catchInterrupts } from '../interrupt.js';
import { outOption } from '../options.js';
import { defineCommand, type CommandContext } from '../registry.js';
import { outDirOf, runtimeOption } from './runtime-shared.js';

const DONE: Record<ServiceOp, string> = { pause: 'paused', unpause: 'resumed', kill: 'killed', restart: 'restarted' };

export function serviceCommand(op: ServiceOp, text: { describe: string; examples: [string, string][]; epilogue: string }) {
  return defineCommand({
    name: op,
    positionalSyntax: '[service..]',
    positionals: {
      service: {
        type: 'string',
        array: true,
        describe: 'Services as `sentinel-compose status` lists them (redis-master, redis-replica-1, redis-sentinel-2, ...)',
      },
    },
    describe: text.describe,
    options: { ...outOption, ...runtimeOption },
    examples: text.examples,
    epilogue:
      `${text.epilogue}\n` +
      "Takes the folder's lock while it works (another fault command waits for it; up, down and a drill are refused while they run). " +
      'Exit codes: 0 done (also when a service already was so), 2 an unknown service, one the operation cannot apply to, nothing running, or the folder in use.',
    async run(args, ctx) {
      const { changeServices } = await import('../../runtime/control/index.js');
      // Short, and leaves nothing half-done: a signal lets it finish.
      const interrupts = catchInterrupts({ onStop: (sig) => ctx.out.info(`${sig}: finishing ${op} first`) });
      try {
        const result = await changeServices(op, (args.service as string[] | undefined) ?? [], {
          outDir: outDirOf(args, ctx),
          outLabel: args.out,
          runtime: args.runtime,
          logger: { info: (l) => ctx.out.info(l), warn: (l) => ctx.out.warn(l) },
        });
        ctx.result({ ok: true, ...result }, human(result, ctx));
        for (const hint of hints(result, args.out)) ctx.out.info(hint);
      } finally {
        interrupts.dispose();
      }
    },
  });
}

function what(c: ServiceChange): string {
  if (c.role === 'sentinel' || !c.role) return c.service;
  return `${c.service} (${c.role} of ${c.group})`;
}

function human(r: ServiceOpResult, ctx: CommandContext): string {
  const c = ctx.out.color;
  return r.services
    .map((s) => (s.changed ? `${c.green(DONE[r.command])} ${what(s)} in ${s.ms} ms` : `${c.dim('unchanged')} ${s.service}: ${s.note}`))
    .join('\n');
}

/** What usually comes next, with the commands for it. */
function hints(r: ServiceOpResult, out: string): string[] {
  const changed = r.services.filter((s) => s.changed);
  const names = changed.map((s) => s.service).join(' ');
  const masters = changed.filter((s) => s.role === 'master');
  const lines: string[] = [];
  if (r.command === 'pause' || r.command === 'kill') {
    for (const m of masters) {
      lines.push(
        `the sentinels fail ${m.group} over once ${m.service} has been silent for down-after-milliseconds: \`sentinel-compose wait --master-changed ${m.group} --from ${m.service} --out ${out}\` waits for it`,
      );
    }
    if (names)
      lines.push(
        `\`sentinel-compose ${r.command === 'pause' ? 'unpause' : 'restart'} ${names} --out ${out}\` ${r.command === 'pause' ? 'resumes' : 'starts'} ${changed.length > 1 ? 'them' : 'it'} again`,
      );
  } else if (names) {
    lines.push(`\`sentinel-compose wait --out ${out}\` waits until the topology is healthy again`);
  }
  return lines;
}

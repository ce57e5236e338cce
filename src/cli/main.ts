/**
 * The CLI entry: yargs over the command registry, and the ONE place where errors become exit
 * codes and messages (0 ok, 1 a check failed, 2 bad input, a missing dependency or a folder that
 * cannot be written, 70 a bug).
 */
import { EXIT_INTERNAL, exitCodeOf, placeError, ScError, UsageError, type Problem } from '../common/errors.js';
import { createOutput, type Output } from '../common/log.js';
import { closest } from '../common/suggest.js';
import { checkArgs, needsValue, type OptionDef } from './check-args.js';
import { helpTail } from './help.js';
import { commands } from './commands/index.js';
import type { AnyCommand, CommandContext } from './registry.js';
import { packageVersion } from './version.js';
import type { Options } from 'yargs';

const GLOBAL_OPTIONS = ['json', 'color', 'no-color', 'help', 'version', 'h'];

export interface MainOptions {
  cwd?: string;
  /** Terminal width for --help (default: stdout's, at most 100). */
  columns?: number;
}

const TOP_EXAMPLES: [string, string][] = [
  ['$0 init && $0 render', 'write a spec, then render it into ./out'],
  ['$0 validate --spec my.yaml', 'check a spec without writing anything'],
];
const TOP_EPILOGUE = "Run `sentinel-compose <command> --help` for a command's options and examples.";

export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const json = argv.includes('--json');
  const color = argv.includes('--no-color') || argv.includes('--color=false') ? false : undefined;
  const out = createOutput({ color, json });
  const ctx: CommandContext = {
    out,
    cwd: opts.cwd ?? process.cwd(),
    result(data, human) {
      if (out.json) out.out(JSON.stringify(data, null, 2));
      else if (human) out.out(human);
    },
  };
  try {
    return await dispatch(argv, ctx, Math.min(100, opts.columns ?? (process.stdout.columns || 100)));
  } catch (err) {
    return report(err, out);
  }
}

async function dispatch(argv: string[], ctx: CommandContext, width: number): Promise<number> {
  // `sentinel FILE --port 26380 ...` takes redis-sentinel style arguments: no option parsing.
  const passthrough = commands.find((c) => c.passthrough && c.name === argv[0]);
  if (passthrough && !argv.slice(1).some((a) => a === '--help' || a === '-h')) {
    return (await passthrough.run({ _: argv.slice(1), json: false, color: true }, ctx)) ?? 0;
  }

  const { default: yargs } = await import('yargs');
  let code = 0;
  let tail: { examples: [string, string][]; epilogue?: string } = { examples: TOP_EXAMPLES, epilogue: TOP_EPILOGUE };
  const y = yargs(argv)
    .scriptName('sentinel-compose')
    .usage('$0 <command> [options]\n\nRedis Sentinel high availability on one machine, from a spec.')
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output on stdout', global: true })
    .option('color', { type: 'boolean', default: true, describe: 'Colour (--no-color, NO_COLOR or a non-TTY turn it off)', global: true })
    .version(packageVersion())
    .alias('help', 'h')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'no command given')
    .exitProcess(false)
    .wrap(width)
    .fail((msg, err) => {
      // yargs' own parse errors (a YError, e.g. an option without its value) are the user's;
      // anything else came from a command and is mapped by report().
      if (err && err.name !== 'YError') throw err;
      throw usageFromYargs(msg || err?.message || '', argv);
    });
  for (const cmd of commands) {
    y.command({
      command: cmd.positionalSyntax ? `${cmd.name} ${cmd.positionalSyntax}` : cmd.name,
      describe: cmd.describe,
      builder: (yy) => {
        for (const [name, p] of Object.entries(cmd.positionals ?? {})) yy.positional(name, p);
        yy.options(yargsOptions(cmd.options));
        // yargs runs only the builder of the command on the line: its --help shows its examples.
        tail = cmd;
        return yy;
      },
      handler: async (args) => {
        const problems = checkArgs(cmd.name, cmd.options, argv);
        if (problems.length) throw new UsageError(problems);
        code = (await cmd.run(args, ctx)) ?? 0;
      },
    });
  }
  // yargs hands --help and --version text to the callback instead of printing it, so that all
  // output goes through one place (and tests can capture it).
  let printed = '';
  await y.parseAsync(argv, {}, (_err, _args, output) => {
    printed = output;
  });
  const help = argv.includes('--help') || argv.includes('-h');
  if (printed) ctx.out.out(help ? `${printed.trimEnd()}\n\n${helpTail(tail.examples, tail.epilogue, width, 'sentinel-compose')}` : printed);
  return code;
}

/**
 * Every option that takes a value requires one (`--out` last on the line is an error, not an
 * empty string), and a single-valued option given twice takes the last value, as in most CLIs
 * (yargs would make it an array that no command expects).
 */
function yargsOptions(options: Record<string, OptionDef>): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const [name, { range: _range, ...opt }] of Object.entries(options)) {
    const takesValue = opt.type !== 'boolean' && opt.type !== 'count';
    out[name] = {
      ...opt,
      ...(takesValue ? { requiresArg: true } : {}),
      ...(!opt.array ? { coerce: (v: unknown): unknown => (Array.isArray(v) ? (v as unknown[]).at(-1) : v) } : {}),
    };
  }
  return out;
}

/** yargs' validation messages, turned into Problems with a suggestion where one exists. */
function usageFromYargs(msg: string, argv: string[]): UsageError {
  const commandNames = commands.map((c) => c.name);
  const cmd: AnyCommand | undefined = commands.find((c) => c.name === argv[0]);
  const flagNames = [...GLOBAL_OPTIONS, ...Object.entries(cmd?.options ?? {}).flatMap(([name, o]) => [name, ...[o.alias ?? []].flat()])];
  const help = cmd ? `sentinel-compose ${cmd.name} --help` : 'sentinel-compose --help';

  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (unknown) {
    const problems: Problem[] = unknown[1]!.split(', ').map((name) => {
      const isFlag = argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || a === `-${name}`);
      if (!isFlag && !cmd) {
        const s = closest(name, commandNames);
        return { path: name, message: 'is not a command', fix: s ? `did you mean "${s}"?` : `commands: ${commandNames.join(', ')}` };
      }
      if (!isFlag) return { path: name, message: `is an unexpected argument for "${cmd!.name}"`, fix: `see ${help}` };
      const s = closest(name, flagNames);
      const dash = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);
      return { path: dash(name), message: 'is not a known option', fix: s ? `did you mean "${dash(s)}"? (${help})` : `see ${help}` };
    });
    return new UsageError(problems);
  }
  const didYouMean = /^Did you mean (.*)\?$/.exec(msg);
  if (didYouMean) {
    const word = argv.find((a) => !a.startsWith('-')) ?? '';
    return new UsageError([{ path: word, message: 'is not a command', fix: `did you mean "${didYouMean[1]}"?` }]);
  }
  if (msg === 'no command given') {
    return new UsageError([{ path: '', message: `no command given: ${commandNames.join(', ')}`, fix: 'run `sentinel-compose --help`' }]);
  }
  const invalid = /^Invalid values:\s*Argument: (\S+), Given: "?([^",]*)"?, Choices: (.*)$/s.exec(msg.replace(/\n/g, ' '));
  if (invalid) {
    if (invalid[2] === '') return new UsageError([needsValue(cmd?.name ?? '', `--${invalid[1]}`, cmd?.options[invalid[1]!])]);
    const choices = invalid[3]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const s = closest(invalid[2]!, choices);
    return new UsageError([
      { path: `--${invalid[1]}`, value: invalid[2], message: `must be one of ${choices.join(', ')}`, fix: s ? `did you mean "${s}"?` : `see ${help}` },
    ]);
  }
  const missingValue = /^Not enough arguments following: (.*)$/.exec(msg);
  if (missingValue) {
    const key = missingValue[1]!;
    const opt = Object.entries(cmd?.options ?? {}).find(([name, o]) => name === key || [o.alias ?? []].flat().includes(key))?.[1];
    return new UsageError([needsValue(cmd?.name ?? '', key.length === 1 ? `-${key}` : `--${key}`, opt)]);
  }
  return new UsageError([{ path: '', message: `${msg} (see ${help})` }]);
}

function report(caught: unknown, out: Output): number {
  // A full disk or a read-only folder is the place's problem, not a bug, wherever it surfaced.
  const err = placeError(caught, 'reading or writing a file');
  const code = exitCodeOf(err);
  if (out.json) {
    const e = err as Error & { problems?: Problem[]; details?: unknown };
    out.out(
      JSON.stringify(
        {
          ok: false,
          error: {
            type: e?.name ?? 'Error',
            message: e?.message ?? String(err),
            exitCode: code,
            ...(e?.problems ? { problems: e.problems } : {}),
            ...(e?.details !== undefined ? { details: e.details } : {}),
          },
        },
        null,
        2,
      ),
    );
    return code;
  }
  if (err instanceof ScError) {
    out.error(err.message);
    return code;
  }
  out.error(`internal error (a bug in sentinel-compose): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT_INTERNAL;
}

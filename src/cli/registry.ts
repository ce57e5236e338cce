/**
 * The typed command registry. A command is data: its name, positionals, options (a plain
 * object, so that the CLI can also suggest corrections for mistyped flags), examples, and a
 * `run` that lazily imports what it needs, keeping start-up lean. Adding a command is one
 * `defineCommand` file under commands/ and one line in commands/index.ts.
 */
import type { InferredOptionTypes, PositionalOptions } from 'yargs';
import type { Output } from '../common/log.js';
import type { OptionDef } from './check-args.js';

export interface GlobalArgs {
  json: boolean;
  color: boolean;
}

export interface CommandContext {
  out: Output;
  cwd: string;
  /** Prints `data` as JSON with --json, otherwise the human text (if any). */
  result(data: unknown, human?: string): void;
}

export interface CommandDef<O extends Record<string, OptionDef> = Record<string, OptionDef>, P = Record<string, unknown>> {
  name: string;
  /** yargs positional syntax after the name, e.g. `<file> [args..]`. */
  positionalSyntax?: string;
  positionals?: Record<string, PositionalOptions>;
  describe: string;
  /** Every value is checked by check-args.ts before `run`; `range` for numbers. */
  options: O;
  examples: [command: string, description: string][];
  /** Extra paragraph shown at the end of --help. */
  epilogue?: string;
  /**
   * Arguments after the command name go to `run` as they are (in `_`), without option parsing:
   * for `sentinel FILE [--redis-style options]`. --help still shows the command's help.
   */
  passthrough?: boolean;
  /** Returns the exit code (default 0). Throw ScError subclasses for failures. */
  run(args: InferredOptionTypes<O> & P & GlobalArgs & { _: (string | number)[] }, ctx: CommandContext): Promise<number | void>;
}

export function defineCommand<O extends Record<string, OptionDef>, P = Record<string, unknown>>(def: CommandDef<O, P>): CommandDef<O, P> {
  return def;
}

// The registry stores commands with their option types erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- erased on purpose: each command checks its own arguments' type
export type AnyCommand = CommandDef<Record<string, OptionDef>, any>;

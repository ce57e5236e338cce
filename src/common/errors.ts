/**
 * Every error the product raises on purpose is one of these, so that one place (the CLI) can map
 * it to an exit code and print it without a stack trace. Text is built here, structured fields
 * are attached, and the original error stays as `cause`.
 */
import { constants as osConstants } from 'node:os';

export const EXIT_OK = 0;
/** A drill expectation or a `--check` failed. */
export const EXIT_CHECK_FAILED = 1;
/** Bad input or a missing dependency. */
export const EXIT_USAGE = 2;
/** A bug or an unexpected external failure. */
export const EXIT_INTERNAL = 70;

export abstract class ScError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem with user input: which field, what was wrong, how to fix it. */
export interface Problem {
  /** Field path like `masters[0].quorum`, or an argument like `--out`. */
  path: string;
  message: string;
  /** The offending value, already redacted when it may be a secret. */
  value?: unknown;
  fix?: string;
  /** Line in the spec file, when the problem is in one. */
  line?: number;
}

export class UsageError extends ScError {
  readonly exitCode = EXIT_USAGE;
  readonly problems: Problem[];
  constructor(problems: Problem[] | string, options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [{ path: '', message: problems }] : problems;
    super(formatProblems(list), options);
    this.problems = list;
  }
}

export class MissingDependencyError extends ScError {
  readonly exitCode = EXIT_USAGE;
  constructor(
    readonly what: string,
    readonly install: string,
    options?: { cause?: unknown },
  ) {
    super(`${what} is not available. ${install}`, options);
  }
}

/** A check the user asked for did not pass (render --check, a drill expectation). */
export class CheckFailedError extends ScError {
  readonly exitCode = EXIT_CHECK_FAILED;
}

/** An external command (docker, redis-cli, ...) failed; keeps its command line and output. */
export class ExternalToolError extends ScError {
  readonly exitCode = EXIT_INTERNAL;
  constructor(
    readonly command: string,
    readonly output: string,
    summary: string,
    options?: { cause?: unknown },
  ) {
    super(`${summary}\n  command: ${command}${output.trim() ? `\n  output:\n${indent(output.trim(), 4)}` : ''}`, options);
  }
}

/** Something did not happen in time (topology never healthy, ...). `missing` says what. */
export class TimeoutError extends ScError {
  readonly exitCode = EXIT_CHECK_FAILED;
  constructor(
    message: string,
    readonly missing: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(missing.length ? `${message}\n${missing.map((m) => `  - ${m}`).join('\n')}` : message, options);
  }
}

/**
 * The user (or the terminal, or a closed pipe) stopped a command. The exit code is the shell's
 * 128 + the signal's number, so scripts see the same code as if the signal had ended the process.
 */
export class InterruptedError extends ScError {
  readonly exitCode: number;
  constructor(
    readonly signal: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.exitCode = signalExitCode(signal);
  }
}

/** 128 + the signal's number (SIGINT 130, SIGTERM 143, SIGHUP 129, SIGPIPE 141). */
export function signalExitCode(signal: string): number {
  return 128 + ((osConstants.signals as Record<string, number>)[signal] ?? 2);
}

export function formatProblems(problems: Problem[]): string {
  if (problems.length === 1 && !problems[0]!.path) return problems[0]!.message;
  const lines = problems.map((p) => {
    const where = p.path ? `${p.path}${p.line ? ` (line ${p.line})` : ''}: ` : '';
    const value = p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`;
    const fix = p.fix ? `\n    fix: ${p.fix}` : '';
    return `  - ${where}${p.message}${value}${fix}`;
  });
  const head = problems.length === 1 ? '1 problem:' : `${problems.length} problems:`;
  return `${head}\n${lines.join('\n')}`;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof ScError ? err.exitCode : EXIT_INTERNAL;
}

export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

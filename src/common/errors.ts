/**
 * Every error the product raises on purpose is one of these, so that one place (the CLI) can map
 * it to an exit code and print it without a stack trace. Text is built here, structured fields
 * are attached, and the original error stays as `cause`.
 */
import { constants as osConstants } from 'node:os';

export const EXIT_OK = 0;
/** A drill expectation or a `--check` failed. */
export const EXIT_CHECK_FAILED = 1;
/** Bad input, a missing dependency, or a folder that cannot be written (FileSystemError). */
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
 * Reading or writing where the user pointed failed for a reason of that place (full, read-only,
 * not allowed): not a bug, so exit 2 with what was being done, why, and what to do about it.
 */
export class FileSystemError extends ScError {
  readonly exitCode = EXIT_USAGE;
}

const PLACE_PROBLEMS: Record<string, { why: string; fix: string }> = {
  ENOSPC: { why: 'no space left on the device', fix: 'free some space there, or choose a folder on another filesystem' },
  EDQUOT: { why: 'the disk quota is used up', fix: 'free some space there, or choose a folder on another filesystem' },
  EROFS: { why: 'the filesystem is read-only', fix: 'choose a folder on a writable filesystem' },
  EACCES: { why: 'permission denied', fix: 'choose a folder you may write to, or change its permissions' },
  EPERM: { why: 'operation not permitted', fix: 'choose a folder you may write to, or change its permissions' },
  EBUSY: { why: 'it is in use (a mount point cannot be replaced)', fix: 'use a folder inside it' },
  EXDEV: { why: 'it is on another filesystem than the folder around it (a mount point cannot be replaced)', fix: 'use a folder inside it' },
};

/** Why and what to do, when `err` is a problem of the place. */
export function placeProblem(err: unknown): { why: string; fix: string } | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? PLACE_PROBLEMS[code] : undefined;
}

/**
 * `err` as a FileSystemError when it is a problem of the place (see PLACE_PROBLEMS), saying what
 * was being done (`doing`, e.g. "rendering into out"), what is left (`outcome`, e.g. "out is as
 * it was") and where; anything else is returned unchanged, to be rethrown.
 */
export function placeError(err: unknown, doing: string, outcome?: string, at?: string): unknown {
  const e = err as NodeJS.ErrnoException;
  const known = placeProblem(e);
  if (!known || err instanceof ScError) return err;
  // `at`: the file the user knows, rather than the temporary one that failed.
  const where = at ? ` (${at})` : e.path ? ` (${e.syscall ?? 'at'} ${e.path})` : '';
  return new FileSystemError(
    `${doing} failed: ${known.why}${where}${outcome ? `; ${outcome}` : ''}.
  fix: ${known.fix}`,
    { cause: err },
  );
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
    const value = p.value === undefined ? '' : ` (got ${shown(p.value)})`;
    const fix = p.fix ? `\n    fix: ${p.fix}` : '';
    return `  - ${where}${p.message}${value}${fix}`;
  });
  const head = problems.length === 1 ? '1 problem:' : `${problems.length} problems:`;
  return `${head}\n${lines.join('\n')}`;
}

/** A value as the user wrote it, cut short when it is long (a binary file read as a spec). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 100)}... (${text.length} characters)` : text;
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

/**
 * Output for humans goes to stderr (progress, warnings) or stdout (results); `--json` output goes
 * to stdout alone. Colour is decided once, here.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Output {
  color: ChalkInstance;
  json: boolean;
  /** A result line for stdout. */
  out(text: string): void;
  /** Progress and diagnostics for stderr; silent in --json mode unless `always`. */
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** Aborted once stdout's (or stderr's) reader has gone away: commands that keep writing stop. */
  closed: AbortSignal;
}

/**
 * `status --watch | head -1`: when the reader goes away, a write fails with EPIPE (EIO when the
 * terminal was closed), which Node (ignoring SIGPIPE) reports as an 'error' event on the stream;
 * without a listener that kills the process with a stack trace. Instead, output counts as closed:
 * nothing more is written to stdout, and what keeps writing ends quietly (commands that change
 * what runs treat it as an interrupt, see cli/interrupt.ts). The guard stays for the life of the
 * process: the error can arrive after the last write.
 */
const closed = new AbortController();
let watching = false;

/** Aborted once stdout or stderr can no longer be written. */
export function outputClosed(): AbortSignal {
  if (!watching) {
    watching = true;
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
      closed.abort();
    };
    process.stdout.on('error', onError);
    process.stderr.on('error', onError);
  }
  return closed.signal;
}

export function colorEnabled(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag === false) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

export function createOutput(opts: { color?: boolean; json?: boolean } = {}): Output {
  const useColor = colorEnabled(opts.color);
  const color = new Chalk({ level: useColor ? 1 : 0 });
  const json = Boolean(opts.json);
  const closedSignal = outputClosed();
  return {
    color,
    json,
    closed: closedSignal,
    out: (text) => {
      if (!closedSignal.aborted) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    info: (text) => {
      if (!json) process.stderr.write(`${text}\n`);
    },
    warn: (text) => process.stderr.write(`${color.yellow('warning:')} ${text}\n`),
    error: (text) => process.stderr.write(`${color.red('error:')} ${text}\n`),
  };
}

/**
 * Running docker / docker compose: output captured, a failure becomes an ExternalToolError with
 * the command line and its output, the execa error kept as `cause`.
 */
import { execa } from 'execa';
import { ExternalToolError } from '../../common/errors.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  all: string;
}

export interface ExecOptions {
  cwd?: string;
  /** Text for the error's first line. */
  summary?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Aborting it stops the command (SIGTERM), e.g. when the user interrupts `up`. */
  signal?: AbortSignal;
  /** Written to the command's stdin (otherwise stdin is closed). */
  input?: string;
}

export function commandLine(cmd: string, args: string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export async function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await execa(cmd, args, {
    cwd: opts.cwd,
    reject: false,
    all: true,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    timeout: opts.timeoutMs,
    env: opts.env,
    cancelSignal: opts.signal,
  });
  const out = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), all: String(r.all ?? '') };
  if (r.failed) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : r.exitCode !== undefined ? `exit code ${r.exitCode}` : (r.shortMessage ?? 'failed');
    throw new ExternalToolError(commandLine(cmd, args), out.all, `${opts.summary ?? `${cmd} failed`} (${why})`, { cause: r });
  }
  return out;
}

/** Like `run` but never throws: for probes whose failure is an answer. */
export async function tryRun(cmd: string, args: string[], opts: ExecOptions = {}): Promise<{ ok: boolean; out: ExecResult; code?: number; notFound: boolean }> {
  const r = await execa(cmd, args, { cwd: opts.cwd, reject: false, all: true, stdin: 'ignore', timeout: opts.timeoutMs ?? 20_000, env: opts.env });
  const out = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), all: String(r.all ?? '') };
  const code = (r as { code?: string }).code;
  return { ok: !r.failed, out, code: r.exitCode, notFound: code === 'ENOENT' };
}

/** Full ids of every container (running or not) carrying `label` (`key=value`; several: all of them). */
export async function containerIdsByLabel(label: string | string[], env?: ExecOptions['env']): Promise<string[]> {
  const filters = (Array.isArray(label) ? label : [label]).flatMap((l) => ['--filter', `label=${l}`]);
  const out = await run('docker', ['ps', '-aq', '--no-trunc', ...filters], { summary: 'docker ps failed', ...(env ? { env } : {}) });
  return out.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Real redis-server / redis-sentinel / bundled-sentinel processes for integration tests. Every
 * process started here is registered and killed by `stopAll()` (call it in afterAll/afterEach),
 * and on process exit as a last resort, so no test leaves anything running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { SENTINEL_NODE_OPTIONS } from '../../src/common/sentinel-node-options.js';

export interface Proc {
  name: string;
  child: ChildProcess;
  host: string;
  port: number;
  dir: string;
  logFile: string;
  /** Whole log so far (stdout+stderr and logfile if configured). */
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  pause(): void;
  resume(): void;
}

const live = new Set<Proc>();
const dirs = new Set<string>();

process.on('exit', () => {
  for (const p of live) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export function tempDir(prefix = 'sc-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

function startProcess(name: string, cmd: string, args: string[], host: string, port: number, dir: string, env?: NodeJS.ProcessEnv): Proc {
  const logFile = path.join(dir, `${name}.out`);
  let buf = '';
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  child.stdout.on('data', (d: Buffer) => (buf += d.toString()));
  child.stderr.on('data', (d: Buffer) => (buf += d.toString()));
  const proc: Proc = {
    name,
    child,
    host,
    port,
    dir,
    logFile,
    log: () => buf,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async (signal = 'SIGTERM') => {
      live.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGCONT');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(proc);
  return proc;
}

/**
 * Any program on a prepared config (redis-server, redis-sentinel, node ...), registered for
 * stopAll() like the others; resolves once host:port accepts connections.
 */
export async function startProgram(
  name: string,
  cmd: string,
  args: string[],
  opts: { host: string; port: number; dir: string; env?: NodeJS.ProcessEnv },
): Promise<Proc> {
  const p = startProcess(name, cmd, args, opts.host, opts.port, opts.dir, opts.env);
  // A program that refuses to start says so at once ('close': its output is all read by then).
  let onExit!: (code: number | null) => void;
  const exited = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`${name} exited with code ${code}`));
    p.child.once('close', onExit);
  });
  exited.catch(() => {});
  try {
    await Promise.race([waitForPort(opts.port, opts.host), exited]);
  } catch (err) {
    throw new Error(`${name} did not start listening on ${opts.host}:${opts.port}; its output:\n${p.log()}`, { cause: err });
  } finally {
    p.child.off('close', onExit);
  }
  return p;
}

export interface RedisOptions {
  host?: string;
  port?: number;
  /** Extra redis.conf lines. */
  conf?: string[];
  replicaOf?: { host: string; port: number };
}

export async function startRedis(name: string, opts: RedisOptions = {}): Promise<Proc> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const dir = tempDir(`sc-test-${name}-`);
  const lines = [
    `port ${port}`,
    `bind ${host}`,
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    'protected-mode no',
    ...(opts.replicaOf ? [`replicaof ${opts.replicaOf.host} ${opts.replicaOf.port}`] : []),
    ...(opts.conf ?? []),
  ];
  const confFile = path.join(dir, 'redis.conf');
  writeFileSync(confFile, lines.join('\n') + '\n');
  const p = startProcess(name, 'redis-server', [confFile], host, port, dir);
  await waitForPort(port, host);
  return p;
}

export interface SentinelOptions {
  host?: string;
  port?: number;
  /** `redis` runs Debian's redis-sentinel; `bundled` runs dist/sentinel (node). */
  implementation: 'redis' | 'bundled';
  /** sentinel.conf body (without port/bind/dir, which are added). */
  conf: string[];
  /**
   * Options for node before the script (bundled only), e.g. ['--cpu-prof'], after the options the
   * product launches it with (SENTINEL_NODE_OPTIONS) unless `nodeDefaults` drops those.
   */
  nodeArgs?: string[];
  /** Launch the bundled sentinel with Node's own defaults instead of SENTINEL_NODE_OPTIONS. */
  nodeDefaults?: boolean;
  /** The bundled sentinel's entry point (default dist/sentinel/main.js), e.g. another build to compare. */
  script?: string;
}

export const repoRoot = path.resolve(new URL('.', import.meta.url).pathname, '..', '..');

export async function startSentinel(name: string, opts: SentinelOptions): Promise<Proc & { confFile: string }> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const dir = tempDir(`sc-test-${name}-`);
  const confFile = path.join(dir, 'sentinel.conf');
  writeFileSync(confFile, [`port ${port}`, `bind ${host}`, `dir ${dir}`, ...opts.conf].join('\n') + '\n');
  const [cmd, args] = sentinelCommandLine(confFile, opts);
  const p = startProcess(name, cmd, args, host, port, dir);
  await waitForPort(port, host);
  return Object.assign(p, { confFile });
}

/** The program and arguments that run a sentinel of either implementation on `confFile`. */
function sentinelCommandLine(confFile: string, opts: Pick<SentinelOptions, 'implementation' | 'nodeArgs' | 'nodeDefaults' | 'script'>): [string, string[]] {
  if (opts.implementation === 'redis') return ['redis-sentinel', [confFile]];
  const node = [...(opts.nodeDefaults ? [] : SENTINEL_NODE_OPTIONS), ...(opts.nodeArgs ?? [])];
  return [process.execPath, [...node, opts.script ?? path.join(repoRoot, 'dist', 'sentinel', 'main.js'), confFile]];
}

/**
 * A sentinel of either implementation started the way a user starts one by hand: from `cwd`, with
 * the config path exactly as given (relative paths included) and nothing added to the file.
 * Rejects with the process's output when it does not come up.
 */
export async function startSentinelFrom(
  name: string,
  implementation: 'redis' | 'bundled',
  opts: { cwd: string; conf: string; port: number; host?: string },
): Promise<Proc> {
  const [cmd, args] = sentinelCommandLine(opts.conf, { implementation });
  return startProgram(name, cmd, args, { host: opts.host ?? '127.0.0.1', port: opts.port, dir: opts.cwd });
}

/** Kills every process started here and removes the temp dirs made here. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGKILL')));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts a sentinel again on its existing config file (same port, same directory), as after a
 * crash or a restart: the file is not rewritten first.
 */
export async function restartSentinel(prev: Proc & { confFile: string }, implementation: 'redis' | 'bundled'): Promise<Proc & { confFile: string }> {
  const [cmd, args] = sentinelCommandLine(prev.confFile, { implementation });
  const p = startProcess(`${prev.name}-again`, cmd, args, prev.host, prev.port, prev.dir);
  await waitForPort(prev.port, prev.host);
  return Object.assign(p, { confFile: prev.confFile });
}

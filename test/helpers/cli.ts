/**
 * The built CLI (bin/ -> dist/) as a real process, for tests where signals, pipes, terminals or
 * a second concurrent command are the point. Every process started here is killed by
 * `killClis()` (call it in afterEach) so a failed assertion leaves nothing behind; the topology a
 * test brought up is the test's to take down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSameProcess, type ProcessRecord } from '../../src/runtime/local/process.js';
import { allNodes, type Topology } from '../../src/topology/types.js';
import { removeDir, repoRoot } from './procs.js';

export const cliBin = path.join(repoRoot, 'bin', 'sentinel-compose.js');
export const cliBuilt = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));
export const CLI_SKIP = cliBuilt ? '' : ' [skipped: run npm run build first]';

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr (progress) matches; rejects when the process exits first. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Exit code, or 128 + the signal's number when a signal ended it (as a shell reports it). */
  exited: Promise<number>;
}

const live = new Set<ChildProcess>();

export function startCli(args: string[], cwd: string, opts: { stdio?: 'pipe' | 'ignore-stdout' } = {}): Cli {
  const child = spawn(process.execPath, [cliBin, ...args, '--no-color'], {
    cwd,
    stdio: ['ignore', opts.stdio === 'ignore-stdout' ? 'ignore' : 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (re, timeoutMs = 90_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${re} on stderr within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        const check = () => {
          if (re.test(stderr)) {
            clearTimeout(timer);
            child.stderr!.off('data', check);
            resolve();
          }
        };
        child.stderr!.on('data', check);
        void exited.then((code) => {
          clearTimeout(timer);
          if (!re.test(stderr)) reject(new Error(`exited ${code} before ${re}:\n${stderr}`));
        });
        check();
      }),
  };
}

export async function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = startCli(args, cwd);
  const code = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

export function killClis(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/**
 * For afterEach: kills the CLIs still running, takes down what each folder's out/ runs (whatever
 * a failed assertion left), and removes the folders.
 */
export async function cleanUpCliFolders(dirs: string[]): Promise<void> {
  killClis();
  for (const d of dirs.splice(0)) {
    if (existsSync(path.join(d, 'out', 'topology.json'))) await runCli(['down', '--volumes', '--out', path.join(d, 'out')], d);
    removeDir(d);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return (os.constants.signals as Record<string, number>)[signal] ?? 0;
}

/** The processes the local runtime recorded for a rendered folder (whether or not they still run). */
export function recordedProcesses(outDir: string): { service: string; rec: ProcessRecord }[] {
  const topology = JSON.parse(readFileSync(path.join(outDir, 'topology.json'), 'utf8')) as Topology;
  return allNodes(topology).flatMap((n) => {
    const file = path.join(outDir, 'run', n.service, 'process.json');
    return existsSync(file) ? [{ service: n.service, rec: JSON.parse(readFileSync(file, 'utf8')) as ProcessRecord }] : [];
  });
}

/** Services of `outDir` whose recorded process is still alive. */
export function liveServices(outDir: string, known: { service: string; rec: ProcessRecord }[] = recordedProcesses(outDir)): string[] {
  return known.filter((k) => isSameProcess(k.rec)).map((k) => k.service);
}

/** Polls until `ok()` holds, or fails with `what` after `timeoutMs`. */
export async function eventually(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A scenario file (write it as `hold.yaml`) whose drill pauses the master and keeps it paused for
 * a minute: long enough for other commands, or a signal, to find it paused. HOLD_DRILL runs it.
 */
export const HOLD_SCENARIO = `- name: pause-and-hold
  summary: pause the master and keep it paused for a minute
  steps:
    - { do: pause, target: { node: master }, mark: fault }
    - { do: hold, for: 60000 }
    - { do: unpause, target: { node: master }, mark: heal }
  expect: [fault-detected]
`;
export const HOLD_DRILL = ['drill', 'pause-and-hold', '--scenario-file', 'hold.yaml', '--rate', '20', '--read-rate', '0'];

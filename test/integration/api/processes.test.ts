/**
 * The library from other processes, through the package's own name (the built dist/): a
 * topology opened from a second process (as a vitest globalSetup starts it and test workers use
 * it), and a process that started one being interrupted or exiting without stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTopology, type Topology } from '../../../src/api/index.js';
import { processStateLetter } from '../../../src/runtime/local/process.js';
import { CLI_SKIP, cliBuilt, eventually, liveServices, recordedProcesses } from '../../helpers/cli.js';
import { bundledSentinelBuilt } from '../../helpers/drill.js';
import { repoRoot } from '../../helpers/procs.js';

const CHILD = path.join(repoRoot, 'test', 'helpers', 'api-child.mjs');
const children = new Set<ChildProcess>();
const started: Topology[] = [];

afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  for (const t of started.splice(0)) await t.stop().catch(() => {});
});

interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runChild(args: string[]): Child {
  const child = spawn(process.execPath, [CHILD, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async line(re, timeoutMs = 60_000) {
      await eventually(`child output matching ${re} (stderr: ${err})`, () => re.test(out) || child.exitCode !== null, timeoutMs);
      const m = re.exec(out);
      if (!m) throw new Error(`child exited (${child.exitCode}) without ${re}; stdout: ${out}; stderr: ${err}`);
      return m[0];
    },
    exited,
  };
}

const FAST = { version: 1 as const, ports: 'auto' as const, sentinels: { 'down-after-milliseconds': 1000 }, redis: { persistence: 'none' } };

describe.skipIf(!cliBuilt || !bundledSentinelBuilt)(`library API across processes${CLI_SKIP}`, () => {
  it('openTopology in a second process sees the topology and can pause and unpause a service', async () => {
    const t = await startTopology({ runtime: 'local', spec: FAST });
    started.push(t);
    const pid = recordedProcesses(t.dir).find((p) => p.service === 'redis-replica-1')!.rec.pid;

    const pause = runChild(['open', t.dir, 'pause', 'redis-replica-1']);
    expect(await pause.exited, pause.stderr()).toEqual({ code: 0, signal: null });
    const paused = JSON.parse(pause.stdout()) as { services: string[]; result: { services: { service: string; after: string }[] } };
    expect(paused.services).toEqual(t.services);
    expect(paused.result.services[0]).toMatchObject({ service: 'redis-replica-1', after: 'paused' });
    expect(processStateLetter(pid)).toBe('T');
    // This process's handle sees what the other one did.
    expect((await t.status()).leftovers.map((l) => l.service)).toEqual(['redis-replica-1']);

    const unpause = runChild(['open', t.dir, 'unpause', 'redis-replica-1']);
    expect(await unpause.exited, unpause.stderr()).toEqual({ code: 0, signal: null });
    expect(processStateLetter(pid)).not.toBe('T');
    await t.waitHealthy({ timeoutMs: 60_000 });
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'a process that started a topology and gets %s stops it, removes its folder and ends by that signal, printing nothing',
    async (sig) => {
      const c = runChild(['start']);
      const { dir } = JSON.parse(await c.line(/^\{.*\}$/m)) as { dir: string };
      const procs = recordedProcesses(dir);
      expect(liveServices(dir, procs)).toHaveLength(6);
      c.child.kill(sig);
      expect(await c.exited).toEqual({ code: null, signal: sig });
      expect(liveServices(dir, procs)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
      expect(c.stderr()).toBe('');
      expect(c.stdout().trim().split('\n')).toHaveLength(1);
    },
  );

  it('interrupted while starting (SIGINT after the first node started): what was started is stopped and the folder removed', async () => {
    const c = runChild(['start-logged']);
    await eventually(
      `the first node started (stderr: ${c.stderr()})`,
      () => /redis-master: started \(pid/.test(c.stderr()) || c.child.exitCode !== null,
      60_000,
    );
    const dir = /into (\S+) \(\d+ files\)/.exec(c.stderr())?.[1];
    expect(dir, c.stderr()).toBeDefined();
    c.child.kill('SIGINT');
    expect(await c.exited).toEqual({ code: null, signal: 'SIGINT' });
    expect(c.stdout()).toBe('');
    expect(existsSync(dir!)).toBe(false);
    await eventually('no process of the interrupted start runs', () => !processesUnder(dir!).length, 10_000);
  });

  it('an application with its own SIGTERM handler: the library stops the topology, the application decides when to exit', async () => {
    const c = runChild(['start', '--own-handler', 'SIGTERM']);
    const { dir } = JSON.parse(await c.line(/^\{.*\}$/m)) as { dir: string };
    const procs = recordedProcesses(dir);
    c.child.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 7, signal: null });
    expect(c.stdout()).toContain('own handler ran\ntopology gone\n');
    expect(liveServices(dir, procs)).toEqual([]);
  });

  it('a process that exits without stop() kills its local processes (a paused one too) and removes its folder', async () => {
    const c = runChild(['exit']);
    expect(await c.exited).toEqual({ code: 0, signal: null });
    const { dir } = JSON.parse(c.stdout()) as { dir: string };
    expect(existsSync(dir)).toBe(false);
    // The records went with the folder: no redis-server or sentinel of it may still listen.
    await eventually('no process of the exited topology runs', () => !processesUnder(dir).length, 10_000);
  });
});

/** Processes whose command line names `dir` (every node of a local topology runs a config in it). */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir)) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * The one bring-up behind `up`, `drill --up` and the library (src/runtime/bring-up), on local
 * processes: where the two commands used to differ they now agree (what "already rendered" means,
 * the runtime of a topology that is up, `-r`), and the module works without the CLI: progress only
 * through its logger, cancelled through an AbortSignal, taken down by tearDown.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError } from '../../../src/common/errors.js';
import { bringUp, tearDown, type BringUpLogger, type SpecSource } from '../../../src/runtime/bring-up/index.js';
import { waitHealthy } from '../../../src/runtime/observe/index.js';
import { readState } from '../../../src/runtime/state.js';
import { parseSpec } from '../../../src/topology/load.js';
import { liveServices, recordedProcesses } from '../../helpers/cli.js';
import { runCli as run } from '../../helpers/cli-inproc.js';
import { removeDir, tempDir } from '../../helpers/procs.js';
import { testSpecText } from '../../helpers/topology.js';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) {
    if (existsSync(path.join(d, 'out', 'topology.json'))) await run(['down', '--volumes', '--out', path.join(d, 'out')], d);
    removeDir(d);
  }
});

async function specFolder(project: string): Promise<{ cwd: string; out: string; specFile: string }> {
  const cwd = tempDir('sc-bringup-');
  dirs.push(cwd);
  const specFile = path.join(cwd, 'sentinel-compose.yaml');
  writeFileSync(specFile, await testSpecText({ project, network: 'host', implementation: 'redis', replicas: 1 }));
  return { cwd, out: path.join(cwd, 'out'), specFile };
}

function setDownAfter(specFile: string, ms: number): void {
  writeFileSync(specFile, readFileSync(specFile, 'utf8').replace(/down-after-milliseconds: \d+/, `down-after-milliseconds: ${ms}`));
}

const sentinelConf = (out: string) => readFileSync(path.join(out, 'config', 'redis-sentinel-1', 'sentinel.conf'), 'utf8');

// A drill that only checks the topology, so that the test is about bringing it up.
const LOOK = `- name: look
  summary: hold a moment and check the group
  steps:
    - { do: hold, for: 200 }
  expect: [one-master, sentinels-agree]
`;

describe('up and drill --up bring a topology up the same way', () => {
  it('an edited spec is rendered again before up; a topology that is up keeps its runtime and its files, for both commands', async () => {
    const { cwd, out, specFile } = await specFolder('bu-same');
    expect((await run(['render'], cwd)).code).toBe(0);
    setDownAfter(specFile, 6000);

    // Rendered, then the spec was edited, nothing changed by hand: what runs is the edited spec.
    const up = await run(['up', '--runtime', 'local', '--timeout', '60'], cwd);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/sentinel-compose.yaml changed since out was rendered \(.*\): rendered it again/);
    expect(sentinelConf(out)).toContain('down-after-milliseconds mymaster 6000');

    // Up under local: drill --up may not start it again under Docker, exactly as up may not.
    for (const argv of [
      ['up', '--runtime', 'docker'],
      ['drill', '--up', '--runtime', 'docker'],
      ['drill', '--up', '-r', 'docker'],
    ]) {
      const r = await run(argv, cwd);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toContain('--runtime: out is already up under local');
      expect(r.stderr).toContain('`sentinel-compose down --out out` first, or leave out --runtime');
    }
    expect(liveServices(out)).toHaveLength(5);

    // Edited again while up: nothing is re-configured under running nodes, and both say so.
    setDownAfter(specFile, 7000);
    const again = await run(['up'], cwd);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      'but it is recorded as up (local): running it as it is. `sentinel-compose down --out out` and starting it again applies the change.',
    );
    writeFileSync(path.join(cwd, 'look.yaml'), LOOK);
    const drill = await run(['drill', 'look', '--scenario-file', 'look.yaml', '--up', '--rate', '20', '--read-rate', '0'], cwd);
    expect(drill.code, drill.stderr + drill.stdout).toBe(0);
    expect(drill.stderr).toContain('but it is recorded as up (local): running it as it is');
    expect(drill.stderr).toContain('is already up in out (local): drilling it as it is and leaving it running');
    expect(sentinelConf(out)).toContain('down-after-milliseconds mymaster 6000');
    expect(liveServices(out)).toHaveLength(5);
  }, 120_000);

  it('drill --up (with -r) never overwrites a rendered file edited by hand: it drills the folder as it is and takes it down', async () => {
    const { cwd, out, specFile } = await specFolder('bu-edited');
    expect((await run(['render'], cwd)).code).toBe(0);
    const conf = path.join(out, 'config', 'redis-master', 'redis.conf');
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}# tuned by hand\n`);
    setDownAfter(specFile, 6000);
    writeFileSync(path.join(cwd, 'look.yaml'), LOOK);

    const drill = await run(['drill', 'look', '--scenario-file', 'look.yaml', '--up', '-r', 'local', '--rate', '20', '--read-rate', '0'], cwd);
    expect(drill.code, drill.stderr + drill.stdout).toBe(0);
    expect(drill.stderr).toContain(
      'config/redis-master/redis.conf changed since it was rendered: running it as it is, so that nothing of yours is overwritten',
    );
    expect(readFileSync(conf, 'utf8')).toContain('# tuned by hand');
    expect(sentinelConf(out)).toContain('down-after-milliseconds mymaster 5000');
    expect(drill.stderr).toContain('taking bu-edited down');
    expect(liveServices(out)).toEqual([]);
    expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
  }, 120_000);
});

describe('the bring-up as a library calls it', () => {
  function capture(): { logger: BringUpLogger; lines: string[] } {
    const lines: string[] = [];
    return { lines, logger: { info: (l) => lines.push(l), warn: (l) => lines.push(`warn: ${l}`) } };
  }

  it('starts from a spec, is healthy, tears down, and prints nothing of its own', async () => {
    const { cwd, out, specFile } = await specFolder('bu-lib');
    const text = readFileSync(specFile, 'utf8');
    const spec: SpecSource = { label: 'the test spec', exists: true, load: () => parseSpec(text, { file: path.join(cwd, 'inline.yaml') }) };
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const { logger, lines } = capture();
    const up = await bringUp({ outDir: out, spec, runtime: 'local', command: 'test', logger });
    try {
      expect(up.started).toBe(true);
      expect(up.runtime.kind).toBe('local');
      expect(readState(out)).toMatchObject({ runtime: 'local', project: 'bu-lib' });
      const snapshot = await waitHealthy(up.runtime, up.dir.secrets, { timeoutMs: 60_000 });
      expect(snapshot.sentinels).toHaveLength(3);
      await tearDown(up.runtime, out, { volumes: true, logger });
    } finally {
      up.lock.release();
    }
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(lines[0]).toMatch(/^rendered the test spec into .*out \(\d+ files\)$/);
    expect(lines).toContain('bu-lib: local processes (--runtime local)');
    expect(lines.some((l) => /redis-master: started \(pid \d+\)/.test(l))).toBe(true);
    expect(liveServices(out)).toEqual([]);
    expect(readState(out)).toBeNull();
    expect(existsSync(path.join(out, 'run'))).toBe(false);
  }, 120_000);

  it('an AbortSignal stops it while starting: InterruptedError, what it started is stopped, no run recorded, the lock let go', async () => {
    const { cwd, out } = await specFolder('bu-abort');
    const abort = new AbortController();
    const lines: string[] = [];
    const known: ReturnType<typeof recordedProcesses> = [];
    // Ctrl-C as the first node has started: the next one is not started, the first one stopped.
    const logger: BringUpLogger = {
      info: (l) => {
        lines.push(l);
        if (!/redis-master: started/.test(l)) return;
        known.push(...recordedProcesses(out));
        abort.abort('SIGTERM');
      },
      warn: (l) => lines.push(l),
    };
    const file = path.join(cwd, 'sentinel-compose.yaml');
    const spec: SpecSource = { label: 'sentinel-compose.yaml', exists: true, load: () => parseSpec(readFileSync(file, 'utf8'), { file }) };
    const err = await bringUp({ outDir: out, spec, runtime: 'local', command: 'test', logger, signal: abort.signal }).catch((e: unknown) => e);
    expect(err, lines.join('\n')).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).exitCode).toBe(143);
    expect(known.length).toBeGreaterThan(0);
    expect(liveServices(out, known)).toEqual([]);
    expect(readState(out)).toBeNull();
    expect(existsSync(path.join(out, 'run', 'lock'))).toBe(false);
  }, 60_000);
});

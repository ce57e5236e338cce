/**
 * The one definition of "already rendered" that `up`, `drill --up` and the library share
 * (src/runtime/bring-up/output.ts), on real folders: render when not rendered; re-render when the
 * spec changed and the folder is as its render left it and not up; otherwise run it as it is,
 * saying why, with nothing of the user's overwritten. A missing sentinel bundle stops a render
 * before anything is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../../../src/common/errors.js';
import { applyOutput, planOutput, type SpecSource } from '../../../src/runtime/bring-up/output.js';
import { thisProcess } from '../../../src/runtime/local/process.js';
import { newRunState, writeState } from '../../../src/runtime/state.js';
import { parseSpec } from '../../../src/topology/load.js';
import { removeDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function folder(): { cwd: string; out: string; specFile: string } {
  const cwd = mkdtempSync(path.join(tmpdir(), 'sc-bringup-'));
  dirs.push(cwd);
  return { cwd, out: path.join(cwd, 'out'), specFile: path.join(cwd, 'spec.yaml') };
}

/** A spec read from the file as it is when loaded, like the CLI's. */
function spec(file: string, extra: Partial<SpecSource> = {}): SpecSource {
  return { label: 'spec.yaml', exists: existsSync(file), load: () => parseSpec(readFileSync(file, 'utf8'), { file }), ...extra };
}

const specText = (downAfter: number, implementation: 'redis' | 'bundled' = 'redis') =>
  `version: 1\nproject: plan\nmasters:\n  - name: mymaster\n    replicas: 1\nsentinels:\n  count: 3\n  implementation: ${implementation}\n  down-after-milliseconds: ${downAfter}\n`;

const sentinelConf = (out: string) => readFileSync(path.join(out, 'config', 'redis-sentinel-1', 'sentinel.conf'), 'utf8');

async function rendered(downAfter = 5000): Promise<{ cwd: string; out: string; specFile: string }> {
  const f = folder();
  writeFileSync(f.specFile, specText(downAfter));
  const plan = await planOutput(f.out, spec(f.specFile), { outLabel: 'out' });
  expect(plan.action).toBe('render');
  expect(plan.message).toMatch(/^rendered spec.yaml into out \(\d+ files\)$/);
  applyOutput(plan);
  return f;
}

describe('already rendered: one definition for up, drill --up and the library', () => {
  it('not rendered: the spec is rendered; rendered and unchanged: kept, nothing said', async () => {
    const { out, specFile } = await rendered();
    expect(sentinelConf(out)).toContain('down-after-milliseconds mymaster 5000');
    const again = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(again).toMatchObject({ action: 'keep', message: undefined, differs: [] });
    expect(again.topology.project).toBe('plan');
  });

  it('the spec changed and the folder is as its render left it: rendered again (the edit is what the user means to run)', async () => {
    const { out, specFile } = await rendered();
    writeFileSync(specFile, specText(7000));
    const plan = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(plan.action).toBe('update');
    expect(plan.message).toMatch(/^spec.yaml changed since out was rendered \(.*config\/redis-sentinel-1\/sentinel.conf.*\): rendered it again$/);
    expect(plan.topology.masters[0]!.downAfterMs).toBe(7000);
    applyOutput(plan);
    expect(sentinelConf(out)).toContain('down-after-milliseconds mymaster 7000');
    expect((await planOutput(out, spec(specFile))).action).toBe('keep');
  });

  it('the spec changed but a rendered file was edited by hand: nothing is overwritten, and the warning names the file and the command', async () => {
    const { out, specFile } = await rendered();
    const conf = path.join(out, 'config', 'redis-master', 'redis.conf');
    writeFileSync(conf, readFileSync(conf, 'utf8') + 'maxmemory 10mb\n');
    writeFileSync(specFile, specText(7000));
    const plan = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(plan.action).toBe('keep');
    expect(plan.message).toContain('out is not what spec.yaml renders to now (');
    expect(plan.message).toContain('and config/redis-master/redis.conf changed since it was rendered: running it as it is');
    expect(plan.message).toContain('`sentinel-compose render --spec spec.yaml --out out` replaces it');
    // What runs is the folder's topology, not the spec's.
    expect(plan.topology.masters[0]!.downAfterMs).toBe(5000);
    applyOutput(plan);
    expect(readFileSync(conf, 'utf8')).toContain('maxmemory 10mb');
    expect(sentinelConf(out)).toContain('down-after-milliseconds mymaster 5000');
  });

  it('the spec changed but the folder holds a file render did not write: kept, file and all', async () => {
    const { out, specFile } = await rendered();
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    writeFileSync(specFile, specText(7000));
    const plan = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(plan.action).toBe('keep');
    expect(plan.message).toContain('notes.txt changed since it was rendered');
    applyOutput(plan);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('the spec changed while the topology is recorded as up: run as it is, and down-then-up applies the change', async () => {
    const { out, specFile } = await rendered();
    writeState(out, newRunState({ kind: 'local' }, 'plan'));
    // One of its nodes runs: its process record names a live process (this one will do).
    mkdirSync(path.join(out, 'run', 'redis-master'), { recursive: true });
    writeFileSync(
      path.join(out, 'run', 'redis-master', 'process.json'),
      JSON.stringify({ ...thisProcess(), command: 'test', args: [], startedAt: Date.now() }),
    );
    writeFileSync(specFile, specText(7000));
    const plan = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(plan.action).toBe('keep');
    expect(plan.message).toContain(
      'but it is recorded as up (local): running it as it is. `sentinel-compose down --out out` and starting it again applies the change.',
    );
    expect(plan.differs).toContain('config/redis-sentinel-1/sentinel.conf');
  });

  it('the spec changed and the topology is recorded as up but nothing of it runs (a reboot, kill -9): the record is stale, rendered again', async () => {
    const { out, specFile } = await rendered();
    writeState(out, newRunState({ kind: 'local' }, 'plan'));
    writeFileSync(specFile, specText(7000));
    const plan = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(plan.action).toBe('update');
  });

  it('rendered and no spec file: run as it is, without loading anything (the built-in default never replaces a rendered folder)', async () => {
    const { out } = await rendered();
    const plan = await planOutput(out, {
      label: 'sentinel-compose.yaml',
      exists: false,
      load: () => {
        throw new Error('must not be loaded');
      },
    });
    expect(plan).toMatchObject({ action: 'keep', message: undefined });
  });

  it('rendered and a spec that no longer loads: run what was rendered, and say why the spec was not used', async () => {
    const { out, specFile } = await rendered();
    writeFileSync(specFile, 'version: 1\nmasters: 3\n');
    const plan = await planOutput(out, spec(specFile), { outLabel: 'out' });
    expect(plan.action).toBe('keep');
    expect(plan.message).toMatch(/^spec.yaml does not render now \(.+\); running out as it was rendered$/);
  });

  it('a missing sentinel bundle: a MissingDependencyError saying how to build it, before anything is written; a rendered folder still runs', async () => {
    const f = folder();
    writeFileSync(f.specFile, specText(5000, 'bundled'));
    const missing = path.join(f.cwd, 'no-such-bundle.mjs');
    const err = await planOutput(f.out, spec(f.specFile), { sentinelBundle: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as Error).message).toContain(missing);
    expect((err as MissingDependencyError).install).toContain('npm run build');
    expect(existsSync(f.out)).toBe(false);

    // Rendered with the bundle, then the bundle is gone: what was rendered runs, and it is said.
    applyOutput(await planOutput(f.out, spec(f.specFile)));
    writeFileSync(f.specFile, specText(7000, 'bundled'));
    const kept = await planOutput(f.out, spec(f.specFile), { outLabel: 'out', sentinelBundle: missing });
    expect(kept.action).toBe('keep');
    expect(kept.message).toContain('does not render now');
  });
});

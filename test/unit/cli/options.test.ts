/**
 * Every option of every command, misused: given without its value, with an empty value, with a
 * number that is not one or is out of range. Each is a usage error (exit 2) naming the flag, the
 * value as typed and the fix, in --json too; never an internal error. Nothing runs: the values
 * are checked before a command starts, so these runs start nothing and write nothing.
 */
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkArgs, type OptionDef } from '../../../src/cli/check-args.js';
import { commands } from '../../../src/cli/commands/index.js';
import { main } from '../../../src/cli/main.js';
import { specSchema, deref } from '../../../src/topology/schema.js';
import { stopAll, tempDir } from '../../helpers/procs.js';

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
});
// Each run gets an empty folder of its own (tempDir); stopAll removes them when the test ends.
afterEach(async () => {
  vi.restoreAllMocks();
  await stopAll();
});

const emptyDir = () => tempDir('sc-options-');

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; cwd: string }> {
  stdout = '';
  stderr = '';
  const cwd = emptyDir();
  const code = await main([...argv, '--no-color'], { cwd });
  return { code, stdout, stderr, cwd };
}

/** Every option that takes a value, under every name it can be written with. */
const valued = commands
  .filter((c) => !c.passthrough)
  .flatMap((c) =>
    Object.entries(c.options)
      .filter(([, o]) => o.type !== 'boolean')
      .flatMap(([name, o]) => [name, ...[o.alias ?? []].flat()].map((n) => ({ cmd: c.name, name, flag: n.length === 1 ? `-${n}` : `--${n}`, opt: o }))),
  );

const numeric = valued.filter((v) => v.opt.range && v.flag.startsWith('--'));

describe('an option without its value', () => {
  it('walks every command that has an option taking a value', () => {
    const withValues = commands.filter((c) => !c.passthrough && Object.values(c.options).some((o) => o.type !== 'boolean'));
    expect(new Set(valued.map((v) => v.cmd))).toEqual(new Set(withValues.map((c) => c.name)));
    expect(withValues.length).toBeGreaterThanOrEqual(8);
  });

  it.each(valued)('$cmd $flag (last on the line) is exit 2 naming the flag', async ({ cmd, flag }) => {
    const r = await run([cmd, flag]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${flag}: needs a value`);
    expect(r.stderr).toMatch(new RegExp(`fix: write .*e\\.g\\. ${flag} \\S+|fix: write the value after it: ${flag} VALUE`));
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(readdirSync(r.cwd)).toEqual([]);
  });

  it.each(valued)('$cmd $flag --json is exit 2 as JSON', async ({ cmd, flag }) => {
    const r = await run([cmd, flag, '--json']);
    expect(r.code).toBe(2);
    const e = JSON.parse(r.stdout) as { ok: boolean; error: { type: string; exitCode: number; problems: { path: string; message: string }[] } };
    expect(e).toMatchObject({ ok: false, error: { type: 'UsageError', exitCode: 2, problems: [{ path: flag, message: 'needs a value' }] } });
  });

  it.each(valued.filter((v) => v.flag.startsWith('--')))('$cmd $flag= (empty) is exit 2 naming the flag', async ({ cmd, flag }) => {
    const r = await run([cmd, `${flag}=`]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${flag}: needs a value`);
    expect(readdirSync(r.cwd)).toEqual([]);
  });

  it('the ones the issue names', async () => {
    for (const argv of [
      ['validate', '--spec'],
      ['render', '--out'],
      ['up', '--runtime'],
      ['drill', '--report'],
      ['logs', '-s'],
      ['status', '--interval'],
      ['init', '--masters'],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: 1 problem:\\n  - ${argv[1]}: needs a value\\n    fix: `));
    }
  });
});

describe('numbers in flags', () => {
  const bad = (o: OptionDef) => {
    const r = o.range!;
    return ['abc', '1e999', 'Infinity', '0x10', String(r.minExclusive ? r.min : r.min - 1), String(r.max + 1), ...(r.integer ? [String(r.min + 0.5)] : [])];
  };

  it.each(numeric)('$cmd $flag: not a number or out of range is exit 2 with the value as typed', async ({ cmd, flag, opt }) => {
    for (const value of bad(opt)) {
      const r = await run([cmd, flag, value]);
      expect(r.code, `${flag} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${flag}: must be `);
      expect(r.stderr).toContain(`(got ${JSON.stringify(value)})`);
      expect(r.stderr).toContain(`fix: e.g. ${flag} ${opt.range!.example}`);
      expect(readdirSync(r.cwd)).toEqual([]);
    }
  });

  it.each(numeric)('$cmd $flag: the example and both ends of the range pass', ({ cmd, name, flag, opt }) => {
    const r = opt.range!;
    const ok = [r.example, r.max, ...(r.minExclusive ? [] : [r.min])];
    const options = commands.find((c) => c.name === cmd)!.options;
    for (const v of ok) expect(checkArgs(cmd, { [name]: options[name]! }, [flag, String(v)]), `${flag} ${v}`).toEqual([]);
  });

  it('the cases of the issue', async () => {
    let r = await run(['up', '--timeout', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout: must be a number of seconds, above 0 and at most 86400 (got "abc")');
    r = await run(['up', '--timeout', '-5']);
    expect(r.stderr).toContain('(got "-5")');
    r = await run(['status', '--watch', '--interval', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--interval: must be a number of seconds, from 0.1 to 3600 (got "0")');
    r = await run(['drill', '--rate', 'abc', '--json']);
    const e = JSON.parse(r.stdout) as { error: { problems: { path: string; value: string }[] } };
    expect(e.error.problems[0]).toMatchObject({ path: '--rate', value: 'abc' });
    expect(r.stdout).not.toContain('null');
  });

  it('every problem at once', async () => {
    const r = await run(['drill', '--rate', 'x', '--read-rate', '-1', '--command-timeout=']);
    expect(r.stderr).toMatch(/^error: 3 problems:/);
    expect(r.stderr).toContain('--command-timeout: needs a value');
  });

  it("init's ranges are the spec's", () => {
    const init = commands.find((c) => c.name === 'init')!.options;
    const root = specSchema();
    const master = deref({ $ref: '#/definitions/master' }, root).properties!;
    const field = (s: object) => deref(s, root);
    for (const [flag, s] of [
      ['replicas', master.replicas!],
      ['quorum', master.quorum!],
      ['sentinels', root.properties!.sentinels!.properties!.count!],
    ] as const) {
      expect([init[flag]!.range!.min, init[flag]!.range!.max], flag).toEqual([field(s).minimum, field(s).maximum]);
    }
  });
});

describe('repeated options', () => {
  it('a single-valued option given twice takes the last value; a list option keeps them all', async () => {
    let r = await run(['validate', '--spec', 'a.yaml', '--spec', 'b.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--spec: no such file \(got ".*\/b\.yaml"\)/);
    r = await run(['up', '--timeout', 'abc', '--timeout', '5', '--out', '.', '--no-wait', '--spec', 'missing.yaml', '--runtime', 'local']);
    expect(r.stderr).not.toContain('--timeout');
    r = await run(['logs', '-s', 'a', '-s', '']);
    expect(r.stderr).toContain('-s: needs a value');
  });
});

describe('shared options', () => {
  it('every command with --runtime takes the same one (with -r), drill included', async () => {
    const { runtimeOption } = await import('../../../src/cli/commands/runtime-shared.js');
    const withRuntime = commands.filter((c) => 'runtime' in c.options).map((c) => c.name);
    expect(withRuntime).toEqual(expect.arrayContaining(['up', 'down', 'status', 'logs', 'drill']));
    for (const c of commands.filter((c) => 'runtime' in c.options)) {
      expect((c.options as Record<string, unknown>).runtime, c.name).toBe(runtimeOption.runtime);
    }
    const r = await run(['drill', '-r', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--runtime');
  });
});

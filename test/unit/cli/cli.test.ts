import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { commands } from '../../../src/cli/commands/index.js';

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
});
afterEach(() => vi.restoreAllMocks());

const dir = () => mkdtempSync(path.join(tmpdir(), 'sc-cli-'));
const run = (args: string[], cwd = dir()) => main([...args, '--no-color'], { cwd });

describe('CLI', () => {
  it('--help lists the commands; every command has --help with examples', async () => {
    expect(await run(['--help'])).toBe(0);
    for (const c of commands) expect(stdout).toContain(c.name);
    for (const c of commands) {
      stdout = '';
      expect(await run([c.name, '--help'])).toBe(0);
      expect(stdout, c.name).toMatch(/Examples:/);
      expect(c.examples.length).toBeGreaterThan(0);
    }
  });

  it('--help never breaks an example mid-command, nor a `quoted command` in prose, at any width', async () => {
    const cases = [
      { argv: ['--help'], examples: [['$0 init && $0 render'], ['$0 validate --spec my.yaml']], epilogue: 'Run `sentinel-compose <command> --help`' },
      ...commands.map((c) => ({ argv: [c.name, '--help'], examples: c.examples, epilogue: c.epilogue })),
    ];
    for (const columns of [30, 50, 80, 100, 200]) {
      for (const c of cases) {
        stdout = '';
        expect(await main([...c.argv, '--no-color'], { cwd: dir(), columns })).toBe(0);
        const lines = stdout.split('\n').map((l) => l.trim());
        for (const [example] of c.examples) {
          const command = example.replace(/\$0/g, 'sentinel-compose');
          expect(
            lines.some((l) => l.startsWith(command)),
            `${c.argv.join(' ')} at ${columns} columns: ${command}\n${stdout}`,
          ).toBe(true);
        }
        for (const quoted of (c.epilogue ?? '').match(/`[^`]+`/g) ?? []) {
          expect(
            lines.some((l) => l.includes(quoted)),
            `${quoted} at ${columns} columns\n${stdout}`,
          ).toBe(true);
        }
      }
    }
    // The case: the first line of validate's second example was "sentinel-compose validate --spec".
    stdout = '';
    await main(['validate', '--help'], { cwd: dir(), columns: 60 });
    expect(stdout).not.toMatch(/--spec\s*\n\s*examples\/seed-bridge/);
  });

  it('--version prints the package version', async () => {
    expect(await run(['--version'])).toBe(0);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('suggests a command for a typo and exits 2', async () => {
    expect(await run(['rendr'])).toBe(2);
    expect(stderr).toMatch(/rendr: is not a command/);
    expect(stderr).toMatch(/did you mean "render"\?/);
  });

  it('suggests a flag for a typo and exits 2', async () => {
    expect(await run(['render', '--sepc', 'x.yaml'])).toBe(2);
    expect(stderr).toMatch(/--sepc: is not a known option/);
    expect(stderr).toMatch(/did you mean "--spec"\?/);
  });

  it('suggests a value for a bad choice', async () => {
    expect(await run(['init', '--network', 'brigde'])).toBe(2);
    expect(stderr).toMatch(/did you mean "bridge"\?/);
  });

  it('no command: exit 2 with the list', async () => {
    expect(await run([])).toBe(2);
    expect(stderr).toMatch(/no command given: init, validate, render/);
  });

  it('init writes a spec with the schema line, refuses to overwrite, then validate and render work', async () => {
    const cwd = dir();
    expect(await run(['init'], cwd)).toBe(0);
    const spec = readFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'utf8');
    expect(spec.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+sentinel-compose\.schema\.json$/);
    expect(await run(['init'], cwd)).toBe(2);
    expect(stderr).toMatch(/already exists/);
    expect(
      await run(['init', '--force', '--network', 'bridge', '--masters', 'orders,users', '--sentinels', '5', '--implementation', 'redis', '--password'], cwd),
    ).toBe(0);
    expect(statSync(path.join(cwd, '.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(cwd, '.env'), 'utf8')).toMatch(/^REDIS_PASSWORD=[A-Za-z0-9_-]{24}$/m);
    expect(await run(['validate'], cwd)).toBe(0);
    expect(stdout).toMatch(/valid: sentinel-compose\.yaml: 2 masters \(orders, users\) with 2 replicas each, 5 sentinels; bridge networking; sentinels: redis/);
    expect(await run(['render'], cwd)).toBe(0);
    expect(existsSync(path.join(cwd, 'out/compose.yaml'))).toBe(true);
    expect(await run(['render', '--check'], cwd)).toBe(0);
    writeFileSync(path.join(cwd, 'out/compose.yaml'), 'edited');
    expect(await run(['render', '--check'], cwd)).toBe(1);
    expect(stderr).toMatch(/changed: compose\.yaml/);
  });

  it('init without flags writes the built-in default topology, every setting spelled out', async () => {
    const { parseSpec } = await import('../../../src/topology/load.js');
    const cwd = dir();
    expect(await run(['init'], cwd)).toBe(0);
    const written = parseSpec(readFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'utf8'));
    expect(written.spec).toEqual(parseSpec('').spec);
    expect(written.topology).toEqual(parseSpec('').topology);
  });

  it('init --auto-ports writes ports: auto; render then writes the default ranges, and --check agrees', async () => {
    const { parseSpec } = await import('../../../src/topology/load.js');
    const cwd = dir();
    expect(await run(['init', '--auto-ports'], cwd)).toBe(0);
    const text = readFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'utf8');
    expect(text).toMatch(/^ports: auto$/m);
    expect(parseSpec(text).spec.ports.auto).toEqual({ redis: true, sentinel: true });
    expect(await run(['render'], cwd)).toBe(0);
    expect(stdout).toMatch(/ports: auto: the default ports until `sentinel-compose up` chooses free ones/);
    expect(JSON.parse(readFileSync(path.join(cwd, 'out/topology.json'), 'utf8')).ports).toEqual({ redis: true, sentinel: true });
    expect(await run(['render', '--check'], cwd)).toBe(0);
  });

  it('init rejects flags that make an invalid spec, writing nothing', async () => {
    const cwd = dir();
    expect(await run(['init', '--sentinels', '3', '--quorum', '5'], cwd)).toBe(2);
    expect(stderr).toMatch(/- --quorum: is larger than sentinels\.count \(3\)/);
    expect(existsSync(path.join(cwd, 'sentinel-compose.yaml'))).toBe(false);
  });

  it('init names the flag a problem came from, once, and refuses an empty --masters', async () => {
    const cwd = dir();
    expect(await run(['init', '--masters', 'a,Bad_Name', '--project', 'UPPER'], cwd)).toBe(2);
    expect(stderr).toMatch(/^error: 2 problems:\n {2}- --project: is not in the allowed format \(got "UPPER"\)/);
    expect(stderr).toMatch(/- --masters: is not in the allowed format \(got "Bad_Name"\)/);
    stderr = '';
    expect(await run(['init', '--masters', 'a,b', '--quorum', '4'], cwd)).toBe(2);
    expect(stderr.match(/--quorum/g)).toHaveLength(1);
    stderr = '';
    expect(await run(['init', '--masters', ' , '], cwd)).toBe(2);
    expect(stderr).toMatch(/--masters: names no master/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a bad spec: all problems, exit 2, nothing written', async () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'network: brige\nsentinels:\n  count: 0\n');
    expect(await run(['render'], cwd)).toBe(2);
    expect(stderr).toMatch(/2 problems/);
    expect(stderr).toMatch(/network \(line 1\)/);
    expect(stderr).toMatch(/sentinels\.count \(line 3\)/);
    expect(existsSync(path.join(cwd, 'out'))).toBe(false);
  });

  it('refuses an --out that contains the spec', async () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'sentinels: {implementation: redis}\n');
    expect(await run(['render', '--out', '.', '--force'], cwd)).toBe(2);
    expect(stderr).toMatch(/--out.*contains the spec/s);
    expect(existsSync(path.join(cwd, 'sentinel-compose.yaml'))).toBe(true);
  });

  it('a spec that is a folder, a binary file or never ends is bad input; a long wrong value is cut short', async () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'bin.yaml'), Buffer.from([0x6d, 0x3a, 0x00, 0xff, 0xfe]));
    writeFileSync(path.join(cwd, 'long.yaml'), `project: ${'x'.repeat(5000)}\n`);
    const cases: [string[], RegExp][] = [
      [['validate', '--spec', '.'], /--spec: is a folder/],
      [['validate', '--spec', 'bin.yaml'], /--spec: is not a text file/],
      [['validate', '--spec', '/dev/zero'], /--spec: is larger than 1 MiB/],
      [['drill', '--list', '--scenario-file', '.'], /--scenario-file: is a folder/],
      [['init', '--spec', '.', '--force'], /--spec: is a folder/],
      [['validate', '--spec', 'long.yaml'], /\(got "x{99}\.\.\. \(5002 characters\)\)/],
    ];
    for (const [argv, message] of cases) {
      stderr = '';
      expect(await run(argv, cwd), argv.join(' ')).toBe(2);
      expect(stderr, argv.join(' ')).toMatch(message);
      expect(stderr.length, argv.join(' ')).toBeLessThan(600);
    }
  });

  it('a missing spec says to run init', async () => {
    expect(await run(['validate'])).toBe(2);
    expect(stderr).toMatch(/sentinel-compose init/);
  });

  it('--json: results and errors as JSON on stdout', async () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'sentinels: {count: 4}\n');
    expect(await run(['validate', '--json'], cwd)).toBe(0);
    const ok = JSON.parse(stdout);
    expect(ok).toMatchObject({ ok: true, warnings: [expect.objectContaining({ path: 'sentinels.count' })] });
    expect(ok.topology.sentinels).toHaveLength(4);
    stdout = '';
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'projct: x\n');
    expect(await run(['validate', '--json'], cwd)).toBe(2);
    const err = JSON.parse(stdout);
    expect(err).toMatchObject({ ok: false, error: { exitCode: 2, problems: [expect.objectContaining({ path: 'projct', fix: 'did you mean "project"?' })] } });
    stdout = '';
    expect(await run(['render', '--check', '--json'], cwd)).toBe(2);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'sentinels: {implementation: redis}\n');
    stdout = '';
    expect(await run(['render', '--check', '--json'], cwd)).toBe(1);
    expect(JSON.parse(stdout).error.details.missing).toContain('compose.yaml');
  });

  it('render without the sentinel bundle says how to build it', async () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), '');
    expect(await run(['render', '--sentinel-bundle', 'nope.mjs'], cwd)).toBe(2);
    expect(stderr).toMatch(/npm run build/);
    expect(existsSync(path.join(cwd, 'out'))).toBe(false);
  });

  it('sentinel without the sentinel module gives a clear error (or runs it when it exists)', async () => {
    const hasModule = existsSync('src/sentinel/main.ts');
    if (hasModule) return; // the sentinel's own tests cover running it
    expect(await run(['sentinel', 'x.conf'])).toBe(2);
    expect(stderr).toMatch(/bundled sentinel program/);
  });
});

/**
 * The published package works from a tarball in an empty directory:
 * `npx ./sentinel-compose-<v>.tgz --help`, then init and render; and as a library installed into
 * a project: the README's TypeScript examples type-check against the shipped declarations, and
 * an .mjs program starts and stops a topology. npm installs the dependencies from the npm
 * registry (its cache first), so this runs only when the registry answers. It packs the dist/
 * that `npm test` built (--ignore-scripts: rebuilding here would pull dist/ from under other tests).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/procs.js';

const registryUp = spawnSync('npm', ['ping'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
const built = existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'));

describe.skipIf(!registryUp || !built)('npm pack', () => {
  it('npx ./sentinel-compose-<version>.tgz runs --help, init and render in an empty directory', () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'sc-pack-'));
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    const empty = mkdtempSync(path.join(tmpdir(), 'sc-empty-'));
    copyFileSync(path.join(packDir, name), path.join(empty, name));
    const npx = (...args: string[]) => execFileSync('npx', ['--yes', `./${name}`, ...args, '--no-color'], { cwd: empty, encoding: 'utf8', timeout: 240_000 });
    expect(npx('--help')).toMatch(/sentinel-compose init/);
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(npx('--version').trim()).toBe(version);
    npx('init', '--implementation', 'redis');
    expect(readFileSync(path.join(empty, 'sentinel-compose.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
    expect(npx('render')).toMatch(/rendered \d+ files to out/);
    expect(existsSync(path.join(empty, 'out', 'compose.yaml'))).toBe(true);
    rmSync(packDir, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }, 300_000);

  it('as a library: installed into a project, the README examples type-check with tsc and an .mjs program starts and stops a topology', () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'sc-pack-'));
    const project = mkdtempSync(path.join(tmpdir(), 'sc-consumer-'));
    try {
      const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop()!;
      const dev = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
      writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      execFileSync(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          path.join(packDir, name),
          `typescript@${dev.devDependencies.typescript}`,
          `@types/node@${dev.devDependencies['@types/node']}`,
        ],
        { cwd: project, encoding: 'utf8', timeout: 240_000 },
      );

      // The README's examples, as a user copies them.
      const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Library API'));
      const blocks = [...section.slice(0, section.indexOf('\n## ', 5)).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
      expect(blocks.length).toBeGreaterThanOrEqual(2);
      const [example, using] = blocks;
      writeFileSync(path.join(project, 'example.ts'), `${example}\nexport {};\n`);
      writeFileSync(
        path.join(project, 'using.ts'),
        `import { startTopology, UsageError, type Topology, type StartOptions } from 'sentinel-compose';\n${using}\nconst o: StartOptions = { runtime: 'local', spec: { ports: 'auto' } };\nexport const t: Topology | undefined = undefined;\nexport { o, UsageError };\n`,
      );
      writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            lib: ['ES2023', 'esnext.disposable'],
            types: ['node'],
            strict: true,
            noEmit: true,
          },
          include: ['*.ts'],
        }),
      );
      const tsc = spawnSync(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
      expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);

      writeFileSync(
        path.join(project, 'start-stop.mjs'),
        [
          "import { existsSync } from 'node:fs';",
          "import { startTopology, UsageError } from 'sentinel-compose';",
          "const t = await startTopology({ runtime: 'local', spec: { ports: 'auto', sentinels: { implementation: 'redis' }, redis: { persistence: 'none' } } });",
          'const masters = await t.masters();',
          'await t.stop();',
          'console.log(JSON.stringify({ master: masters.mymaster.master.service, gone: !existsSync(t.dir), usage: typeof UsageError }));',
        ].join('\n'),
      );
      const run = spawnSync(process.execPath, ['start-stop.mjs'], { cwd: project, encoding: 'utf8', timeout: 180_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ master: 'redis-master', gone: true, usage: 'function' });
      expect(run.stderr).toBe('');
    } finally {
      rmSync(packDir, { recursive: true, force: true });
      rmSync(project, { recursive: true, force: true });
    }
  }, 400_000);
});

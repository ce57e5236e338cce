/**
 * up / status / logs / down through the CLI entry (main), on local processes, as a user runs
 * them: a spec in a folder, `up` renders it and starts it, the other commands find the runtime
 * from run/state.json.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { isSameProcess, type ProcessRecord } from '../../../src/runtime/local/process.js';
import { removeDir, tempDir } from '../../helpers/procs.js';
import { testSpecText } from '../../helpers/topology.js';
import { runCli as run } from '../../helpers/cli-inproc.js';

const dirs: string[] = [];

afterEach(async () => {
  for (const d of dirs.splice(0)) {
    await run(['down', '--volumes', '--runtime', 'local', '--out', path.join(d, 'out')], d);
    removeDir(d);
  }
});

function records(out: string, services: string[]): ProcessRecord[] {
  return services.map((s) => JSON.parse(readFileSync(path.join(out, 'run', s, 'process.json'), 'utf8')) as ProcessRecord);
}

describe('CLI on local processes', () => {
  it('up renders and starts the spec, status shows it healthy, logs merge, down leaves no process', async () => {
    const cwd = tempDir('sc-cli-');
    dirs.push(cwd);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await testSpecText({ project: 'clitest', network: 'host', implementation: 'redis' }));

    const up = await run(['up', '--runtime', 'local'], cwd);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('rendered sentinel-compose.yaml into out');
    expect(up.stderr).toContain('waiting until healthy');
    expect(up.stdout).toMatch(/healthy: clitest on local/);
    expect(up.stdout).toContain('SENTINEL GET-MASTER-ADDR-BY-NAME mymaster');
    const out = path.join(cwd, 'out');
    expect(JSON.parse(readFileSync(path.join(out, 'run', 'state.json'), 'utf8')).runtime).toBe('local');

    const status = await run(['status', '--json'], cwd);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.healthy).toBe(true);
    expect(s.runtime).toBe('local');
    expect(s.snapshot.nodes.map((n: { role: string }) => n.role)).toEqual(['master', 'replica', 'replica']);
    expect(s.snapshot.sentinels).toHaveLength(3);

    const human = await run(['status'], cwd);
    expect(human.stdout).toMatch(/clitest on local at .*: healthy/);
    expect(human.stdout).toMatch(/redis-sentinel-3\s+running\s+mymaster\s+redis-master/);

    const logs = await run(['logs', '--service', 'redis-master', '--service', 'redis-sentinel-1'], cwd);
    expect(logs.code).toBe(0);
    const services = new Set(
      logs.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|')[0]!.trim()),
    );
    expect(services).toEqual(new Set(['redis-master', 'redis-sentinel-1']));
    expect(logs.stdout).toContain('+monitor master mymaster');

    // status --watch redraws until Ctrl-C; logs --follow shows lines as they are written.
    const watching = run(['status', '--watch', '--interval', '0.3'], cwd);
    await new Promise((r) => setTimeout(r, 1500));
    process.emit('SIGINT');
    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout.match(/clitest on local at .*: healthy/g)!.length).toBeGreaterThan(1);
    const following = run(['logs', '--follow', '--service', 'redis-master'], cwd);
    await new Promise((r) => setTimeout(r, 800));
    const master = new Redis({
      host: '127.0.0.1',
      port: Number(/redis: (\d+)/.exec(readFileSync(path.join(cwd, 'sentinel-compose.yaml'), 'utf8'))![1]),
      lazyConnect: true,
    });
    await master.connect();
    await master.config('REWRITE');
    master.disconnect();
    await new Promise((r) => setTimeout(r, 800));
    process.emit('SIGINT');
    const followed = await following;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/^redis-master \| .*CONFIG REWRITE executed with success/m);

    // A second up finds everything running and starts nothing.
    const again = await run(['up'], cwd);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('redis-master: already running');

    const all = ['redis-master', 'redis-replica-1', 'redis-replica-2', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'];
    const recs = records(out, all);
    const down = await run(['down'], cwd);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('down: clitest (data kept');
    for (const r of recs) expect(isSameProcess(r), `pid ${r.pid}`).toBe(false);
    expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);

    const after = await run(['status'], cwd);
    expect(after.code).toBe(1);
    expect(after.stdout).toContain('clitest is not up');
  });

  it('a taken port fails up with a clear message before anything is started', async () => {
    const cwd = tempDir('sc-cli-');
    dirs.push(cwd);
    const spec = await testSpecText({ project: 'clibusy', network: 'host', implementation: 'redis' });
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec);
    const sentinelBase = Number(/sentinel: (\d+)/.exec(spec)![1]);
    // Something else listens where the last sentinel should: found before the five nodes
    // ahead of it are started (and stopped again).
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(sentinelBase + 2, '127.0.0.1', r));
    try {
      const up = await run(['up', '--runtime', 'local'], cwd);
      expect(up.code).toBe(2);
      expect(up.stderr).toContain(`redis-sentinel-3: 127.0.0.1:${sentinelBase + 2} is already in use by another process`);
      expect(up.stderr).not.toContain('started (pid');
      const out = path.join(cwd, 'out');
      expect(existsSync(path.join(out, 'run', 'state.json'))).toBe(false);
      for (const s of ['redis-master', 'redis-replica-1', 'redis-sentinel-1']) {
        expect(existsSync(path.join(out, 'run', s, `${s}.log`)), `${s} was never started`).toBe(false);
      }
    } finally {
      squatter.close();
    }
  });

  it("nothing of the user's is lost: render never takes over their data/, down --volumes deletes only what the tool made", async () => {
    const cwd = tempDir('sc-cli-');
    dirs.push(cwd);
    writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), await testSpecText({ project: 'cliowned', network: 'host', implementation: 'redis' }));
    // The case: a folder of the user's with a data/ of theirs, as --out.
    const app = path.join(cwd, 'app');
    mkdirSync(path.join(app, 'data'), { recursive: true });
    writeFileSync(path.join(app, 'data', 'users.db'), 'precious');
    for (const argv of [
      ['render', '--out', 'app'],
      ['render', '--out', 'app', '--force'],
      ['up', '--out', 'app', '--runtime', 'local'],
    ]) {
      const r = await run(argv, cwd);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('holds data/, which sentinel-compose uses for its own files');
    }
    expect(readdirSync(app)).toEqual(['data']);
    expect(readdirSync(path.join(app, 'data'))).toEqual(['users.db']);

    // data/ as a symlink to a folder of the user's: up uses it, down --volumes deletes what up made there and nothing else.
    expect((await run(['render'], cwd)).code).toBe(0);
    const out = path.join(cwd, 'out');
    const mine = path.join(cwd, 'mine');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'keep.txt'), 'mine');
    symlinkSync(mine, path.join(out, 'data'));
    const up = await run(['up', '--runtime', 'local'], cwd);
    expect(up.code, up.stderr).toBe(0);
    expect(readdirSync(mine)).toEqual(expect.arrayContaining(['keep.txt', 'redis-master', 'redis-replica-1']));
    const down = await run(['down', '--volumes'], cwd);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('kept what sentinel-compose did not create: data/keep.txt');
    expect(readdirSync(mine)).toEqual(['keep.txt']);
    expect(lstatSync(path.join(out, 'data')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(out, 'run'))).toBe(false);

    // A run/ that is not the tool's: up refuses before starting anything.
    rmSync(path.join(out, 'data'));
    mkdirSync(path.join(out, 'run'));
    writeFileSync(path.join(out, 'run', 'todo.txt'), 'mine');
    const refused = await run(['up', '--runtime', 'local'], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run: exists, and sentinel-compose did not create it/);
    expect(readdirSync(path.join(out, 'run'))).toEqual(['todo.txt']);
    expect(existsSync(path.join(out, 'data'))).toBe(false);
    rmSync(path.join(out, 'run'), { recursive: true });
  });

  it('bad input: no rendered folder and no spec is exit 2 naming --out', async () => {
    const cwd = tempDir('sc-cli-');
    dirs.push(cwd);
    const r = await run(['status'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: does not exist/);
    const u = await run(['up', '--runtime', 'nowhere'], cwd);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--runtime');
  });
});

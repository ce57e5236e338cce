/**
 * templates/start.sh, the containers' start-up script, run here on loopback with real
 * redis-server (SC_CONFIG_DIR / SC_DATA_DIR stand in for the mounts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { repoRoot, startProgram, stopAll, tempDir } from '../helpers/procs.js';

afterEach(stopAll);

const script = path.join(repoRoot, 'templates', 'start.sh');

function setup(conf: string) {
  const root = tempDir('sc-start-');
  const configDir = path.join(root, 'config');
  const dataDir = path.join(root, 'data');
  mkdirSync(configDir);
  mkdirSync(dataDir);
  writeFileSync(path.join(configDir, 'redis.conf'), conf);
  return { configDir, dataDir };
}

async function start(dirs: { configDir: string; dataDir: string }, port: number, env: Record<string, string>) {
  return startProgram('start-sh', 'sh', [script, 'redis.conf', 'redis-server'], {
    host: '127.0.0.1',
    port,
    dir: dirs.dataDir,
    env: { ...process.env, ...env, SC_CONFIG_DIR: dirs.configDir, SC_DATA_DIR: dirs.dataDir },
  });
}

describe('start.sh', () => {
  it('fills ${VAR} in from the environment, runs on a private copy, and keeps runtime rewrites across restarts', async () => {
    const port = await freePort();
    const conf = (extra: string) => `bind 127.0.0.1\nport ${port}\ndir /tmp\nrequirepass "\${REDIS_PASSWORD}"\n${extra}`;
    const dirs = setup(conf(''));
    const env = { REDIS_PASSWORD: 'pw&with|chars/1~' };
    let p = await start(dirs, port, env);
    const copy = path.join(dirs.dataDir, 'redis.conf');
    expect(readFileSync(copy, 'utf8')).toContain('requirepass "pw&with|chars/1~"');
    expect(statSync(copy).mode & 0o077).toBe(0);
    const c = new Redis({ host: '127.0.0.1', port, password: 'pw&with|chars/1~', lazyConnect: true });
    await c.connect();
    // What Sentinel's promotion does: change the config at run time and CONFIG REWRITE it.
    await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await c.call('CONFIG', 'REWRITE');
    c.disconnect();
    await p.stop();

    // Restart with the same rendered file: the rewrite survives.
    p = await start(dirs, port, env);
    expect(readFileSync(copy, 'utf8')).toMatch(/maxmemory-policy allkeys-lru/);
    await p.stop();

    // A re-render that changes the config replaces the copy on the next start.
    writeFileSync(path.join(dirs.configDir, 'redis.conf'), conf('maxclients 1000\n'));
    p = await start(dirs, port, env);
    const text = readFileSync(copy, 'utf8');
    expect(text).toContain('maxclients 1000');
    expect(text).not.toMatch(/maxmemory-policy allkeys-lru/);
    expect(p.log()).toMatch(/written from/);
    await p.stop();

    // So does a changed value from .env (a rotated password).
    p = await start(dirs, port, { REDIS_PASSWORD: 'rotated' });
    expect(readFileSync(copy, 'utf8')).toContain('requirepass "rotated"');
    await p.stop();
  });

  it('stops with a clear message when a variable is missing, starting nothing', () => {
    const dirs = setup('requirepass "${REDIS_PASSWORD}"\n');
    const env: NodeJS.ProcessEnv = { ...process.env, SC_CONFIG_DIR: dirs.configDir, SC_DATA_DIR: dirs.dataDir };
    delete env.REDIS_PASSWORD;
    const r = spawnSync('sh', [script, 'redis.conf', 'redis-server'], { env, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/REDIS_PASSWORD is empty or not set/);
    expect(existsSync(path.join(dirs.dataDir, 'redis.conf'))).toBe(false);
  });
});

/**
 * Authentication end to end, on the local runtime, for both sentinel implementations, through
 * the real CLI (bin/sentinel-compose.js): requirepass + masterauth on the data nodes, the
 * sentinels logging in to them as an ACL user with only Sentinel's permissions (auth-user),
 * requirepass on the sentinels, and sentinels logging in to each other as a restricted ACL user
 * (sentinel-user / sentinel-pass).
 *
 * - `up`, `status`, `drill master-pause`, `logs`, `down` all succeed with every password on;
 * - no node logged an ACL denial (ACL LOG is empty): the restricted users hold what is needed,
 *   and the sentinels really log in as them (CLIENT LIST shows the users);
 * - the restricted users are refused anything else (NOPERM), by redis-server and by both
 *   sentinel implementations;
 * - no secret value appears in any file the tool produced or in any output, except .env and the
 *   runtime's config copies, which are mode 0600; a wrong password in .env gives an error that
 *   names neither the wrong nor the right one.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../../helpers/drill.js';
import { repoRoot, stopAll, tempDir } from '../../helpers/procs.js';
import { RespConn, plain } from '../../helpers/resp-conn.js';

const BIN = path.join(repoRoot, 'bin', 'sentinel-compose.js');

afterAll(async () => {
  await stopAll();
});

interface Run {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, '--no-color'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ args, code, stdout, stderr }));
  });
}

/** Every file under `dir`, with its mode. */
function walk(dir: string): Array<{ file: string; mode: number }> {
  const out: Array<{ file: string; mode: number }> = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push({ file: p, mode: statSync(p).mode & 0o777 });
  }
  return out;
}

async function call(port: number, auth: string[], ...cmd: string[]): Promise<unknown> {
  const c = await RespConn.connect(port);
  try {
    const a = plain(await c.call('AUTH', ...auth));
    if (JSON.stringify(a) !== JSON.stringify({ simple: 'OK' })) throw new Error(`AUTH ${auth[0]} on ${port}: ${JSON.stringify(a)}`);
    return plain(await c.call(...cmd));
  } finally {
    c.close();
  }
}

const secret = (tag: string) =>
  `${tag}-${randomBytes(9)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;

describe.each(['bundled', 'redis'] as const)('every password on, %s sentinels', (impl) => {
  it('up, status, drill, logs, down pass; no ACL denial; no secret outside .env and 0600 configs', async () => {
    const dir = tempDir(`sc-auth-${impl}-`);
    const redisBase = await freePortBlock(3);
    const sentinelBase = await freePortBlock(3);
    const secrets = {
      REDIS_PASSWORD: secret('Data'),
      SENTINEL_PASSWORD: secret('Sent'),
      SENTINEL_AUTH_PASSWORD: secret('Acl'),
      SENTINEL_PEER_PASSWORD: secret('Peer'),
    };
    writeFileSync(
      path.join(dir, 'sentinel-compose.yaml'),
      [
        'version: 1',
        `project: auth-${impl}`,
        'network: host',
        `ports: { redis: ${redisBase}, sentinel: ${sentinelBase} }`,
        'sentinels:',
        `  implementation: ${impl}`,
        '  down-after-milliseconds: 1000',
        '  failover-timeout: 10000',
        'auth:',
        '  password: ${REDIS_PASSWORD}',
        '  sentinel-password: ${SENTINEL_PASSWORD}',
        '  user:',
        '    name: sentinel',
        '    password: ${SENTINEL_AUTH_PASSWORD}',
        '  sentinel-user:',
        '    name: sentinel-peer',
        '    password: ${SENTINEL_PEER_PASSWORD}',
        '',
      ].join('\n'),
    );
    // The user's own .env, kept private as `sentinel-compose init` keeps it.
    writeFileSync(
      path.join(dir, '.env'),
      Object.entries(secrets)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    const runs: Run[] = [];
    const run = async (...args: string[]) => {
      const r = await cli(args, dir);
      runs.push(r);
      return r;
    };
    const dataPorts = [redisBase, redisBase + 1, redisBase + 2];
    const sentinelPorts = [sentinelBase, sentinelBase + 1, sentinelBase + 2];
    try {
      const up = await run('up', '--runtime', 'local');
      expect(up.code, up.stderr).toBe(0);
      const status = await run('status');
      expect(status.code, status.stdout + status.stderr).toBe(0);
      expect((await run('status', '--json')).code).toBe(0);

      // The sentinels are logged in as the restricted users, on the data nodes and on each other.
      const clientsOnMaster = (await call(redisBase, [secrets.REDIS_PASSWORD], 'CLIENT', 'LIST')) as string;
      expect(clientsOnMaster).toMatch(/ user=sentinel /);
      const peersOnSentinel = (await call(sentinelBase, [secrets.SENTINEL_PASSWORD], 'CLIENT', 'LIST')) as string;
      expect(peersOnSentinel).toMatch(/ user=sentinel-peer /);

      const drill = await run('drill', 'master-pause', '--runtime', 'local', '--json', '--report', 'drill-report', '--rate', '20', '--read-rate', '5');
      expect(drill.code, drill.stderr.slice(-3000)).toBe(0);
      expect(JSON.parse(drill.stdout).passed).toBe(true);

      // Nothing was refused to the restricted users during all that.
      for (const p of dataPorts) expect(await call(p, [secrets.REDIS_PASSWORD], 'ACL', 'LOG'), `ACL LOG of data node ${p}`).toEqual({ array: [] });
      if (impl === 'redis') {
        for (const p of sentinelPorts) expect(await call(p, [secrets.SENTINEL_PASSWORD], 'ACL', 'LOG'), `ACL LOG of sentinel ${p}`).toEqual({ array: [] });
      }
      // ... and they can do nothing else.
      expect(await call(redisBase, ['sentinel', secrets.SENTINEL_AUTH_PASSWORD], 'KEYS', '*')).toEqual({
        error: "NOPERM this user has no permissions to run the 'keys' command",
      });
      expect(await call(redisBase, ['sentinel', secrets.SENTINEL_AUTH_PASSWORD], 'CONFIG', 'GET', 'requirepass')).toEqual({
        error: "NOPERM this user has no permissions to run the 'config|get' command",
      });
      expect(await call(sentinelBase, ['sentinel-peer', secrets.SENTINEL_PEER_PASSWORD], 'SENTINEL', 'MASTERS')).toEqual({
        error: "NOPERM this user has no permissions to run the 'sentinel|masters' command",
      });
      expect(await call(sentinelBase, ['sentinel-peer', secrets.SENTINEL_PEER_PASSWORD], 'SUBSCRIBE', '+switch-master')).toEqual({
        error: "NOPERM this user has no permissions to run the 'subscribe' command",
      });

      const logs = await run('logs');
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(/\+switch-master/);

      // A wrong password in the rendered .env: an error that names no password.
      const outEnv = path.join(dir, 'out', '.env');
      const good = readFileSync(outEnv, 'utf8');
      const wrong = secret('Wrong');
      writeFileSync(outEnv, good.replace(secrets.REDIS_PASSWORD, wrong).replace(secrets.SENTINEL_PASSWORD, wrong));
      const bad = await run('status');
      writeFileSync(outEnv, good);
      expect(bad.code).not.toBe(0);
      expect(bad.stdout + bad.stderr).not.toContain(wrong);
      expect(bad.stdout + bad.stderr).not.toMatch(/^\s+at /m);
    } finally {
      const down = await run('down');
      expect(down.code, down.stderr).toBe(0);
    }

    // No secret in any output.
    for (const r of runs) {
      for (const [name, value] of Object.entries(secrets)) {
        expect(r.stdout.includes(value) || r.stderr.includes(value), `${name} in the output of sentinel-compose ${r.args.join(' ')}`).toBe(false);
      }
    }
    // No secret in any file, except .env (the user's and the rendered one) and the runtime's
    // copies of the configs, which must be readable by the owner only.
    const allowed = (f: string) => path.basename(f) === '.env' || /[/\\]out[/\\]run[/\\][^/\\]+[/\\](redis|sentinel)\.conf$/.test(f);
    const files = walk(dir);
    expect(files.length).toBeGreaterThan(20);
    for (const { file, mode } of files) {
      const text = readFileSync(file).toString('latin1');
      const found = Object.entries(secrets)
        .filter(([, v]) => text.includes(v))
        .map(([k]) => k);
      if (allowed(file)) {
        if (found.length) expect((mode & 0o077).toString(8), `${file} holds ${found.join(', ')} with mode ${mode.toString(8)}`).toBe('0');
      } else {
        expect(found, `${path.relative(dir, file)} holds ${found.join(', ')}`).toEqual([]);
      }
    }
    expect(statSync(path.join(dir, 'out', '.env')).mode & 0o777).toBe(0o600);
  }, 150_000);
});

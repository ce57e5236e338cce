/**
 * Safe defaults, checked on what the real CLI writes and runs, under a permissive umask (000) so
 * that modes come from the tool and not from the caller's environment:
 *
 * - host-mode nodes bind to loopback unless the spec says otherwise, and the running processes
 *   listen on loopback only (read from the kernel's socket table, /proc/net/tcp{,6});
 * - protected mode is on (redis.conf and sentinel.conf say so; the running redis-servers report
 *   it), and is turned off only where the nodes must reach each other over non-loopback
 *   addresses without a password;
 * - files holding secrets (.env, from render and from init; the local runtime's config copies)
 *   are 0600 and sit in directories others cannot enter.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../../helpers/drill.js';
import { repoRoot, stopAll, tempDir } from '../../helpers/procs.js';
import { RespConn, plain } from '../../helpers/resp-conn.js';

const BIN = path.join(repoRoot, 'bin', 'sentinel-compose.js');

afterAll(async () => {
  await stopAll();
});

/** Runs the CLI with umask 000, as a careless shell or a CI image might have it. */
function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('/bin/sh', ['-c', `umask 000 && exec ${quoted}`], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const mode = (f: string) => statSync(f).mode & 0o777;

/** Listening TCP sockets on the given ports: their local addresses, as the kernel has them. */
function listeners(ports: Set<number>): Array<{ port: number; address: string }> {
  const out: Array<{ port: number; address: string }> = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A = LISTEN
      const [hex, portHex] = f[1]!.split(':');
      const port = parseInt(portHex!, 16);
      if (!ports.has(port)) continue;
      out.push({ port, address: v6 ? v6Address(hex!) : v4Address(hex!) });
    }
  }
  return out;
}

function v4Address(hex: string): string {
  // Little-endian on the machines this runs on.
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function v6Address(hex: string): string {
  if (/^0{32}$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return `::ffff:${v4Address(hex.slice(24))}`;
  return hex;
}

describe('safe defaults', () => {
  it('render: loopback binds, protected mode on, .env 0600 even with umask 000', async () => {
    const dir = tempDir('sc-defaults-render-');
    writeFileSync(path.join(dir, 'sentinel-compose.yaml'), 'version: 1\nauth:\n  password: ${REDIS_PASSWORD}\n');
    writeFileSync(path.join(dir, '.env'), 'REDIS_PASSWORD=default-check-pw\n', { mode: 0o600 });
    const r = await cli(['render'], dir);
    expect(r.code, r.out).toBe(0);
    const out = path.join(dir, 'out');
    expect(mode(path.join(out, '.env'))).toBe(0o600);
    for (const svc of readdirSync(path.join(out, 'config'))) {
      for (const f of readdirSync(path.join(out, 'config', svc))) {
        const text = readFileSync(path.join(out, 'config', svc, f), 'utf8');
        expect(text, `${svc}/${f}`).toMatch(/^bind 127\.0\.0\.1$/m);
        expect(text, `${svc}/${f}`).toMatch(/^protected-mode yes$/m);
        expect(text, `${svc}/${f}`).not.toMatch(/^protected-mode no$/m);
        // Nothing readable by others holds the password.
        expect(text).not.toContain('default-check-pw');
      }
    }
    // Host mode: no published ports at all.
    expect(readFileSync(path.join(out, 'compose.yaml'), 'utf8')).not.toMatch(/^\s+ports:/m);
  });

  it('protected mode goes off only where nodes meet over non-loopback addresses without a password', async () => {
    const dir = tempDir('sc-defaults-pm-');
    const cases: Array<[string, string, boolean]> = [
      ['host, all interfaces, loopback announce', 'network: host\nbind: 0.0.0.0\n', true],
      ['host, LAN announce without password', 'network: host\nbind: 0.0.0.0\nannounce: 192.0.2.10\n', false],
      ['bridge without password', 'network: bridge\n', false],
      ['bridge with passwords', 'network: bridge\nauth:\n  password: ${P}\n  sentinel-password: ${P}\n', true],
    ];
    for (const [what, yaml, on] of cases) {
      const spec = path.join(dir, `${what.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(spec, `version: 1\n${yaml}`);
      const r = await cli(['render', '--spec', spec, '--out', `${spec}.out`], dir, { P: 'pm-check-pw' });
      expect(r.code, r.out).toBe(0);
      for (const f of ['config/redis-master/redis.conf', 'config/redis-sentinel-1/sentinel.conf']) {
        expect(readFileSync(path.join(`${spec}.out`, f), 'utf8'), `${what}: ${f}`).toMatch(on ? /^protected-mode yes$/m : /^protected-mode no$/m);
      }
    }
  });

  it('init writes its random password to a 0600 .env', async () => {
    const dir = tempDir('sc-defaults-init-');
    const r = await cli(['init', '--password'], dir);
    expect(r.code, r.out).toBe(0);
    expect(mode(path.join(dir, '.env'))).toBe(0o600);
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toMatch(/^REDIS_PASSWORD=\S{16,}$/m);
  });

  it('local runtime: every process listens on loopback only, protected mode on, secrets 0600 in private directories', async () => {
    const dir = tempDir('sc-defaults-local-');
    const redisBase = await freePortBlock(3);
    const sentinelBase = await freePortBlock(3);
    writeFileSync(
      path.join(dir, 'sentinel-compose.yaml'),
      `version: 1\nproject: defaults-local\nports: { redis: ${redisBase}, sentinel: ${sentinelBase} }\nauth:\n  password: \${REDIS_PASSWORD}\n  sentinel-password: \${SENTINEL_PASSWORD}\n`,
    );
    writeFileSync(path.join(dir, '.env'), 'REDIS_PASSWORD=local-check-pw-1\nSENTINEL_PASSWORD=local-check-pw-2\n', { mode: 0o600 });
    const ports = new Set([0, 1, 2].flatMap((i) => [redisBase + i, sentinelBase + i]));
    const up = await cli(['up', '--runtime', 'local'], dir);
    try {
      expect(up.code, up.out).toBe(0);
      const socks = listeners(ports);
      expect(new Set(socks.map((s) => s.port))).toEqual(ports);
      for (const s of socks) expect(s.address, `port ${s.port}`).toMatch(/^(127\.|::1$|::ffff:127\.)/);

      for (let i = 0; i < 3; i++) {
        const c = await RespConn.connect(redisBase + i);
        try {
          expect(plain(await c.call('AUTH', 'local-check-pw-1'))).toEqual({ simple: 'OK' });
          expect(plain(await c.call('CONFIG', 'GET', 'protected-mode'))).toEqual({ array: ['protected-mode', 'yes'] });
          expect(plain(await c.call('CONFIG', 'GET', 'bind'))).toEqual({ array: ['bind', '127.0.0.1'] });
        } finally {
          c.close();
        }
      }

      const run = path.join(dir, 'out', 'run');
      expect(mode(path.join(dir, 'out', '.env'))).toBe(0o600);
      expect(mode(run) & 0o077).toBe(0);
      for (const svc of readdirSync(run, { withFileTypes: true }).filter((e) => e.isDirectory())) {
        const d = path.join(run, svc.name);
        expect(mode(d), d).toBe(0o700);
        for (const f of readdirSync(d)) {
          const file = path.join(d, f);
          if (/\.(conf|log)$/.test(f)) expect(mode(file), file).toBe(0o600);
          expect(mode(file) & 0o002, `${file} is writable by others`).toBe(0);
        }
      }
      const data = path.join(dir, 'out', 'data');
      expect(mode(data)).toBe(0o700);
      for (const svc of readdirSync(data, { withFileTypes: true }).filter((e) => e.isDirectory())) expect(mode(path.join(data, svc.name))).toBe(0o700);
    } finally {
      const down = await cli(['down'], dir);
      expect(down.code, down.out).toBe(0);
    }
  }, 90_000);
});

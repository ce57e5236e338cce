/**
 * Argument handling of the fault commands (pause, unpause, kill, restart, failover, wait) on a
 * rendered folder with nothing running: every mistake is exit 2 naming the argument, before
 * anything is touched.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli-inproc.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sc-fault-args-'));
  dirs.push(d);
  return d;
}

async function rendered(spec = 'version: 1\nproject: fc-args\n'): Promise<string> {
  const cwd = temp();
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), spec);
  const r = await runCli(['render'], cwd);
  expect(r.code, r.stderr).toBe(0);
  return cwd;
}

describe('fault commands: arguments', () => {
  it('a typo in a service name: exit 2, the argument named, a suggestion, nothing recorded', async () => {
    const cwd = await rendered();
    for (const cmd of ['pause', 'unpause', 'kill', 'restart']) {
      const r = await runCli([cmd, 'redis-mastr'], cwd);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain('SERVICE: is not a service of fc-args (got "redis-mastr")');
      expect(r.stderr).toContain('did you mean "redis-master"?');
    }
    expect(existsSync(path.join(cwd, 'out', 'run', 'faults.json'))).toBe(false);
    expect(existsSync(path.join(cwd, 'out', 'run', 'lock'))).toBe(false);
  });

  it('no service given: exit 2 listing them', async () => {
    const r = await runCli(['pause'], await rendered());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name at least one service');
    expect(r.stderr).toContain('redis-sentinel-3');
  });

  it('a known service with nothing running: exit 2 saying how to start it', async () => {
    const r = await runCli(['pause', 'redis-master'], await rendered());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nothing of fc-args is running in out (local)');
    expect(r.stderr).toContain('`sentinel-compose up --out out`');
  });

  it('--json errors are JSON with the problems', async () => {
    const r = await runCli(['kill', 'redis-replica-9', '--json'], await rendered());
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(false);
    expect(j.error.problems[0]).toMatchObject({ path: 'SERVICE', value: 'redis-replica-9', fix: expect.stringContaining('did you mean "redis-replica-1"?') });
  });

  it('failover and wait: groups are checked, with several groups one must be named', async () => {
    const cwd = await rendered('version: 1\nproject: fc-args2\nmasters:\n  - name: orders\n  - name: sessions\n');
    let r = await runCli(['failover'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MASTER: fc-args2 has 2 master groups: name one');
    r = await runCli(['failover', 'order'], cwd);
    expect(r.stderr).toContain('did you mean "orders"?');
    r = await runCli(['wait', '--master-changed'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GROUP: fc-args2 has 2 master groups');
    r = await runCli(['wait', 'sessions', '--master-changed', '--from', 'orders-master'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--from: is not a data node of sessions (got "orders-master")');
    r = await runCli(['wait', 'nosuch'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GROUP: is not a master group of fc-args2');
  });

  it('wait: --from needs --master-changed; --timeout must be a positive number', async () => {
    const cwd = await rendered();
    let r = await runCli(['wait', '--from', 'redis-master'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--from: only applies with --master-changed');
    r = await runCli(['wait', '--timeout', '0'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout: must be a number of seconds, above 0');
    r = await runCli(['failover', '--timeout', 'soon'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout: must be a number of seconds');
  });

  it('failover of a group without replicas is refused as bad input', async () => {
    const r = await runCli(['failover'], await rendered('version: 1\nproject: fc-args3\nmasters:\n  - name: solo\n    replicas: 0\n'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MASTER: has no replicas: there is nothing to fail over to (got "solo")');
  });

  it('a folder that was never rendered: exit 2 naming --out', async () => {
    const r = await runCli(['unpause', 'redis-master', '--out', 'nowhere'], temp());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out: does not exist');
  });
});

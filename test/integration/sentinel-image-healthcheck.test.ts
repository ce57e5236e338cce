/**
 * The bundled sentinel image's healthcheck (templates/sentinel-image/healthcheck.sh, and the
 * healthcheck.mjs it falls back to without bash), run here against a real redis-server on
 * loopback: the same PING, and AUTH, that a sentinel answers. Docker runs it in each sentinel
 * container; compose-bundled-image.test.ts runs it there.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { repoRoot, startRedis, stopAll, tempDir, type Proc } from '../helpers/procs.js';

const dir = path.join(repoRoot, 'templates', 'sentinel-image');
// Multi-byte on purpose: RESP counts bytes.
const password = 'p@ss:wørd';
let open: Proc;
let locked: Proc;

beforeAll(async () => {
  open = await startRedis('hc-open');
  locked = await startRedis('hc-locked', { conf: [`requirepass "${password}"`] });
});
afterAll(stopAll);

function check(port: number, env: Record<string, string> = {}, pathVar = process.env.PATH!): number | null {
  const r = spawnSync('/bin/sh', [path.join(dir, 'healthcheck.sh'), '127.0.0.1', String(port)], {
    env: { PATH: pathVar, ...env },
    timeout: 10_000,
  });
  return r.status;
}

describe('sentinel image healthcheck', () => {
  it('passes on +PONG, with AUTH when SENTINEL_PASSWORD is set', () => {
    expect(check(open.port)).toBe(0);
    expect(check(locked.port, { SENTINEL_PASSWORD: password })).toBe(0);
  });

  it('fails on NOAUTH, a wrong password, and a closed port', async () => {
    expect(check(locked.port)).toBe(1);
    expect(check(locked.port, { SENTINEL_PASSWORD: 'wrong' })).toBe(1);
    expect(check(await freePort())).toBe(1);
  });

  it('uses healthcheck.mjs where there is no bash, with the same verdicts', async () => {
    // A PATH with node but no bash, as in an image of another distribution.
    const bin = path.join(tempDir('sc-hc-'), 'bin');
    mkdirSync(bin);
    for (const tool of ['node']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`])
        .stdout.toString()
        .trim();
      symlinkSync(found, path.join(bin, tool));
    }
    expect(spawnSync('/bin/sh', ['-c', 'command -v bash'], { env: { PATH: bin } }).status).not.toBe(0);
    expect(check(open.port, {}, bin)).toBe(0);
    expect(check(locked.port, { SENTINEL_PASSWORD: password }, bin)).toBe(0);
    expect(check(locked.port, { SENTINEL_PASSWORD: 'wrong' }, bin)).toBe(1);
    expect(check(await freePort(), {}, bin)).toBe(1);
  });
});

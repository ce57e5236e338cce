/**
 * The library API in this process, on the local runtime (real redis-server and sentinel
 * processes on loopback): start from the defaults, a spec object and a spec file; addresses,
 * masters and client options; faults, waits, failover, status, drill; stop and `await using`.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTopology, TimeoutError, UsageError, type SpecObject, type Topology } from '../../../src/api/index.js';
import { processStateLetter } from '../../../src/runtime/local/process.js';
import { CLI_SKIP, cliBuilt, liveServices, recordedProcesses, runCli } from '../../helpers/cli.js';
import { bundledSentinelBuilt } from '../../helpers/drill.js';
import { removeDir } from '../../helpers/procs.js';
import { waitUntil } from '../../../src/common/retry.js';

/** Fast failovers: down-after 1 s; no disk writes the tests do not need. */
const FAST: SpecObject = { version: 1, ports: 'auto', sentinels: { 'down-after-milliseconds': 1000 }, redis: { persistence: 'none' } };

const started: Topology[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of started.splice(0)) await t.stop().catch(() => {});
  for (const d of dirs.splice(0)) removeDir(d);
  vi.restoreAllMocks();
});

async function start(opts: Parameters<typeof startTopology>[0] = {}): Promise<Topology> {
  const t = await startTopology({ runtime: 'local', ...opts });
  started.push(t);
  return t;
}

const ourTempDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('sentinel-compose-'));

describe.skipIf(!cliBuilt || !bundledSentinelBuilt)(`library API on local processes${CLI_SKIP}`, () => {
  it('starts the defaults in a temporary folder, prints nothing, names its sentinels, masters and services, and stop() leaves nothing running and no folder', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const t = await start();
    expect(t.runtime).toBe('local');
    expect(t.dir.startsWith(tmpdir())).toBe(true);
    expect(existsSync(path.join(t.dir, 'topology.json'))).toBe(true);
    expect(t.masterNames).toEqual(['mymaster']);
    expect(t.services).toEqual(['redis-master', 'redis-replica-1', 'redis-replica-2', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3']);
    expect(t.sentinels).toHaveLength(3);
    // ports: auto: not the fixed defaults.
    for (const s of t.sentinels) expect(s).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(t.sentinels.map((s) => s.port)).not.toContain(26379);

    const m = await t.masters();
    expect(Object.keys(m)).toEqual(['mymaster']);
    expect(m.mymaster!.master.service).toBe('redis-master');
    expect(m.mymaster!.replicas.map((r) => r.service).sort()).toEqual(['redis-replica-1', 'redis-replica-2']);
    expect(t.clientOptions()).toEqual({ sentinels: t.sentinels, name: 'mymaster' });

    const status = await t.status();
    expect(status.ok).toBe(true);
    expect(status.runtime).toBe('local');

    const procs = recordedProcesses(t.dir);
    expect(liveServices(t.dir, procs)).toHaveLength(6);
    await t.stop();
    await t.stop(); // idempotent
    expect(liveServices(t.dir, procs)).toEqual([]);
    expect(existsSync(t.dir)).toBe(false);
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
  });

  it('a spec object with passwords: a client built from clientOptions() authenticates; pause of the master, waitForMasterChange, failover() with wait, unpause', async () => {
    const t = await start({
      spec: { ...FAST, masters: [{ name: 'orders', replicas: 2 }], auth: { password: 'data-secret', 'sentinel-password': 'sentinel-secret' } },
    });
    const opts = t.clientOptions();
    expect(opts).toMatchObject({ name: 'orders', password: 'data-secret', sentinelPassword: 'sentinel-secret' });
    const client = new Redis({ ...opts, maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
    }
    // Without the password, the master refuses: the client above did authenticate.
    const before = (await t.masters()).orders!.master;
    const anon = new Redis({
      host: before.host,
      port: before.port,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    anon.on('error', () => {});
    try {
      await anon.connect();
      await expect(anon.get('k')).rejects.toThrow(/NOAUTH/);
    } finally {
      anon.disconnect();
    }

    expect(before.service).toBe('redis-master');
    const paused = await t.pause('redis-master');
    expect(paused).toMatchObject({
      command: 'pause',
      runtime: 'local',
      services: [{ service: 'redis-master', role: 'master', before: 'running', after: 'paused', changed: true }],
    });
    expect(processStateLetter(recordedProcesses(t.dir).find((p) => p.service === 'redis-master')!.rec.pid)).toBe('T');
    const change = await t.waitForMasterChange('orders', { from: before, timeoutMs: 60_000 });
    expect(change.from.service).toBe('redis-master');
    expect(change.to.service).toMatch(/^redis-replica-[12]$/);
    expect((await t.masters()).orders!.master.service).toBe(change.to.service);

    const resumed = await t.unpause('redis-master');
    expect(resumed.services[0]).toMatchObject({ service: 'redis-master', before: 'paused', after: 'running', changed: true });
    await t.waitHealthy({ timeoutMs: 60_000 });

    const f = await t.failover('orders', { timeoutMs: 60_000 });
    expect(f.from.service).toBe(change.to.service);
    expect(f.to).not.toBeNull();
    expect(f.to!.service).not.toBe(change.to.service);
    expect((await t.masters()).orders!.master.service).toBe(f.to!.service);
  });

  it('failover() passes over a sentinel in TILT mode (it would accept and then do nothing for 30 s)', async () => {
    const t = await start({ spec: FAST });
    // Frozen for 3 s, the sentinel finds its timer jumped on waking and enters TILT (for 30 s).
    await t.pause('redis-sentinel-1');
    await new Promise((r) => setTimeout(r, 3000));
    await t.unpause('redis-sentinel-1');
    const s1 = new Redis({ ...t.sentinels[0]!, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await s1.connect();
      await waitUntil('redis-sentinel-1 in TILT', async () => ((await s1.info('sentinel')).includes('sentinel_tilt:1') ? [] : ['not in TILT']), {
        timeoutMs: 10_000,
      });
      // Inside the TILT, a timeout that only a sentinel acting at once can meet.
      const f = await t.failover(undefined, { timeoutMs: 11_000 });
      expect(f.sentinel).not.toBe('redis-sentinel-1');
      expect(f.attempts.map((a) => a.sentinel)).not.toContain('redis-sentinel-1');
      expect(f.to!.service).not.toBe('redis-master');
      expect((await s1.info('sentinel')).includes('sentinel_tilt:1'), 'still in TILT at the end').toBe(true);
    } finally {
      s1.disconnect();
    }
  });

  it('a spec file; bad names are UsageErrors with the CLI wording; waits time out with a TimeoutError', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-api-file-'));
    dirs.push(dir);
    const file = path.join(dir, 'topology.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'project: api-file',
        'ports: auto',
        'masters:',
        '  - name: cache',
        '    replicas: 1',
        'sentinels:',
        '  count: 3',
        'redis:',
        '  persistence: none',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const t = await start({ spec: file, dir: out });
    expect(t.dir).toBe(out);
    expect(t.masterNames).toEqual(['cache']);
    expect(t.services).toEqual(['redis-master', 'redis-replica-1', 'redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3']);
    await expect(t.pause('redis-mastr')).rejects.toThrow(UsageError);
    await expect(t.pause('redis-mastr')).rejects.toThrow(/redis-master/);
    expect(() => t.clientOptions('nope')).toThrow(UsageError);
    await expect(t.waitForMasterChange('cache', { timeoutMs: 1500 })).rejects.toThrow(TimeoutError);
    // The CLI sees the same topology in the folder the test chose.
    const status = await runCli(['status', '--out', out, '--json'], dir);
    expect(status.code, status.stderr).toBe(0);
    const cli = JSON.parse(status.stdout) as Record<string, unknown>;
    const api = (await t.status()) as unknown as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(Object.keys(cli).sort());
    const procs = recordedProcesses(out);
    await t.stop();
    // A folder the caller chose stays (with its rendered files); nothing runs.
    expect(existsSync(path.join(out, 'topology.json'))).toBe(true);
    expect(liveServices(out, procs)).toEqual([]);
  });

  it('await using stops the topology and removes its folder at the end of the block', async () => {
    let dir = '';
    let procs: ReturnType<typeof recordedProcesses> = [];
    {
      await using t = await startTopology({ runtime: 'local', spec: FAST });
      dir = t.dir;
      procs = recordedProcesses(dir);
      expect(liveServices(dir, procs)).toHaveLength(6);
    }
    expect(liveServices(dir, procs)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a bad spec object is a UsageError naming the field path, and nothing is left on disk', async () => {
    const before = ourTempDirs();
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'sc-api-bad-')), 'out');
    dirs.push(path.dirname(dir));
    const err = await startTopology({
      runtime: 'local',
      dir,
      spec: { masters: [{ name: 'orders', replicas: -1 }], sentinels: { count: 'three' as unknown as number } },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toContain('masters[0].replicas');
    expect(message).toContain('sentinels.count');
    expect(existsSync(dir)).toBe(false);
    expect(ourTempDirs()).toEqual(before);
    const opts = await startTopology({ runtime: 'podman' as 'local' }).catch((e: unknown) => e);
    expect(opts).toBeInstanceOf(UsageError);
    expect((opts as Error).message).toContain('runtime');
    expect(ourTempDirs()).toEqual(before);
  });
});

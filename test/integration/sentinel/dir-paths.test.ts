/**
 * `dir` takes effect where it stands, as in redis-sentinel 7.0 (it chdir()s when it reads the
 * line): relative paths after it — includes, logfile, pidfile, unixsocket, aclfile, the scripts
 * of `sentinel notification-script` / `client-reconfig-script`, and what SENTINEL SET accepts at
 * run time — are relative to it, and a sentinel restarted from the file it rewrote comes back,
 * from any working directory. Every sequence runs against redis-sentinel and the bundled
 * sentinel; what a client sees (replies, files, the rewritten config) must be the same.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/ports.js';
import { RespConn, plain } from '../../helpers/resp-conn.js';
import { startSentinelFrom, stopAll, tempDir, type Proc } from '../../helpers/procs.js';
import { pairs, text, toJs } from './resp-client.js';
import { sentinelCall, waitFor } from './topology.js';
import { transcript } from './transcript.js';

const IMPLS = ['redis', 'bundled'] as const;
type Impl = (typeof IMPLS)[number];

afterEach(async () => {
  await stopAll();
});

function write(file: string, body: string, mode?: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  if (mode !== undefined) chmodSync(file, mode);
}

function read(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** A script that records the directory it ran in and its arguments. */
function recorder(file: string, out: string): void {
  write(file, `#!/bin/sh\necho "$PWD $*" >> ${out}\n`, 0o755);
}

async function masterFields(port: number, ...names: string[]): Promise<Record<string, string>> {
  const all = Object.fromEntries(pairs(await sentinelCall(port, 'SENTINEL', 'MASTER', 'mymaster')));
  return Object.fromEntries(names.map((n) => [n, all[n] ?? '(none)']));
}

/** The unix socket's mode, and how a client connected through it sees itself. */
async function unixClient(file: string): Promise<unknown> {
  const c = await RespConn.connect(file);
  try {
    const info = String(plain(await c.call('CLIENT', 'INFO')));
    const pick = (k: string) => `${k}=${new RegExp(`\\b${k}=(\\S*)`).exec(info)?.[1]}`;
    return { mode: (statSync(file).mode & 0o777).toString(8), client: ['addr', 'laddr', 'flags', 'user'].map(pick).join(' ') };
  } finally {
    c.close();
  }
}

function mapValues(o: Record<string, string>, f: (s: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

/** Replies as plain data, with the machine's paths and ids replaced by names. */
function normaliser(root: string, port: number, dead: number) {
  return (s: string) =>
    s
      .split(root)
      .join('<root>')
      .replace(/\b[0-9a-f]{40}\b/g, '<id>')
      .replace(new RegExp(`\\b${port}\\b`, 'g'), '<port>')
      .replace(new RegExp(`\\b${dead}\\b`, 'g'), '<dead>');
}

describe('dir takes effect where it stands (redis-sentinel vs bundled)', () => {
  /**
   * The issue's reproduction: t/s0/sentinel.conf says `dir ./s0`, the sentinel is started from t/
   * with `s0/sentinel.conf`, SENTINEL SET points the notification script at ../helpers/notify.sh;
   * after SIGTERM it must start again from t/, and from anywhere else.
   */
  async function reproduce(impl: Impl): Promise<unknown> {
    const root = tempDir(`sc-dir-${impl}-`);
    const t = path.join(root, 't');
    const port = await freePort();
    const dead = await freePort();
    const notified = path.join(root, 'notified.log');
    recorder(path.join(t, 'helpers', 'notify.sh'), notified);
    recorder(path.join(t, 'helpers', 'reconf.sh'), path.join(root, 'reconf.log'));
    write(path.join(t, 'helpers', 'not-executable.sh'), '#!/bin/sh\n', 0o644);
    mkdirSync(path.join(root, 'elsewhere'));
    const confFile = path.join(t, 's0', 'sentinel.conf');
    write(
      confFile,
      [`port ${port}`, 'bind 127.0.0.1', 'dir ./s0', 'sentinel deny-scripts-reconfig no', `sentinel monitor mymaster 127.0.0.1 ${dead} 1`, ''].join('\n'),
    );
    const norm = normaliser(root, port, dead);
    const out: Record<string, unknown> = {};
    const start = (cwd: string, conf: string) => startSentinelFrom(`dir-${impl}`, impl, { cwd, conf, port });

    let s: Proc = await start(t, 's0/sentinel.conf');
    const id = text(await sentinelCall(port, 'SENTINEL', 'MYID'));
    const set = async (...args: string[]) => toJs(await sentinelCall(port, 'SENTINEL', 'SET', 'mymaster', ...args));
    out.set = [
      await set('notification-script', '../helpers/notify.sh'),
      await set('client-reconfig-script', '../helpers/reconf.sh'),
      // Relative to the start directory, not to dir: refused by both.
      await set('notification-script', 'helpers/notify.sh'),
      await set('notification-script', '../helpers/not-executable.sh'),
      await set('notification-script', '../helpers/absent.sh'),
    ];
    out.afterSet = await masterFields(port, 'notification-script', 'client-reconfig-script');
    await s.stop('SIGTERM');
    out.rewritten = norm(read(confFile));

    // Again from t/ with the same command line, then from another directory.
    for (const [where, cwd, conf] of [
      ['same directory', t, 's0/sentinel.conf'],
      ['another directory', path.join(root, 'elsewhere'), '../t/s0/sentinel.conf'],
    ] as const) {
      const before = read(notified).split('\n').filter(Boolean).length;
      try {
        s = await start(cwd, conf);
      } catch (err) {
        out[where] = `did not start: ${norm(String((err as Error).message))}`;
        continue;
      }
      // +monitor is a warning-level event: the notification script runs, from dir.
      await waitFor('notification script ran', async () => (read(notified).split('\n').filter(Boolean).length > before ? [] : ['no new line']), 10_000);
      out[where] = {
        sameId: text(await sentinelCall(port, 'SENTINEL', 'MYID')) === id,
        master: await masterFields(port, 'name', 'ip', 'port', 'quorum', 'notification-script', 'client-reconfig-script').then((m) => mapValues(m, norm)),
        scriptRan: norm(read(notified).split('\n').filter(Boolean).at(-1) ?? ''),
      };
      await s.stop('SIGTERM');
    }
    return out;
  }

  it('the issue: SENTINEL SET notification-script ../helpers/notify.sh, SIGTERM, restart from the same and from another directory', async () => {
    const redis = await reproduce('redis');
    const bundled = await reproduce('bundled');
    // What redis-sentinel does, spelled out, so that a change on either side is visible here.
    expect(redis).toMatchObject({
      set: ['OK', 'OK', { error: expect.stringMatching(/non existing or non executable/) }, { error: expect.anything() }, { error: expect.anything() }],
      rewritten: expect.stringMatching(/^dir "<root>\/t\/s0"$[\s\S]*^sentinel notification-script mymaster \.\.\/helpers\/notify\.sh$/m),
      'same directory': { sameId: true, scriptRan: '<root>/t/s0 +monitor master mymaster 127.0.0.1 <dead> quorum 1' },
      'another directory': { sameId: true, scriptRan: '<root>/t/s0 +monitor master mymaster 127.0.0.1 <dead> quorum 1' },
    });
    expect(bundled).toEqual(redis);
  });

  /**
   * Every other path that depends on the working directory or on the order of the lines:
   * a script named before `dir` (sentinel lines are applied after the whole file, so from the
   * final directory), an include before `dir` (from the start directory) and between two `dir`
   * lines (from the first; globs too), `dir` relative to the one before it, logfile, pidfile
   * and unixsocket (from the final directory; the socket replaces a stale file and goes away
   * with the sentinel).
   */
  async function sweep(impl: Impl): Promise<unknown> {
    const root = tempDir(`sc-paths-${impl}-`);
    const port = await freePort();
    const dead = await freePort();
    const start = path.join(root, 'start');
    const final = path.join(start, 'a', 'b');
    recorder(path.join(final, 'scripts', 'n.sh'), path.join(root, 'n.log'));
    write(path.join(start, 'inc', 'one.conf'), 'sentinel down-after-milliseconds mymaster 4000\n');
    write(path.join(start, 'a', 'inc', 'two.conf'), 'sentinel failover-timeout mymaster 9000\n');
    write(path.join(start, 'a', 'conf.d', '20-b.conf'), 'sentinel parallel-syncs mymaster 3\n');
    write(path.join(start, 'a', 'conf.d', '10-a.conf'), 'sentinel parallel-syncs mymaster 2\n');
    const conf = path.join(start, 'sentinel.conf');
    write(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'sentinel notification-script mymaster scripts/n.sh',
        'include inc/one.conf',
        'dir a',
        'include inc/two.conf',
        'include conf.d/*.conf',
        'include conf.d/nothing-matches-*.conf',
        'dir b',
        'logfile s.log',
        'pidfile s.pid',
        'unixsocket s.sock',
        'unixsocketperm 700',
        `sentinel monitor mymaster 127.0.0.1 ${dead} 1`,
        '',
      ].join('\n'),
    );
    const norm = normaliser(root, port, dead);
    // A socket file left by an earlier run is replaced.
    write(path.join(final, 's.sock'), '');
    const s = await startSentinelFrom(`paths-${impl}`, impl, { cwd: start, conf: 'sentinel.conf', port });
    const info = text(await sentinelCall(port, 'INFO', 'server'));
    await waitFor('log written', async () => (read(path.join(final, 's.log')).includes('+monitor') ? [] : ['no +monitor in a/b/s.log']), 10_000);
    const out = {
      master: await masterFields(port, 'down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'notification-script'),
      configFile: norm(/config_file:(.*)/.exec(info)?.[1]?.trim() ?? ''),
      pidfile: read(path.join(final, 's.pid')).trim() === String(s.child.pid),
      stray: ['s.log', 's.pid', 's.sock', 'a/s.log', 'a/s.pid', 'a/s.sock'].filter((f) => existsSync(path.join(start, f))),
      socket: await unixClient(path.join(final, 's.sock')),
    };
    await s.stop('SIGTERM');
    return { ...out, pidfileAfterStop: existsSync(path.join(final, 's.pid')), socketAfterStop: existsSync(path.join(final, 's.sock')) };
  }

  it('the sweep: scripts, includes (globs too), dir after dir, logfile, pidfile and unixsocket resolve where redis-sentinel resolves them', async () => {
    const redis = await sweep('redis');
    const bundled = await sweep('bundled');
    expect(redis).toEqual({
      master: { 'down-after-milliseconds': '4000', 'failover-timeout': '9000', 'parallel-syncs': '3', 'notification-script': 'scripts/n.sh' },
      configFile: '<root>/start/sentinel.conf',
      pidfile: true,
      stray: [],
      socket: { mode: '700', client: 'addr=s.sock:0 laddr=s.sock:0 flags=U user=default' },
      pidfileAfterStop: false,
      socketAfterStop: false,
    });
    expect(bundled).toEqual(redis);
  });

  /** `aclfile` is another path read from the last `dir`: at start, by ACL LOAD and ACL SAVE. */
  async function aclFile(impl: Impl): Promise<unknown> {
    const root = tempDir(`sc-aclfile-${impl}-`);
    const start = path.join(root, 'start');
    const port = await freePort();
    const acl = path.join(start, 'a', 'users.acl');
    write(acl, 'user default on nopass ~* &* +@all\nuser alice on >pw ~* &* +@all\n');
    const conf = path.join(start, 'sentinel.conf');
    write(conf, [`port ${port}`, 'bind 127.0.0.1', 'dir a', 'aclfile users.acl', `sentinel monitor mymaster 127.0.0.1 ${port + 1} 1`, ''].join('\n'));
    const call = async (...args: string[]) => toJs(await sentinelCall(port, ...args));
    const out: Record<string, unknown> = {};
    let s = await startSentinelFrom(`aclfile-${impl}`, impl, { cwd: start, conf: 'sentinel.conf', port });
    out.loaded = await call('ACL', 'LIST');
    out.save = [await call('ACL', 'SETUSER', 'bob', 'on', '>b', '+@all'), await call('ACL', 'SAVE'), read(acl)];
    await call('SENTINEL', 'FLUSHCONFIG');
    out.userLinesInConfig = read(conf).split('\n').filter((l) => l.startsWith('user '));
    write(acl, 'user default on nopass ~* &* +@all\nuser carol on >c +@all\n');
    // ACL LOAD closes the clients of every user but default, the caller after its reply.
    out.load = await transcript(port, [
      ['alice', 'AUTH', 'alice', 'pw'],
      ['bob', 'AUTH', 'bob', 'b'],
      ['default', 'PING'],
      ['alice', 'ACL', 'LOAD'],
      ['bob', 'PING'],
      ['default', 'ACL', 'LIST'],
    ]);
    write(acl, 'user default on nopass ~* &* +@all\n# a comment\nuser dan on >d\nuser dan on >d\n');
    out.badLoad = [await call('ACL', 'LOAD'), await call('ACL', 'LIST')];
    write(acl, 'user default on nopass ~* &* +@all\nuser carol on >c +@all\n');
    await s.stop('SIGTERM');
    s = await startSentinelFrom(`aclfile-${impl}-again`, impl, { cwd: root, conf: 'start/sentinel.conf', port });
    out.afterRestart = await call('ACL', 'LIST');
    await s.stop('SIGTERM');
    // Refusals: the file missing; users both in the file and in the config.
    const refused = async (body: string) => {
      write(conf, body);
      return startSentinelFrom(`aclfile-${impl}-refused`, impl, { cwd: start, conf: 'sentinel.conf', port }).then(
        (p) => p.stop('SIGKILL').then(() => 'started'),
        (e: Error) => (/Error loading ACLs, opening file 'missing\.acl': No such file or directory|users defined in redis\.conf and at the same setting an ACL file path is invalid/.exec(e.message) ?? ['other: ' + e.message])[0],
      );
    };
    out.refused = [
      await refused(`port ${port}\nbind 127.0.0.1\ndir a\naclfile missing.acl\nsentinel monitor mymaster 127.0.0.1 ${port + 1} 1\n`),
      await refused(`port ${port}\nbind 127.0.0.1\ndir a\naclfile users.acl\nuser eve on >e\nsentinel monitor mymaster 127.0.0.1 ${port + 1} 1\n`),
    ];
    return out;
  }

  it('aclfile: read from the last dir at start and by ACL LOAD, written by ACL SAVE, users kept out of the config; a missing file or users in both places refuse the start', async () => {
    const redis = await aclFile('redis');
    expect(redis).toMatchObject({
      userLinesInConfig: [],
      load: expect.arrayContaining([['alice', 'ACL LOAD', { simple: 'OK' }], ['alice', 'closed'], ['bob', 'closed'], ['default', 'open']]),
      badLoad: [{ error: expect.stringMatching(/^ERR .*users\.acl:2 should start with user keyword.*Duplicate user 'dan'.*no change/) }, expect.anything()],
      refused: [
        "Error loading ACLs, opening file 'missing.acl': No such file or directory",
        'users defined in redis.conf and at the same setting an ACL file path is invalid',
      ],
    });
    expect(await aclFile('bundled')).toEqual(redis);
  });

  it('a dir that does not exist stops the start, naming the line; the file is left alone', async () => {
    const outcome = async (impl: Impl) => {
      const root = tempDir(`sc-nodir-${impl}-`);
      const port = await freePort();
      const body = `port ${port}\nbind 127.0.0.1\ndir ./nowhere\nsentinel monitor mymaster 127.0.0.1 ${port + 1} 1\n`;
      write(path.join(root, 'sentinel.conf'), body);
      const err = await startSentinelFrom(`nodir-${impl}`, impl, { cwd: root, conf: 'sentinel.conf', port }).then(
        () => '',
        (e: Error) => e.message,
      );
      return { refused: err !== '', namesLine: /\b3\b/.test(err), says: /No such file or directory/.test(err), untouched: read(path.join(root, 'sentinel.conf')) === body };
    };
    const redis = await outcome('redis');
    expect(redis).toEqual({ refused: true, namesLine: true, says: true, untouched: true });
    expect(await outcome('bundled')).toEqual(redis);
  });
});

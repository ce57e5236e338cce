import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../../src/common/errors.js';
import {
  parseSentinelConfig,
  loadSentinelConfig,
  renderRewrite,
  rewriteSentinelConfig,
  REWRITE_SIGNATURE,
  type SentinelConfig,
  type SentinelPersistState,
} from '../../../src/sentinel/config/index.js';
import { includeFiles } from '../../../src/sentinel/config/paths.js';
import { checkPassword, describeUser, sha256Hex } from '../../../src/sentinel/server/auth.js';

const MYID = 'a'.repeat(40);

function problems(text: string): string[] {
  try {
    parseSentinelConfig(text, 'sentinel.conf');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

function stateFrom(cfg: SentinelConfig, dir = '/tmp'): SentinelPersistState {
  return {
    myid: cfg.myid ?? MYID,
    currentEpoch: cfg.currentEpoch,
    globals: cfg.globals,
    masters: cfg.masters,
    dir,
    port: cfg.port,
    protectedMode: cfg.protectedMode,
    users: cfg.users,
  };
}

describe('parseSentinelConfig', () => {
  it('reads the seed-style file with Redis defaults', () => {
    const cfg = parseSentinelConfig(
      [
        '# comment',
        'port 26380',
        'bind 127.0.0.1 ::1',
        'daemonize no',
        'logfile "/tmp/s 1.log"',
        'dir /tmp',
        'sentinel monitor mymaster 127.0.0.1 6379 2',
        'sentinel down-after-milliseconds mymaster 5000',
        'sentinel auth-pass mymaster "p w"',
        'tcp-keepalive 60',
        'hz 10',
      ].join('\n'),
      'x.conf',
    );
    expect(cfg.port).toBe(26380);
    expect(cfg.bind).toEqual(['127.0.0.1', '::1']);
    expect(cfg.logfile).toBe('/tmp/s 1.log');
    expect(cfg.dir).toBe('/tmp');
    expect(cfg.protectedMode).toBe(false);
    expect(cfg.masters).toEqual([
      {
        name: 'mymaster',
        host: '127.0.0.1',
        port: 6379,
        quorum: 2,
        downAfterMs: 5000,
        failoverTimeoutMs: 180000,
        parallelSyncs: 1,
        authPass: 'p w',
        masterRebootDownAfterPeriodMs: 0,
        configEpoch: 0,
        leaderEpoch: 0,
        knownReplicas: [],
        knownSentinels: [],
        renamedCommands: [],
      },
    ]);
    // tcp-keepalive is applied to client sockets; hz is accepted and has no meaning here.
    expect(cfg.tcpKeepalive).toBe(60);
    expect(cfg.ignored).toEqual([{ lineNo: 11, directive: 'hz' }]);
    expect(cfg.daemonize).toBe(false);
  });

  it('runs sentinel statements after monitor whatever their order in the file', () => {
    const cfg = parseSentinelConfig(
      [
        'sentinel known-replica m 127.0.0.1 7001',
        'sentinel config-epoch m 9',
        'sentinel leader-epoch m 4',
        'sentinel known-sentinel m 127.0.0.1 26390 ' + 'b'.repeat(40),
        'sentinel known-sentinel m 127.0.0.1 26391',
        'sentinel known-slave m 127.0.0.1 7002',
        'sentinel myid ' + MYID,
        'sentinel current-epoch 3',
        'SENTINEL MONITOR m 127.0.0.1 7000 1',
        'sentinel rename-command m CONFIG GUESSME',
        'sentinel announce-ip 10.0.0.1',
        'sentinel announce-port 1234',
        'sentinel resolve-hostnames yes',
        'sentinel monitor h redis-master 6379 2',
      ].join('\n'),
      'x.conf',
    );
    const m = cfg.masters[0]!;
    expect(m.configEpoch).toBe(9);
    expect(m.leaderEpoch).toBe(4);
    // config-epoch raises current-epoch, as in Redis.
    expect(cfg.currentEpoch).toBe(9);
    expect(cfg.myid).toBe(MYID);
    expect(m.knownReplicas).toEqual([
      { host: '127.0.0.1', port: 7001 },
      { host: '127.0.0.1', port: 7002 },
    ]);
    expect(m.knownSentinels).toEqual([
      { host: '127.0.0.1', port: 26390, runId: 'b'.repeat(40) },
      { host: '127.0.0.1', port: 26391 },
    ]);
    expect(m.renamedCommands).toEqual([['CONFIG', 'GUESSME']]);
    expect(cfg.globals).toMatchObject({ announceIp: '10.0.0.1', announcePort: 1234, resolveHostnames: true });
    expect(cfg.masters[1]!.host).toBe('redis-master');
  });

  it("reports every problem with file:line and Redis's words", () => {
    expect(
      problems(
        [
          'port 26379',
          'bogus-directive 1',
          'sentinel monitor m 127.0.0.1 6379 0',
          'sentinel monitor m2 127.0.0.1 6379 2',
          'sentinel down-after-milliseconds nosuch 100',
          'sentinel down-after-milliseconds m2 0',
          'sentinel myid abc',
          'sentinel monitor m2 127.0.0.1 6380 2',
          'sentinel monitor h redis-master 6379 2',
          'sentinel frobnicate m2',
          'sentinel deny-scripts-reconfig maybe',
          'port "unbalanced',
          'loadmodule /x.so',
          'tls-port 6380',
        ].join('\n'),
      ),
    ).toEqual([
      "sentinel.conf:2: Bad directive or wrong number of arguments: unknown directive 'bogus-directive' in 'bogus-directive 1'",
      "sentinel.conf:12: Unbalanced quotes in 'port \"unbalanced'",
      "sentinel.conf:13: modules cannot be loaded into the TypeScript sentinel in 'loadmodule /x.so'",
      "sentinel.conf:14: TLS is not supported by the TypeScript sentinel in 'tls-port 6380'",
      "sentinel.conf:7: Malformed Sentinel id in myid option. in 'sentinel myid abc'",
      "sentinel.conf:11: Please specify yes or no for the deny-scripts-reconfig options. in 'sentinel deny-scripts-reconfig maybe'",
      "sentinel.conf:3: Quorum must be 1 or greater. in 'sentinel monitor m 127.0.0.1 6379 0'",
      "sentinel.conf:8: Duplicate master name. in 'sentinel monitor m2 127.0.0.1 6380 2'",
      "sentinel.conf:9: Can't resolve instance hostname. in 'sentinel monitor h redis-master 6379 2'",
      "sentinel.conf:5: No such master with specified name. in 'sentinel down-after-milliseconds nosuch 100'",
      "sentinel.conf:6: negative or zero time parameter. in 'sentinel down-after-milliseconds m2 0'",
      "sentinel.conf:10: Unrecognized sentinel configuration statement. in 'sentinel frobnicate m2'",
    ]);
  });

  it('turns requirepass and user lines into ACL users', () => {
    const cfg = parseSentinelConfig('requirepass "s e"\nuser alice on >pw ~* +@all\nuser bob off >x', 'x.conf');
    expect(checkPassword(cfg.users, 'default', 's e')).toBe(true);
    expect(checkPassword(cfg.users, 'default', 'nope')).toBe(false);
    expect(checkPassword(cfg.users, 'alice', 'pw')).toBe(true);
    expect(checkPassword(cfg.users, 'bob', 'x')).toBe(false);
  });

  it('insists on a writable file, as redis-sentinel does', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-cfg-'));
    expect(() => loadSentinelConfig(path.join(dir, 'missing.conf'))).toThrow(/does not exist/);
    const f = path.join(dir, 's.conf');
    writeFileSync(f, 'sentinel monitor m 127.0.0.1 6379 1\n');
    expect(loadSentinelConfig(f).masters).toHaveLength(1);
    if (process.getuid?.() !== 0) {
      chmodSync(f, 0o444);
      expect(() => loadSentinelConfig(f)).toThrow(/not writable/);
    }
  });
});

describe('renderRewrite', () => {
  it('keeps user lines and comments in their slots and appends the rest after the signature', () => {
    const old = [
      '# my sentinel',
      '   port 26380  ',
      'bind 127.0.0.1',
      '',
      '',
      '# masters',
      'SENTINEL monitor m 127.0.0.1 7000 2',
      'sentinel down-after-milliseconds m 30000',
      'sentinel known-slave m 127.0.0.1 7009',
      'tcp-keepalive 300',
      'sentinel announce-port 0',
      '',
    ].join('\n');
    const cfg = parseSentinelConfig(old, 'x.conf');
    const st = stateFrom(cfg);
    st.currentEpoch = 3;
    st.masters[0]!.host = '127.0.0.1';
    st.masters[0]!.port = 7001;
    st.masters[0]!.configEpoch = 3;
    st.masters[0]!.knownReplicas = [
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7002 },
    ];
    st.masters[0]!.knownSentinels = [
      { host: '127.0.0.1', port: 26381, runId: 'c'.repeat(40) },
      { host: '127.0.0.1', port: 26382 },
    ];
    expect(renderRewrite(old, st)).toBe(
      [
        '# my sentinel',
        'port 26380',
        'bind 127.0.0.1',
        '',
        '# masters',
        'sentinel monitor m 127.0.0.1 7001 2',
        '',
        'sentinel known-replica m 127.0.0.1 7000',
        'tcp-keepalive 300',
        '',
        REWRITE_SIGNATURE,
        'protected-mode no',
        'dir "/tmp"',
        'latency-tracking-info-percentiles 50 99 99.9',
        'user default on nopass ~* &* +@all',
        `sentinel myid ${MYID}`,
        'sentinel config-epoch m 3',
        'sentinel leader-epoch m 0',
        'sentinel known-replica m 127.0.0.1 7002',
        `sentinel known-sentinel m 127.0.0.1 26381 ${'c'.repeat(40)}`,
        'sentinel current-epoch 3',
        '',
      ].join('\n'),
    );
  });

  it('is stable: rewriting its own output again changes nothing', () => {
    const old = 'port 26380\nsentinel monitor m 127.0.0.1 7000 2\nsentinel auth-pass m "a b"\nrequirepass x\n';
    const st = stateFrom(parseSentinelConfig(old, 'x.conf'));
    // Like Redis, the first rewrite of a file ending in a newline leaves one blank line at the
    // end (the file split on \n has an empty last line); from then on the output is a fixed point.
    const once = renderRewrite(renderRewrite(old, st), st);
    expect(renderRewrite(once, st)).toBe(once);
    expect(once.endsWith('sentinel current-epoch 0\n\n')).toBe(true);
    // What it wrote reads back to the same state.
    const again = parseSentinelConfig(once, 'x.conf');
    expect(again.masters[0]!.authPass).toBe('a b');
    expect(checkPassword(again.users, 'default', 'x')).toBe(true);
  });

  it('marks lines it does not understand instead of dropping them', () => {
    const st = stateFrom(parseSentinelConfig('', 'x.conf'));
    const out = renderRewrite('whatever this is\nport 1\n', { ...st, port: 1 });
    expect(out.split('\n').slice(0, 2)).toEqual(['# ??? whatever this is', 'port 1']);
  });

  it('writes nothing but its own lines for an empty file', () => {
    const st = stateFrom(parseSentinelConfig('', 'x.conf'));
    const out = renderRewrite('', st);
    expect(out.startsWith(`${REWRITE_SIGNATURE}\nport 26379\n`)).toBe(true);
  });
});

describe('rewriteSentinelConfig', () => {
  it('replaces the file atomically, keeps its mode and leaves no temp file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-rw-'));
    const f = path.join(dir, 'sentinel.conf');
    writeFileSync(f, 'sentinel monitor m 127.0.0.1 7000 2\n');
    chmodSync(f, 0o600);
    const st = stateFrom(parseSentinelConfig(readFileSync(f, 'utf8'), f), dir);
    rewriteSentinelConfig(f, st);
    expect(readFileSync(f, 'utf8')).toContain(`sentinel myid ${MYID}`);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['sentinel.conf']);
  });

  it('fails with a clear error and leaves the file alone when the directory is read-only', () => {
    if (process.getuid?.() === 0) return; // root writes anywhere
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-ro-'));
    const f = path.join(dir, 'sentinel.conf');
    writeFileSync(f, 'sentinel monitor m 127.0.0.1 7000 2\n');
    chmodSync(dir, 0o555);
    const st = stateFrom(parseSentinelConfig(readFileSync(f, 'utf8'), f), dir);
    expect(() => rewriteSentinelConfig(f, st)).toThrow(/Could not write config file .*EACCES/);
    expect(readFileSync(f, 'utf8')).toBe('sentinel monitor m 127.0.0.1 7000 2\n');
    chmodSync(dir, 0o755);
  });
});

describe('paths follow dir, line by line', () => {
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), 'sc-paths-'));
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), body);
    }
    return root;
  }

  it('dir is relative to the dir before it; include reads from the dir in effect at its line', () => {
    const root = tree({ 'x.conf': 'sentinel parallel-syncs m 2\n', 'a/x.conf': 'sentinel parallel-syncs m 3\n', 'a/b/.keep': '' });
    const text = 'sentinel monitor m 127.0.0.1 7000 2\ninclude x.conf\ndir a\ninclude x.conf\ndir b\n';
    const cfg = parseSentinelConfig(text, 's.conf', { cwd: root });
    expect(cfg.dir).toBe(path.join(root, 'a', 'b'));
    expect(cfg.masters[0]!.parallelSyncs).toBe(3);
    expect(parseSentinelConfig('dir a\ndir b\ndir ..\n', 's.conf', { cwd: root }).dir).toBe(path.join(root, 'a'));
  });

  it('include globs: alphabetical, dot files only when asked for, wildcards in directories, none at all is fine', () => {
    const root = tree({
      'conf.d/20.conf': 'sentinel parallel-syncs m 20\n',
      'conf.d/10.conf': 'sentinel parallel-syncs m 10\n',
      'conf.d/.30.conf': 'sentinel parallel-syncs m 30\n',
      'conf.d/sub.conf/ignored': '',
      'x1/y.conf': 'sentinel failover-timeout m 1111\n',
    });
    expect(includeFiles(root, 'conf.d/*.conf')).toEqual([path.join(root, 'conf.d/10.conf'), path.join(root, 'conf.d/20.conf')]);
    expect(includeFiles(root, 'conf.d/.*.conf')).toEqual([path.join(root, 'conf.d/.30.conf')]);
    expect(includeFiles(root, 'x?/*.conf')).toEqual([path.join(root, 'x1/y.conf')]);
    expect(includeFiles(root, 'empty.d/*.conf')).toEqual([]);
    const cfg = parseSentinelConfig('sentinel monitor m 127.0.0.1 7000 2\ninclude conf.d/*.conf\ninclude x[0-9]/y.conf\n', 's.conf', { cwd: root });
    expect(cfg.masters[0]!.parallelSyncs).toBe(20);
    expect(cfg.masters[0]!.failoverTimeoutMs).toBe(1111);
  });

  it("a missing dir or include names its line with Redis's words", () => {
    const root = tree({ f: '' });
    const err = (text: string) => {
      try {
        parseSentinelConfig(text, 's.conf', { cwd: root });
      } catch (e) {
        return (e as UsageError).problems.map((p) => `${p.path}: ${p.message}`);
      }
      return [];
    };
    expect(err('port 1\ndir nowhere\n')).toEqual(["s.conf:2: No such file or directory in 'dir nowhere'"]);
    expect(err('dir f\n')).toEqual(["s.conf:1: Not a directory in 'dir f'"]);
    expect(err('dir ""\n')).toEqual([`s.conf:1: No such file or directory in 'dir ""'`]);
    expect(err('include nope.conf\n')).toEqual([
      `s.conf:1: can't open config file '${path.join(root, 'nope.conf')}': No such file or directory in 'include nope.conf'`,
    ]);
  });

  it('scripts are checked from the last dir, wherever their line stands', () => {
    const root = tree({ 'a/n.sh': '#!/bin/sh\n' });
    chmodSync(path.join(root, 'a/n.sh'), 0o755);
    const text = 'sentinel notification-script m n.sh\nsentinel monitor m 127.0.0.1 7000 2\ndir a\n';
    expect(parseSentinelConfig(text, 's.conf', { cwd: root }).masters[0]!.notificationScript).toBe('n.sh');
    expect(() => parseSentinelConfig(text.replace('dir a\n', ''), 's.conf', { cwd: root })).toThrow(/Notification script seems non existing/);
  });
});

describe('user lines, as redis-sentinel loads and writes them', () => {
  it('reads back what redis-sentinel writes after a restart (sanitize-payload on the default user)', () => {
    const line = 'user default on nopass sanitize-payload ~* &* +@all';
    const cfg = parseSentinelConfig(`${line}\nuser bob on skip-sanitize-payload #${'b'.repeat(64)} resetchannels +@all -acl\n`, 's.conf');
    expect(describeUser('default', cfg.users.get('default')!)).toBe(line);
    expect(describeUser('bob', cfg.users.get('bob')!)).toBe(`user bob on skip-sanitize-payload #${'b'.repeat(64)} resetchannels +@all -acl`);
  });

  it('resets the default user before its line (without `on` it is off), and refuses a user declared twice', () => {
    const cfg = parseSentinelConfig('user default >x ~* &* +@all\n', 's.conf');
    expect(cfg.users.get('default')!.enabled).toBe(false);
    expect(describeUser('default', cfg.users.get('default')!)).toBe(`user default off sanitize-payload #${sha256Hex('x')} ~* &* +@all`);
    expect(problems('user bob on nopass\nuser bob on >x\n')).toEqual([
      "sentinel.conf:2: Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files in 'user bob on >x'",
    ]);
  });

  it('+@all and -@all (allcommands, nocommands) replace the command rules before them, as Redis describes them', () => {
    const cfg = parseSentinelConfig('user u on nopass -ping +@all -acl\nuser v on nopass +ping nocommands +info\n', 's.conf');
    expect(describeUser('u', cfg.users.get('u')!)).toBe('user u on nopass resetchannels +@all -acl');
    expect(describeUser('v', cfg.users.get('v')!)).toBe('user v on nopass resetchannels -@all +info');
  });
});

describe('requirepass and a user default line', () => {
  it.each(['requirepass pw\nuser default on >x ~* &* +@all\n', 'user default on >x ~* &* +@all\nrequirepass pw\n'])(
    'the user line wins wherever it stands: %j',
    (text) => {
      const cfg = parseSentinelConfig(text, 's.conf');
      expect(checkPassword(cfg.users, 'default', 'x')).toBe(true);
      expect(checkPassword(cfg.users, 'default', 'pw')).toBe(false);
    },
  );
});

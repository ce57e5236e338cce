/**
 * Reads sentinel.conf into a SentinelConfig the way redis-sentinel 7.0 does: lines split like
 * sdssplitargs, `dir` in effect from its line on (see ./paths.ts), `sentinel ...` statements
 * queued and run after the whole file in three passes (global options, then `monitor`, then
 * per-master options) so that their order in the file does not matter, Redis's error texts.
 * Every problem in the file is reported at once, each naming file:line.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { UsageError, type Problem } from '../../common/errors.js';
import { splitArgs } from '../resp/splitargs.js';
import { applyAclRules, defaultUser, sha256Hex } from '../server/auth.js';
import type { AclUser } from '../server/types.js';
import { SENTINEL_DEFAULT_DOWN_AFTER, SENTINEL_DEFAULT_FAILOVER_TIMEOUT, SENTINEL_DEFAULT_PARALLEL_SYNCS } from '../state/timing.js';
import { strerror } from '../strerror.js';
import { includeFiles, resolveDir } from './paths.js';
import { REDIS_DIRECTIVES } from './redis-directives.js';
import type { ConfigLine, MasterConfig, SentinelConfig } from './types.js';

export const DEFAULT_SENTINEL_PORT = 26379;
export const DEFAULTS = {
  downAfterMs: SENTINEL_DEFAULT_DOWN_AFTER,
  failoverTimeoutMs: SENTINEL_DEFAULT_FAILOVER_TIMEOUT,
  parallelSyncs: SENTINEL_DEFAULT_PARALLEL_SYNCS,
  masterRebootDownAfterPeriodMs: 0,
} as const;

const LOGLEVELS = new Set(['debug', 'verbose', 'notice', 'warning', 'nothing']);
/** Sentinel statements that need no master, run before `monitor` (Redis's pre-monitor queue). */
const GLOBAL_SENTINEL = new Set([
  'myid',
  'current-epoch',
  'announce-ip',
  'announce-port',
  'deny-scripts-reconfig',
  'sentinel-user',
  'sentinel-pass',
  'resolve-hostnames',
  'announce-hostnames',
]);

/** Splits file text into lines as Redis's rewrite does (on \n; \r and edge blanks trimmed). */
export function splitLines(text: string): ConfigLine[] {
  return text.split('\n').map((raw, i) => {
    const text = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    const args = text === '' || text.startsWith('#') ? [] : (splitArgs(text)?.map((b) => b.toString('utf8')) ?? []);
    return { lineNo: i + 1, text, args };
  });
}

interface Queued {
  line: ConfigLine;
  file: string;
  args: string[];
}

/** What reading the file carries from line to line: the directory `dir` lines have moved to, the users declared. */
interface Reading {
  cwd: string;
  problems: Problem[];
  queue: Queued[];
  /** `user` lines: applied once the file is read, as Redis loads them after requirepass. */
  users: Queued[];
}

export function emptyConfig(file: string): SentinelConfig {
  return {
    file,
    lines: [],
    port: DEFAULT_SENTINEL_PORT,
    bind: [],
    logfile: '',
    daemonize: false,
    loglevel: 'notice',
    protectedMode: false,
    maxclients: 10000,
    tcpKeepalive: 300,
    protoMaxBulkLen: 512 * 1024 * 1024,
    timeout: 0,
    users: new Map(),
    renameCommands: [],
    currentEpoch: 0,
    globals: { announcePort: 0, resolveHostnames: false, announceHostnames: false, denyScriptsReconfig: true },
    masters: [],
    ignored: [],
  };
}

/**
 * Parses sentinel.conf text. `file` is used in messages; `cwd` is the directory the sentinel is
 * started from (relative `dir` and `include` paths start there). Throws UsageError listing every
 * problem (`<file>:<line>: <what> ...`).
 */
export function parseSentinelConfig(text: string, file: string, opts: { cwd?: string } = {}): SentinelConfig {
  const cfg = emptyConfig(file);
  cfg.lines = splitLines(text);
  const reading: Reading = { cwd: opts.cwd ?? process.cwd(), problems: [], queue: [], users: [] };
  readLines(cfg, cfg.lines, file, reading, 0);
  loadUsers(cfg, reading);
  runSentinelQueue(cfg, reading);
  if (reading.problems.length) throw new UsageError(reading.problems);
  return cfg;
}

/** Reads, parses and checks that the file can be rewritten, as redis-sentinel insists. */
export function loadSentinelConfig(file: string): SentinelConfig {
  const abs = path.resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new UsageError([
      {
        path: file,
        message: 'Sentinel needs a config file on disk to save its state; this one does not exist',
        fix: 'create the file (it may be empty apart from `sentinel monitor` lines) and pass its path',
      },
    ]);
  }
  try {
    accessSync(abs, constants.W_OK);
  } catch (err) {
    throw new UsageError(
      [
        {
          path: file,
          message: `Sentinel config file is not writable (${(err as NodeJS.ErrnoException).code})`,
          fix: 'make the file and its directory writable: the sentinel rewrites it on every state change',
        },
      ],
      { cause: err },
    );
  }
  return parseSentinelConfig(readFileSync(abs, 'utf8'), abs);
}

function readLines(cfg: SentinelConfig, lines: ConfigLine[], file: string, reading: Reading, depth: number): void {
  const { problems, queue } = reading;
  for (const line of lines) {
    if (line.text === '' || line.text.startsWith('#')) continue;
    const where = `${file}:${line.lineNo}`;
    const bad = (message: string, fix?: string) => problems.push({ path: where, message: `${message} in '${line.text}'`, ...(fix ? { fix } : {}) });
    const split = splitArgs(line.text);
    if (split === null) {
      bad('Unbalanced quotes', 'close the quote, or escape it with a backslash inside double quotes');
      continue;
    }
    const args = split.map((b) => b.toString('utf8'));
    if (args.length === 0) continue;
    const directive = args[0]!.toLowerCase();
    const rest = args.slice(1);
    const one = (): string | undefined => {
      if (rest.length !== 1) {
        bad(`'${directive}' takes exactly one argument`);
        return undefined;
      }
      return rest[0];
    };
    const yesno = (): boolean | undefined => {
      const v = one();
      if (v === undefined) return undefined;
      if (v.toLowerCase() !== 'yes' && v.toLowerCase() !== 'no') {
        bad(`'${directive}' must be yes or no`);
        return undefined;
      }
      return v.toLowerCase() === 'yes';
    };
    switch (directive) {
      case 'sentinel':
        // A bare `sentinel` line only says "run as a sentinel".
        if (rest.length > 0) queue.push({ line, file, args: rest });
        break;
      case 'port': {
        const v = one();
        if (v === undefined) break;
        const n = intOf(v);
        if (n === null || n < 0 || n > 65535) bad('port must be a number from 0 to 65535');
        else cfg.port = n;
        break;
      }
      case 'bind':
        if (rest.length === 0) bad("'bind' needs at least one address");
        else if (rest.length > 16) bad('Too many bind addresses specified.');
        else cfg.bind = rest;
        break;
      case 'dir': {
        const v = one();
        if (v === undefined) break;
        const to = resolveDir(reading.cwd, v);
        if ('error' in to) bad(to.error, 'create the directory or fix the path: a relative dir starts from the directory in effect at its line');
        else cfg.dir = reading.cwd = to.dir;
        break;
      }
      case 'logfile': {
        const v = one();
        if (v !== undefined) cfg.logfile = v;
        break;
      }
      case 'pidfile': {
        const v = one();
        if (v !== undefined) cfg.pidfile = v === '' ? undefined : v;
        break;
      }
      case 'unixsocket': {
        const v = one();
        if (v !== undefined) cfg.unixsocket = v === '' ? undefined : v;
        break;
      }
      case 'unixsocketperm': {
        const v = one();
        if (v === undefined) break;
        if (!/^[0-7]+$/.test(v) || parseInt(v, 8) > 0o777) bad('Invalid socket file permissions', 'give an octal mode such as 700');
        // 0, the default, leaves the mode as the socket was created.
        else cfg.unixsocketperm = parseInt(v, 8) || undefined;
        break;
      }
      case 'daemonize': {
        const v = yesno();
        if (v !== undefined) cfg.daemonize = v;
        break;
      }
      case 'protected-mode': {
        const v = yesno();
        if (v !== undefined) cfg.protectedMode = v;
        break;
      }
      case 'loglevel': {
        const v = one();
        if (v === undefined) break;
        if (!LOGLEVELS.has(v.toLowerCase())) bad('loglevel must be one of debug, verbose, notice, warning, nothing');
        else cfg.loglevel = v.toLowerCase();
        break;
      }
      case 'maxclients': {
        const v = one();
        if (v === undefined) break;
        const n = intOf(v);
        if (n === null || n < 1) bad('maxclients must be a positive number');
        else cfg.maxclients = n;
        break;
      }
      case 'timeout': {
        const v = one();
        if (v === undefined) break;
        const n = intOf(v);
        if (n === null || n < 0) bad('timeout must be a number of seconds, 0 to never close idle clients');
        else cfg.timeout = n;
        break;
      }
      case 'tcp-keepalive': {
        const v = one();
        if (v === undefined) break;
        const n = intOf(v);
        if (n === null || n < 0) bad('tcp-keepalive must be a number of seconds, 0 to turn it off');
        else cfg.tcpKeepalive = n;
        break;
      }
      case 'proto-max-bulk-len': {
        const v = one();
        if (v === undefined) break;
        const n = memoryOf(v);
        if (n === null || n < 1024 * 1024) bad('proto-max-bulk-len must be a size of at least 1mb (e.g. 512mb)');
        else cfg.protoMaxBulkLen = n;
        break;
      }
      case 'requirepass': {
        const v = one();
        if (v === undefined) break;
        cfg.requirepass = v === '' ? undefined : v;
        // Like Redis: requirepass resets the default user's passwords to this one ("" = none).
        const u = cfg.users.get('default') ?? defaultUser();
        u.passwordHashes = new Set(v === '' ? [] : [sha256Hex(v)]);
        u.nopass = v === '';
        cfg.users.set('default', u);
        break;
      }
      case 'user': {
        if (rest.length < 1) {
          bad("'user' needs a user name and rules");
          break;
        }
        const name = rest[0]!;
        if (reading.users.some((q) => q.args[0] === name)) {
          bad(`Error in user declaration '${name}': Duplicate user found. A user can only be defined once in config files`);
          break;
        }
        reading.users.push({ line, file, args: rest });
        break;
      }
      case 'aclfile': {
        const v = one();
        if (v !== undefined) cfg.aclfile = v === '' ? undefined : v;
        break;
      }
      case 'rename-command':
        if (rest.length !== 2) bad("'rename-command' takes a command name and its new name");
        else cfg.renameCommands.push([rest[0]!, rest[1]!]);
        break;
      case 'include': {
        const v = one();
        if (v === undefined) break;
        if (depth >= 10) {
          bad('includes nested more than 10 deep');
          break;
        }
        for (const inc of includeFiles(reading.cwd, v)) {
          let text: string;
          try {
            text = readFileSync(inc, 'utf8');
          } catch (err) {
            bad(`can't open config file '${inc}': ${strerror(err)}`, 'a relative include starts from the directory in effect at its line');
            break;
          }
          readLines(cfg, splitLines(text), inc, reading, depth + 1);
        }
        break;
      }
      case 'loadmodule':
        bad('modules cannot be loaded into the TypeScript sentinel', 'remove the line, or run redis-sentinel (sentinel.implementation: redis)');
        break;
      case 'tls-port':
      case 'tls-replication':
      case 'tls-cluster': {
        const v = rest[0] ?? '';
        if (v !== '0' && v.toLowerCase() !== 'no') {
          bad('TLS is not supported by the TypeScript sentinel', 'remove the TLS settings, or run redis-sentinel (sentinel.implementation: redis)');
        } else cfg.ignored.push({ lineNo: line.lineNo, directive });
        break;
      }
      default:
        if (REDIS_DIRECTIVES.has(directive)) cfg.ignored.push({ lineNo: line.lineNo, directive });
        else
          bad(
            `Bad directive or wrong number of arguments: unknown directive '${args[0]}'`,
            "remove the line or fix the spelling; see redis-sentinel 7.0's sentinel.conf for the directives",
          );
    }
  }
}

/**
 * The `user` lines, applied after the whole file as Redis does at startup: a `user default` line
 * therefore wins over `requirepass` wherever it stands. A new user starts off with no rights;
 * `default` is reset first (which is why Redis then shows it `sanitize-payload`).
 */
function loadUsers(cfg: SentinelConfig, { users, problems }: Reading): void {
  if (cfg.aclfile && users.length) {
    const { line, file } = users[0]!;
    problems.push({
      path: `${file}:${line.lineNo}`,
      message:
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
      fix: `move the user lines into ${cfg.aclfile}, or remove the aclfile line`,
    });
    return;
  }
  for (const { line, file, args } of users) {
    const [name, ...rules] = args as [string, ...string[]];
    const u: AclUser = { enabled: false, nopass: false, passwordHashes: new Set(), rules: [] };
    const err = applyAclRules(u, name === 'default' ? ['reset', ...rules] : rules);
    if (err) problems.push({ path: `${file}:${line.lineNo}`, message: `Error in user declaration: ${err} in '${line.text}'` });
    else cfg.users.set(name, u);
  }
}

/** The queued `sentinel` statements, run once the whole file is read: from the last `dir`. */
function runSentinelQueue(cfg: SentinelConfig, { queue, problems, cwd }: Reading): void {
  const globals = queue.filter((q) => GLOBAL_SENTINEL.has(q.args[0]!.toLowerCase()));
  const monitors = queue.filter((q) => q.args[0]!.toLowerCase() === 'monitor');
  const rest = queue.filter((q) => !GLOBAL_SENTINEL.has(q.args[0]!.toLowerCase()) && q.args[0]!.toLowerCase() !== 'monitor');
  for (const q of [...globals, ...monitors, ...rest]) {
    const err = sentinelStatement(cfg, q.args, cwd);
    if (err) {
      problems.push({ path: `${q.file}:${q.line.lineNo}`, message: `${err.message} in '${q.line.text}'`, ...(err.fix ? { fix: err.fix } : {}) });
    }
  }
}

interface StatementError {
  message: string;
  fix?: string;
}

function findMaster(cfg: SentinelConfig, name: string): MasterConfig | undefined {
  return cfg.masters.find((m) => m.name === name);
}

/** One `sentinel <args>` statement; Redis's texts where Redis has one. Paths are relative to `cwd`. */
function sentinelStatement(cfg: SentinelConfig, args: string[], cwd: string): StatementError | null {
  const op = args[0]!.toLowerCase();
  const argc = args.length;
  const g = cfg.globals;
  const master = (): MasterConfig | StatementError => {
    const m = findMaster(cfg, args[1]!);
    return m ?? { message: 'No such master with specified name.', fix: `add \`sentinel monitor ${args[1]} <ip> <port> <quorum>\`` };
  };
  const isErr = (x: unknown): x is StatementError => typeof x === 'object' && x !== null && 'message' in x;
  const yesno = (v: string, name: string): boolean | StatementError => {
    const l = v.toLowerCase();
    if (l === 'yes' || l === 'no') return l === 'yes';
    return { message: `Please specify yes or no for the ${name} option.` };
  };
  const ms = (v: string, allowZero: boolean): number | StatementError => {
    const n = intOf(v);
    if (n === null || n < 0 || (!allowZero && n === 0)) {
      return { message: allowZero ? 'negative time parameter.' : 'negative or zero time parameter.', fix: 'give a whole number of milliseconds' };
    }
    return n;
  };

  if (op === 'monitor' && argc === 5) {
    const [, name, host, portS, quorumS] = args as [string, string, string, string, string];
    const quorum = intOf(quorumS);
    if (quorum === null || quorum <= 0) return { message: 'Quorum must be 1 or greater.' };
    if (findMaster(cfg, name)) return { message: 'Duplicate master name.' };
    const addr = checkAddr(host, portS, g.resolveHostnames, 'instance');
    if (isErr(addr)) return addr;
    cfg.masters.push({
      name,
      host,
      port: addr,
      quorum,
      ...DEFAULTS,
      configEpoch: 0,
      leaderEpoch: 0,
      knownReplicas: [],
      knownSentinels: [],
      renamedCommands: [],
    });
    return null;
  }
  if ((op === 'down-after-milliseconds' || op === 'failover-timeout' || op === 'master-reboot-down-after-period') && argc === 3) {
    const m = master();
    if (isErr(m)) return m;
    const v = ms(args[2]!, op === 'master-reboot-down-after-period');
    if (isErr(v)) return v;
    if (op === 'down-after-milliseconds') m.downAfterMs = v;
    else if (op === 'failover-timeout') m.failoverTimeoutMs = v;
    else m.masterRebootDownAfterPeriodMs = v;
    return null;
  }
  if (op === 'parallel-syncs' && argc === 3) {
    const m = master();
    if (isErr(m)) return m;
    const n = intOf(args[2]!);
    if (n === null || n < 0) return { message: 'parallel-syncs must be a non-negative number' };
    m.parallelSyncs = n;
    return null;
  }
  if ((op === 'notification-script' || op === 'client-reconfig-script') && argc === 3) {
    const m = master();
    if (isErr(m)) return m;
    try {
      accessSync(path.resolve(cwd, args[2]!), constants.X_OK);
    } catch {
      return {
        message:
          op === 'notification-script'
            ? 'Notification script seems non existing or non executable.'
            : 'Client reconfiguration script seems non existing or non executable.',
        fix: `check that ${args[2]} exists and is executable (chmod +x)`,
      };
    }
    if (op === 'notification-script') m.notificationScript = args[2]!;
    else m.clientReconfigScript = args[2]!;
    return null;
  }
  if ((op === 'auth-pass' || op === 'auth-user') && argc === 3) {
    const m = master();
    if (isErr(m)) return m;
    if (op === 'auth-pass') m.authPass = args[2]!;
    else m.authUser = args[2]!;
    return null;
  }
  if (op === 'current-epoch' && argc === 2) {
    const n = epochOf(args[1]!);
    if (n === null) return { message: 'current-epoch must be a non-negative number' };
    cfg.currentEpoch = Math.max(cfg.currentEpoch, n);
    return null;
  }
  if (op === 'myid' && argc === 2) {
    if (args[1]!.length !== 40) return { message: 'Malformed Sentinel id in myid option.', fix: 'remove the line: the sentinel generates a new id' };
    cfg.myid = args[1]!;
    return null;
  }
  if ((op === 'config-epoch' || op === 'leader-epoch') && argc === 3) {
    const m = master();
    if (isErr(m)) return m;
    const n = epochOf(args[2]!);
    if (n === null) return { message: `${op} must be a non-negative number` };
    if (op === 'config-epoch') {
      m.configEpoch = n;
      cfg.currentEpoch = Math.max(cfg.currentEpoch, n);
    } else m.leaderEpoch = n;
    return null;
  }
  if ((op === 'known-slave' || op === 'known-replica') && argc === 4) {
    const m = master();
    if (isErr(m)) return m;
    const port = checkAddr(args[2]!, args[3]!, g.resolveHostnames, 'replica');
    if (isErr(port)) return { message: 'Wrong hostname or port for replica.', ...(port.fix ? { fix: port.fix } : {}) };
    if (!m.knownReplicas.some((r) => r.host === args[2] && r.port === port)) m.knownReplicas.push({ host: args[2]!, port });
    return null;
  }
  if (op === 'known-sentinel' && (argc === 4 || argc === 5)) {
    const m = master();
    if (isErr(m)) return m;
    const port = checkAddr(args[2]!, args[3]!, g.resolveHostnames, 'sentinel');
    if (isErr(port)) return { message: 'Wrong hostname or port for sentinel.', ...(port.fix ? { fix: port.fix } : {}) };
    m.knownSentinels = m.knownSentinels.filter((s) => !(s.host === args[2] && s.port === port));
    m.knownSentinels.push({ host: args[2]!, port, ...(argc === 5 ? { runId: args[4]! } : {}) });
    return null;
  }
  if (op === 'rename-command' && argc === 4) {
    const m = master();
    if (isErr(m)) return m;
    m.renamedCommands.push([args[2]!, args[3]!]);
    return null;
  }
  if (op === 'announce-ip' && argc === 2) {
    if (args[1] !== '') g.announceIp = args[1]!;
    return null;
  }
  if (op === 'announce-port' && argc === 2) {
    const n = intOf(args[1]!);
    if (n === null || n < 0 || n > 65535) return { message: 'announce-port must be a port number (0 = the listening port)' };
    g.announcePort = n;
    return null;
  }
  if (op === 'deny-scripts-reconfig' && argc === 2) {
    const v = yesno(args[1]!, 'deny-scripts-reconfig');
    if (isErr(v)) return { message: 'Please specify yes or no for the deny-scripts-reconfig options.' };
    g.denyScriptsReconfig = v;
    return null;
  }
  if ((op === 'sentinel-user' || op === 'sentinel-pass') && argc === 2) {
    if (op === 'sentinel-user') g.sentinelUser = args[1]! === '' ? undefined : args[1]!;
    else g.sentinelPass = args[1]! === '' ? undefined : args[1]!;
    return null;
  }
  if ((op === 'resolve-hostnames' || op === 'announce-hostnames') && argc === 2) {
    const v = yesno(args[1]!, op);
    if (isErr(v)) return v;
    if (op === 'resolve-hostnames') g.resolveHostnames = v;
    else g.announceHostnames = v;
    return null;
  }
  return {
    message: 'Unrecognized sentinel configuration statement.',
    fix: "check the statement name and its number of arguments against redis-sentinel 7.0's sentinel.conf",
  };
}

function checkAddr(host: string, portS: string, resolveHostnames: boolean, what: string): number | StatementError {
  const port = intOf(portS);
  if (port === null || port <= 0 || port > 65535) return { message: 'Invalid port number' };
  if (!resolveHostnames && net.isIP(host) === 0) {
    return {
      message: `Can't resolve ${what} hostname.`,
      fix: `use an IP address for ${host}, or add \`sentinel resolve-hostnames yes\``,
    };
  }
  return port;
}

function intOf(s: string): number | null {
  if (!/^-?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function epochOf(s: string): number | null {
  const n = intOf(s);
  return n === null || n < 0 ? null : n;
}

/** Redis memory sizes: 1024, 1k (1000), 1kb (1024), 1m, 1mb, 1g, 1gb. */
export function memoryOf(s: string): number | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const mult = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 }[unit]!;
  return Number(m[1]) * mult;
}

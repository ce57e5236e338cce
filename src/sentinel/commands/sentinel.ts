/**
 * SENTINEL and its subcommands, with redis-sentinel 7.0's arities, reply shapes and error texts.
 * The server's command table checks arity and unknown subcommands; handlers do the rest.
 */
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import type { SentinelCtx } from '../context.js';
import { selectSlave } from '../failover/select.js';
import { startFailover } from '../failover/machine.js';
import { voteRequested } from '../failover/election.js';
import { R, type Reply } from '../resp/types.js';
import type { CommandSpec, HandlerResult } from '../server/types.js';
import { announceHost } from '../state/addr.js';
import { SRI } from '../state/flags.js';
import { globMatch } from '../server/glob.js';
import type { Instance } from '../state/instance.js';
import {
  createErrorText,
  createInstance,
  currentMasterAddress,
  findByAddrAndRunId,
  isCreateError,
  propagateDownAfterPeriod,
  releaseInstance,
  resetMastersByPattern,
  RESET_GENERATE_EVENT,
} from '../state/registry.js';
import { SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION } from '../state/sentinel-state.js';
import { DEBUG_NAMES } from '../state/timing.js';
import { ADMIN, type CommandEnv } from './env.js';
import { instanceReply, instancesReply } from './instance-reply.js';
import { NOT_AN_INTEGER, parseLongLong, yesNo } from './parse.js';

const HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum',
  '    needed to failover a master and the majority needed to authorize the',
  '    failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  "    Check if the master specified by ip:port is down from current Sentinel's",
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  "    Remove master from Sentinel's monitor list.",
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
  'HELP',
  '    Prints this help.',
];

const NO_SUCH_MASTER = 'ERR No such master with that name';

function str(args: Buffer[]): string[] {
  return args.map((a) => a.toString('utf8'));
}

function flushConfigReply(ctx: SentinelCtx): Reply {
  return ctx.flushConfig() ? R.ok() : R.error('ERR Failed to save config file. Check server logs.');
}

function masterOr(env: CommandEnv, name: string): Instance | Reply {
  return env.ctx.state.masters.get(name) ?? R.error(NO_SUCH_MASTER);
}

function isInstance(x: Instance | Reply): x is Instance {
  return 'flags' in x;
}

const now = (env: CommandEnv) => env.ctx.now();
const annHost = (env: CommandEnv) => env.ctx.state.announceHostnames;

/** CKQUORUM's check: usable sentinels (not SDOWN/ODOWN, self included) vs quorum and majority. */
export function quorumReachable(master: Instance): { usable: number; noQuorum: boolean; noAuth: boolean } {
  let usable = 1;
  const voters = master.sentinels.size + 1;
  for (const ri of master.sentinels.values()) {
    if (ri.flags & (SRI.S_DOWN | SRI.O_DOWN)) continue;
    usable++;
  }
  return { usable, noQuorum: usable < master.quorum, noAuth: usable < Math.floor(voters / 2) + 1 };
}

function ckquorum(env: CommandEnv, a: string[]): Reply {
  const m = masterOr(env, a[2]!);
  if (!isInstance(m)) return m;
  const q = quorumReachable(m);
  if (!q.noQuorum && !q.noAuth) return R.simple(`OK ${q.usable} usable Sentinels. Quorum and failover authorization can be reached`);
  let e = `NOQUORUM ${q.usable} usable Sentinels. `;
  if (q.noQuorum) e += 'Not enough available Sentinels to reach the specified quorum for this master';
  if (q.noAuth) {
    if (q.noQuorum) e += '. ';
    e += 'Not enough available Sentinels to reach the majority and authorize a failover';
  }
  return R.error(e);
}

function isMasterDownByAddr(env: CommandEnv, a: string[]): Reply {
  const ctx = env.ctx;
  const st = ctx.state;
  const port = parseLongLong(a[3]!);
  if (port === null) return R.error(NOT_AN_INTEGER);
  const reqEpoch = parseLongLong(a[4]!);
  if (reqEpoch === null) return R.error(NOT_AN_INTEGER);
  const ri = findByAddrAndRunId(ctx, st.masters, a[2]!, port, null);
  // In TILT our view of time is not trusted: never say down.
  const isDown = !st.tilt && ri !== null && (ri.flags & SRI.S_DOWN) !== 0 && (ri.flags & SRI.MASTER) !== 0;
  let leader: string | null = null;
  let leaderEpoch = 0;
  const runid = a[5]!;
  if (ri && ri.flags & SRI.MASTER && runid !== '*') {
    const v = voteRequested(ctx, ri, reqEpoch, runid);
    leader = v.leader;
    leaderEpoch = v.leaderEpoch;
  }
  return R.array([R.int(isDown ? 1 : 0), R.bulk(leader ?? '*'), R.int(leaderEpoch)]);
}

function getMasterAddrByName(env: CommandEnv, a: string[]): Reply {
  const m = env.ctx.state.masters.get(a[2]!);
  if (!m) return R.nullArray();
  const addr = currentMasterAddress(m);
  return R.array([R.bulk(announceHost(addr, annHost(env))), R.bulk(String(addr.port))]);
}

function failover(env: CommandEnv, a: string[]): Reply {
  const ctx = env.ctx;
  const m = masterOr(env, a[2]!);
  if (!isInstance(m)) return m;
  if (m.flags & SRI.FAILOVER_IN_PROGRESS) return R.error('INPROG Failover already in progress');
  if (selectSlave(m, ctx.now(), ctx.timing) === null) return R.error('NOGOODSLAVE No suitable replica to promote');
  ctx.log('warning', `Executing user requested FAILOVER of '${m.name}'`);
  startFailover(ctx, m);
  m.flags |= SRI.FORCE_FAILOVER;
  ctx.kick();
  return R.ok();
}

function pendingScripts(env: CommandEnv): Reply {
  const t = now(env);
  return R.array(
    env.ctx.state.scriptsQueue.map((j) => {
      const fields: Array<[string, Reply]> = [
        ['argv', R.bulks(j.argv)],
        ['flags', R.bulk(j.running ? 'running' : 'scheduled')],
        ['pid', R.bulk(String(j.pid))],
      ];
      if (j.running) fields.push(['run-time', R.bulk(String(t - j.startTime))]);
      else fields.push(['run-delay', R.bulk(String(Math.max(0, j.startTime ? j.startTime - t : 0)))]);
      fields.push(['retry-num', R.bulk(String(j.retryNum))]);
      return R.map(fields);
    }),
  );
}

async function monitor(env: CommandEnv, a: string[]): Promise<Reply> {
  const ctx = env.ctx;
  const [, , name, host, portText, quorumText] = a as [string, string, string, string, string, string];
  const quorum = parseLongLong(quorumText);
  if (quorum === null) return R.error('ERR Invalid quorum');
  const port = parseLongLong(portText);
  if (port === null) return R.error('ERR Invalid port');
  if (quorum <= 0) return R.error('ERR Quorum must be 1 or greater.');
  if (!isIP(host)) {
    const ip = ctx.state.resolveHostnames ? await ctx.resolver.resolve(host) : null;
    if (!ip) return R.error('ERR Invalid IP address or hostname specified');
  }
  const ri = createInstance(ctx, name, SRI.MASTER, host, port, quorum, null);
  if (isCreateError(ri)) return R.error(`ERR ${createErrorText(SRI.MASTER, ri)}`);
  const reply = flushConfigReply(ctx);
  ctx.event('warning', '+monitor', ri, `%@ quorum ${ri.quorum}`);
  ctx.kick();
  return reply;
}

function remove(env: CommandEnv, a: string[]): Reply {
  const ctx = env.ctx;
  const m = masterOr(env, a[2]!);
  if (!isInstance(m)) return m;
  ctx.event('warning', '-monitor', m, '%@');
  ctx.state.masters.delete(m.name);
  releaseInstance(m);
  return flushConfigReply(ctx);
}

function scriptUsable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function set(env: CommandEnv, a: string[]): Reply {
  const ctx = env.ctx;
  const m = masterOr(env, a[2]!);
  if (!isInstance(m)) return m;
  let changes = 0;
  const fail = (reply: Reply): Reply => {
    if (changes) ctx.flushConfig();
    return reply;
  };
  for (let j = 3; j < a.length; j++) {
    const moreArgs = a.length - 1 - j;
    const option = a[j]!;
    const opt = option.toLowerCase();
    const oldJ = j;
    let redacted = false;
    const badFormat = (at: number) => fail(R.error(`ERR Invalid argument '${a[at]}' for SENTINEL SET '${option}'`));
    const positive = (min: number): number | null => {
      const v = parseLongLong(a[++j]!);
      return v === null || v < min ? null : v;
    };
    if (opt === 'down-after-milliseconds' && moreArgs > 0) {
      const v = positive(1);
      if (v === null) return badFormat(j);
      m.downAfterPeriod = v;
      propagateDownAfterPeriod(m);
    } else if (opt === 'failover-timeout' && moreArgs > 0) {
      const v = positive(1);
      if (v === null) return badFormat(j);
      m.failoverTimeout = v;
    } else if (opt === 'parallel-syncs' && moreArgs > 0) {
      const v = positive(1);
      if (v === null) return badFormat(j);
      m.parallelSyncs = v;
    } else if ((opt === 'notification-script' || opt === 'client-reconfig-script') && moreArgs > 0) {
      const value = a[++j]!;
      if (ctx.state.denyScriptsReconfig) {
        return fail(
          R.error(
            'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration',
          ),
        );
      }
      if (value.length && !scriptUsable(value)) {
        return fail(
          R.error(
            opt === 'notification-script'
              ? 'ERR Notification script seems non existing or non executable'
              : 'ERR Client reconfiguration script seems non existing or non executable',
          ),
        );
      }
      if (opt === 'notification-script') m.notificationScript = value.length ? value : null;
      else m.clientReconfigScript = value.length ? value : null;
    } else if (opt === 'auth-pass' && moreArgs > 0) {
      const value = a[++j]!;
      m.authPass = value.length ? value : null;
      dropInstanceConnections(m);
      redacted = true;
    } else if (opt === 'auth-user' && moreArgs > 0) {
      const value = a[++j]!;
      m.authUser = value.length ? value : null;
      dropInstanceConnections(m);
    } else if (opt === 'quorum' && moreArgs > 0) {
      const v = positive(1);
      if (v === null) return badFormat(j);
      m.quorum = v;
    } else if (opt === 'rename-command' && moreArgs > 1) {
      const oldName = a[++j]!;
      const newName = a[++j]!;
      if (oldName.length === 0 || newName.length === 0) return badFormat(newName.length ? j - 1 : j);
      m.renamedCommands.delete(oldName.toLowerCase());
      if (oldName.toLowerCase() !== newName.toLowerCase()) m.renamedCommands.set(oldName.toLowerCase(), newName);
    } else if (opt === 'master-reboot-down-after-period' && moreArgs > 0) {
      const v = positive(0);
      if (v === null) return badFormat(j);
      m.masterRebootDownAfterPeriod = v;
    } else {
      return fail(R.error(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`));
    }
    changes++;
    const numArgs = j - oldJ + 1;
    if (numArgs === 2) ctx.event('warning', '+set', m, `%@ ${a[oldJ]} ${redacted ? '******' : a[oldJ + 1]}`);
    else if (numArgs === 3) ctx.event('warning', '+set', m, `%@ ${a[oldJ]} ${a[oldJ + 1]} ${a[oldJ + 2]}`);
    else ctx.event('warning', '+set', m, `%@ ${a[oldJ]}`);
  }
  return flushConfigReply(ctx);
}

function dropInstanceConnections(m: Instance): void {
  m.link.dropConnections('credentials changed');
  for (const s of m.slaves.values()) s.link.dropConnections('credentials changed');
}

function configGet(env: CommandEnv, pattern: string): Reply {
  const st = env.ctx.state;
  const all: Array<[string, string]> = [
    ['resolve-hostnames', st.resolveHostnames ? 'yes' : 'no'],
    ['announce-hostnames', st.announceHostnames ? 'yes' : 'no'],
    ['announce-ip', st.announceIp ?? ''],
    ['announce-port', String(st.announcePort)],
    ['sentinel-user', st.sentinelAuthUser ?? ''],
    ['sentinel-pass', st.sentinelAuthPass ?? ''],
  ];
  return R.map(all.filter(([k]) => globMatch(pattern, k, true)).map(([k, v]) => [k, R.bulk(v)]));
}

function configSet(env: CommandEnv, option: string, value: string): Reply {
  const ctx = env.ctx;
  const st = ctx.state;
  const opt = option.toLowerCase();
  const badFormat = () => R.error(`ERR Invalid value '${value}' to SENTINEL CONFIG SET '${option}'`);
  let dropConns = false;
  if (opt === 'resolve-hostnames' || opt === 'announce-hostnames') {
    const v = yesNo(value);
    if (v === null) return badFormat();
    if (opt === 'resolve-hostnames') st.resolveHostnames = v;
    else st.announceHostnames = v;
  } else if (opt === 'announce-ip') {
    st.announceIp = value;
  } else if (opt === 'announce-port') {
    const v = parseLongLong(value);
    if (v === null || v < 0 || v > 65535) return badFormat();
    st.announcePort = v;
  } else if (opt === 'sentinel-user') {
    st.sentinelAuthUser = value.length ? value : null;
    dropConns = true;
  } else if (opt === 'sentinel-pass') {
    st.sentinelAuthPass = value.length ? value : null;
    dropConns = true;
  } else {
    return R.error(`ERR Invalid argument '${option}' to SENTINEL CONFIG SET`);
  }
  const reply = flushConfigReply(ctx);
  if (dropConns) {
    for (const m of st.masters.values()) for (const s of m.sentinels.values()) s.link.dropConnections('sentinel credentials changed');
  }
  return reply;
}

function config(env: CommandEnv, a: string[]): Reply {
  const sub = a[2]!.toLowerCase();
  if (sub === 'set' && a.length === 5) return configSet(env, a[3]!, a[4]!);
  if (sub === 'get' && a.length === 4) return configGet(env, a[3]!);
  return R.error('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.');
}

function infoCache(env: CommandEnv, a: string[]): Reply {
  const st = env.ctx.state;
  const t = now(env);
  let masters: Instance[] = [...st.masters.values()];
  if (a.length > 2) {
    const picked = new Map<string, Instance>();
    for (const name of a.slice(2)) {
      const m = st.masters.get(name);
      if (m) picked.set(m.name, m);
    }
    masters = [...picked.values()];
  }
  const out: Reply[] = [];
  for (const m of masters) {
    out.push(R.bulk(m.name));
    const entries: Reply[] = [R.array([R.int(m.infoRefresh ? t - m.infoRefresh : 0), m.info !== null ? R.bulk(m.info) : R.nullBulk()])];
    for (const s of m.slaves.values()) {
      // Redis tests the master's refresh time here, not the replica's; kept for identical output.
      entries.push(R.array([R.int(m.infoRefresh ? t - s.infoRefresh : 0), s.info !== null ? R.bulk(s.info) : R.nullBulk()]));
    }
    out.push(R.array(entries));
  }
  return R.array(out);
}

function simulateFailure(env: CommandEnv, a: string[]): Reply {
  const ctx = env.ctx;
  const st = ctx.state;
  st.simFailureFlags = 0;
  for (const arg of a.slice(2)) {
    const l = arg.toLowerCase();
    if (l === 'crash-after-election') {
      st.simFailureFlags |= SIMFAILURE_CRASH_AFTER_ELECTION;
      ctx.log('warning', 'Failure simulation: this Sentinel will crash after being successfully elected as failover leader');
    } else if (l === 'crash-after-promotion') {
      st.simFailureFlags |= SIMFAILURE_CRASH_AFTER_PROMOTION;
      ctx.log('warning', 'Failure simulation: this Sentinel will crash after promoting the selected replica to master');
    } else if (l === 'help') {
      return R.bulks(['crash-after-election', 'crash-after-promotion']);
    } else {
      return R.error('ERR Unknown failure simulation specified');
    }
  }
  return R.ok();
}

function debug(env: CommandEnv, a: string[]): Reply {
  const timing = env.ctx.timing;
  if (a.length === 2) return R.map(DEBUG_NAMES.map(([name, key]) => [name, R.bulk(String(timing[key]))]));
  for (let j = 2; j < a.length; j++) {
    const option = a[j]!;
    const moreArgs = a.length - 1 - j;
    const entry = DEBUG_NAMES.find(([name]) => name.toLowerCase() === option.toLowerCase());
    if (!entry || moreArgs <= 0) return R.error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${option}'`);
    const v = parseLongLong(a[++j]!);
    if (v === null || v <= 0) return R.error(`ERR Invalid argument '${a[j]}' for SENTINEL DEBUG '${option}'`);
    // Redis applies each valid pair as it goes, even when a later one is bad.
    timing[entry[1]] = v;
  }
  return R.ok();
}

type Handler = (env: CommandEnv, a: string[]) => HandlerResult | Promise<HandlerResult>;

function sub(name: string, arity: number, handler: Handler, env: () => CommandEnv, meta = ADMIN): CommandSpec {
  return { name, arity, ...meta, handler: (_c, args) => handler(env(), str(args)) };
}

export function sentinelCommand(env: () => CommandEnv): CommandSpec {
  const e = env;
  const masterArg =
    (f: (env: CommandEnv, m: Instance) => Reply): Handler =>
    (x, a) => {
      const m = masterOr(x, a[2]!);
      return isInstance(m) ? f(x, m) : m;
    };
  return {
    name: 'sentinel',
    arity: -2,
    ...ADMIN,
    docs: { summary: 'A container for Redis Sentinel commands', since: '2.8.4', group: 'sentinel' },
    subcommands: [
      sub('help', 2, () => R.array(HELP.map((l) => R.simple(l))), e, { flags: ['loading', 'stale'] as never, categories: ['@slow'] }),
      sub('masters', 2, (x) => instancesReply(x.ctx.state.masters.values(), now(x), annHost(x)), e),
      sub(
        'master',
        3,
        masterArg((x, m) => instanceReply(m, now(x), annHost(x))),
        e,
      ),
      sub(
        'replicas',
        3,
        masterArg((x, m) => instancesReply(m.slaves.values(), now(x), annHost(x))),
        e,
      ),
      sub(
        'slaves',
        3,
        masterArg((x, m) => instancesReply(m.slaves.values(), now(x), annHost(x))),
        e,
      ),
      sub(
        'sentinels',
        3,
        masterArg((x, m) => instancesReply(m.sentinels.values(), now(x), annHost(x))),
        e,
      ),
      sub('myid', 2, (x) => R.bulk(x.ctx.state.myid), e),
      sub('is-master-down-by-addr', 6, isMasterDownByAddr, e),
      sub('reset', 3, (x, a) => R.int(resetMastersByPattern(x.ctx, a[2]!, RESET_GENERATE_EVENT)), e),
      sub('get-master-addr-by-name', 3, getMasterAddrByName, e),
      sub('failover', 3, failover, e),
      sub('pending-scripts', 2, pendingScripts, e),
      sub('monitor', 6, monitor, e),
      sub('flushconfig', 2, (x) => flushConfigReply(x.ctx), e),
      sub('remove', 3, remove, e),
      sub('ckquorum', 3, ckquorum, e),
      sub('set', -5, set, e),
      sub('config', -3, config, e),
      sub('info-cache', -3, infoCache, e),
      sub('simulate-failure', -3, simulateFailure, e),
      sub('debug', -2, debug, e),
    ],
  };
}

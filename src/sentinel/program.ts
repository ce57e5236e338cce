/**
 * The sentinel program, started by main.ts (which has already caught SIGTERM/SIGINT).
 *
 * Order matters, as in Redis: read the config, chdir, listen (a busy port ends here, before the
 * config file is touched), then generate/persist the id and start monitoring. SIGTERM and SIGINT
 * shut down cleanly — the sentinel is PID 1 in its container, where Node gets no default handler;
 * one that arrived during startup does so as soon as the server is up.
 */
import { accessSync, appendFileSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScError } from '../common/errors.js';
import { parseSentinelConfig } from './config/parse.js';
import { rewriteSentinelConfig, writeFileAtomicSync } from './config/rewrite.js';
import type { SentinelConfig } from './config/types.js';
import { SentinelCore } from './core.js';
import { createDnsResolver } from './dns-resolver.js';
import { parseLogLevel } from './events/format.js';
import { createCommandLink, createPubSubLink } from './link/index.js';
import { aclFileStore } from './server/acl-file.js';
import { createServer } from './server/index.js';
import type { SignalLatch } from './signals.js';
import { loadState, StateLoadError } from './state/persist.js';

export const REDIS_COMPAT_VERSION = '7.0.15';

const USAGE = `Usage: sentinel <sentinel.conf> [--<directive> <value> ...]
       sentinel --version
Runs the sentinel-compose TypeScript Sentinel (a drop-in for redis-sentinel ${REDIS_COMPAT_VERSION}).
Options after the config file are read as extra config lines, e.g. --port 26380.`;

/** `--port 26380 --bind 127.0.0.1 ::1` -> ['port 26380', 'bind 127.0.0.1 ::1'] (values quoted). */
export function optionLines(args: string[]): string[] {
  const lines: string[] = [];
  let current: string[] | null = null;
  for (const a of args) {
    if (a.startsWith('--') && a.length > 2) {
      if (current) lines.push(current.join(' '));
      // `--sentinel` just means sentinel mode to redis-server; we always are.
      current = a === '--sentinel' ? null : [a.slice(2)];
    } else if (current) {
      current.push(JSON.stringify(a));
    }
  }
  if (current) lines.push(current.join(' '));
  return lines;
}

function stderr(msg: string): void {
  process.stderr.write(msg.endsWith('\n') ? msg : `${msg}\n`);
}

export async function runSentinelProgram(argv: string[], signals: SignalLatch): Promise<number> {
  const first = argv[0];
  if (first === '-v' || first === '--version') {
    process.stdout.write(`sentinel-compose sentinel v=${REDIS_COMPAT_VERSION} (TypeScript, Node ${process.version})\n`);
    return 0;
  }
  if (first === '-h' || first === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!first || first.startsWith('--')) {
    stderr('Sentinel needs config file on disk to save state. Exiting...');
    stderr(USAGE);
    return 1;
  }
  const file = path.resolve(first);
  try {
    accessSync(file, constants.W_OK);
  } catch (err) {
    stderr(`Sentinel config file ${file} is not writable: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Exiting...`);
    return 1;
  }

  let cfg: SentinelConfig;
  try {
    const extra = optionLines(argv.slice(1));
    const text = readFileSync(file, 'utf8');
    cfg = parseSentinelConfig(extra.length ? `${text.replace(/\n?$/, '\n')}${extra.join('\n')}\n` : text, file);
  } catch (err) {
    stderr(err instanceof Error ? err.message : String(err));
    return err instanceof ScError ? err.exitCode : 1;
  }
  // The parser followed the `dir` lines (each relative to the one before); go to the last one
  // before opening anything else, as Redis has by the time it has read the file.
  if (cfg.dir) {
    try {
      process.chdir(cfg.dir);
    } catch (err) {
      stderr(`Can't chdir to '${cfg.dir}': ${(err as Error).message}`);
      return 1;
    }
  }
  if (cfg.logfile) {
    try {
      appendFileSync(cfg.logfile, '');
    } catch (err) {
      stderr(`Can't open the log file: ${(err as Error).message}`);
      return 1;
    }
  }

  // The ACL file, from the directory the sentinel now runs in; Redis refuses to start on a bad one.
  const aclFile = cfg.aclfile ? aclFileStore(cfg.aclfile, writeFileAtomicSync) : undefined;
  let users = cfg.users;
  if (aclFile) {
    const loaded = aclFile.load();
    if ('error' in loaded) {
      stderr(`Aborting Redis startup because of ACL errors: ${loaded.error}`);
      return 1;
    }
    users = loaded.users;
  }

  const verbosity = cfg.loglevel === 'nothing' ? 'nothing' : (parseLogLevel(cfg.loglevel) ?? 'notice');
  const core = new SentinelCore({
    links: { command: createCommandLink, pubsub: createPubSubLink },
    // The rewriter reads the file again and keeps the user's lines; options given on the command
    // line are not written into it.
    persist: (state) => rewriteSentinelConfig(file, state),
    base: { dir: process.cwd(), users, usersInAclFile: aclFile !== undefined, port: cfg.port, protectedMode: cfg.protectedMode },
    resolver: createDnsResolver(),
    logfile: cfg.logfile,
    verbosity,
    proc: {
      version: REDIS_COMPAT_VERSION,
      configFile: file,
      executable: process.argv[1] ? path.resolve(process.argv[1]) : process.execPath,
      port: cfg.port,
    },
  });
  try {
    loadState(core, cfg);
  } catch (err) {
    if (err instanceof StateLoadError) {
      stderr(`*** FATAL CONFIG FILE ERROR ***\n${file}: ${err.message}`);
      return 2;
    }
    throw err;
  }

  core.log('warning', `sentinel-compose Sentinel is starting (TypeScript, compatible with Redis ${REDIS_COMPAT_VERSION}), pid=${process.pid}`);
  core.log('warning', 'Configuration loaded');

  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const server = createServer({
    bind: cfg.bind,
    port: cfg.port,
    version: REDIS_COMPAT_VERSION,
    users,
    aclFile,
    protoMaxBulkLen: cfg.protoMaxBulkLen,
    maxClients: cfg.maxclients,
    tcpKeepAlive: cfg.tcpKeepalive,
    idleTimeout: cfg.timeout,
    // `protected-mode yes` in the file must refuse non-loopback clients as redis-sentinel does.
    protectedMode: cfg.protectedMode,
    unixSocket: cfg.unixsocket ? { path: cfg.unixsocket, perm: cfg.unixsocketperm } : undefined,
    onShutdown: () => shutdown('SHUTDOWN'),
  });
  core.attach(server);
  // Global rename-command lines apply to our own command table, after our commands exist.
  for (const [name, newName] of cfg.renameCommands) {
    const err = server.renameCommand(name, newName);
    if (err) {
      stderr(`*** FATAL CONFIG FILE ERROR ***\n${file}: rename-command ${name} ${JSON.stringify(newName)}: ${err}`);
      return 2;
    }
  }
  try {
    await server.listen();
  } catch (err) {
    const e = err as Error & { address?: string; port?: number; code?: string };
    core.log('warning', e.message);
    const where = e.port === 0 ? `the unix socket ${e.address}` : `${e.address ?? '*'}:${e.port ?? cfg.port}`;
    const hint = e.code === 'EADDRINUSE' ? ' Is another sentinel already running on this port?' : '';
    stderr(`sentinel: cannot listen on ${where}: ${e.message}.${hint} Exiting...`);
    await server.close().catch(() => {});
    return 1;
  }
  core.log('notice', `Running mode=sentinel, port=${cfg.port}.`);

  if (cfg.pidfile) {
    try {
      writeFileSync(cfg.pidfile, `${process.pid}\n`);
    } catch (err) {
      core.log('warning', `Failed to write PID file: ${(err as Error).message}`);
    }
  }

  async function shutdown(why: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    core.log('warning', why === 'SHUTDOWN' ? 'User requested shutdown...' : `Received ${why} scheduling shutdown...`);
    core.stop();
    if (cfg.unixsocket) core.log('notice', 'Removing the unix socket file.');
    await server.close().catch(() => {});
    if (cfg.pidfile) {
      core.log('notice', 'Removing the pid file.');
      rmSync(cfg.pidfile, { force: true });
    }
    core.log('warning', 'Sentinel is now ready to exit, bye bye...');
    finish(0);
  }
  // A signal that came during startup (main.ts caught it) is acted on here, before monitoring
  // starts. Node hands signals to JavaScript in the poll phase of its loop, and `listen` resolved
  // without one: two check phases are sure to have a poll phase between them.
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  signals.onSignal((signal) => void shutdown(signal));
  if (!stopping) core.start();
  return done;
}

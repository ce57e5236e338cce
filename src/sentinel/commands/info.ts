/**
 * INFO, ROLE and the sentinel's PUBLISH, as redis-sentinel 7.0 answers them. INFO knows the
 * sections a sentinel has (server, clients, stats, cpu, sentinel); `all`, `everything` and
 * `default` mean all of them, unknown names are ignored, sections always come in Redis's order.
 */
import os from 'node:os';
import { processHello } from '../monitor/hello.js';
import { R, type Reply } from '../resp/types.js';
import type { CommandSpec } from '../server/types.js';
import { SRI } from '../state/flags.js';
import { announceHost } from '../state/addr.js';
import { HELLO_CHANNEL } from '../state/timing.js';
import type { CommandEnv } from './env.js';

const SECTIONS = ['server', 'clients', 'stats', 'cpu', 'sentinel'] as const;
type Section = (typeof SECTIONS)[number];

export function selectSections(args: string[]): Set<Section> {
  if (args.length === 0) return new Set(SECTIONS);
  const out = new Set<Section>();
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === 'all' || l === 'everything' || l === 'default') return new Set(SECTIONS);
    if ((SECTIONS as readonly string[]).includes(l)) out.add(l as Section);
  }
  return out;
}

const lines = (title: string, kv: Array<[string, string | number]>) => `# ${title}\r\n${kv.map(([k, v]) => `${k}:${v}\r\n`).join('')}`;

function cpuSeconds(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(Math.floor(micros % 1e6)).padStart(6, '0')}`;
}

function serverSection(env: CommandEnv): string {
  const now = env.ctx.now();
  const up = Math.floor((now - env.proc.startTime) / 1000);
  return lines('Server', [
    ['redis_version', env.proc.version],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'sentinel'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', 'epoll'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', env.proc.runId],
    ['tcp_port', env.proc.port],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', up],
    ['uptime_in_days', Math.floor(up / 86400)],
    ['hz', 10],
    ['configured_hz', 10],
    ['lru_clock', Math.floor(now / 1000) & ((1 << 24) - 1)],
    ['executable', env.proc.executable],
    ['config_file', env.proc.configFile],
    ['io_threads_active', 0],
  ]);
}

function clientsSection(env: CommandEnv): string {
  const s = env.server.stats();
  return lines('Clients', [
    ['connected_clients', s.connectedClients],
    ['cluster_connections', 0],
    ['maxclients', 10000],
    ['client_recent_max_input_buffer', 0],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', 0],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', 0],
  ]);
}

function statsSection(env: CommandEnv): string {
  const s = env.server.stats();
  const zero = (names: string[]) => names.map((n): [string, number] => [n, 0]);
  return lines('Stats', [
    ['total_connections_received', s.totalConnections],
    ['total_commands_processed', s.totalCommands],
    ['instantaneous_ops_per_sec', 0],
    ...zero(['total_net_input_bytes', 'total_net_output_bytes', 'total_net_repl_input_bytes', 'total_net_repl_output_bytes']),
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ...zero(['sync_full', 'sync_partial_ok', 'sync_partial_err', 'expired_keys']),
    ['expired_stale_perc', '0.00'],
    ...zero([
      'expired_time_cap_reached_count',
      'expire_cycle_cpu_milliseconds',
      'evicted_keys',
      'evicted_clients',
      'total_eviction_exceeded_time',
      'current_eviction_exceeded_time',
      'keyspace_hits',
      'keyspace_misses',
    ]),
    ['pubsub_channels', s.pubsubChannels],
    ['pubsub_patterns', s.pubsubPatterns],
    ...zero([
      'pubsubshard_channels',
      'latest_fork_usec',
      'total_forks',
      'migrate_cached_sockets',
      'slave_expires_tracked_keys',
      'active_defrag_hits',
      'active_defrag_misses',
      'active_defrag_key_hits',
      'active_defrag_key_misses',
      'total_active_defrag_time',
      'current_active_defrag_time',
      'tracking_total_keys',
      'tracking_total_items',
      'tracking_total_prefixes',
      'unexpected_error_replies',
      'total_error_replies',
      'dump_payload_sanitizations',
    ]),
    ['total_reads_processed', s.totalCommands],
    ['total_writes_processed', s.totalCommands],
    ...zero(['io_threaded_reads_processed', 'io_threaded_writes_processed', 'reply_buffer_shrinks', 'reply_buffer_expands']),
  ]);
}

function cpuSection(): string {
  const u = process.cpuUsage();
  return lines('CPU', [
    ['used_cpu_sys', cpuSeconds(u.system)],
    ['used_cpu_user', cpuSeconds(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', cpuSeconds(u.system)],
    ['used_cpu_user_main_thread', cpuSeconds(u.user)],
  ]);
}

export function sentinelSection(env: CommandEnv): string {
  const st = env.ctx.state;
  const kv: Array<[string, string | number]> = [
    ['sentinel_masters', st.masters.size],
    ['sentinel_tilt', st.tilt ? 1 : 0],
    ['sentinel_tilt_since_seconds', st.tilt ? Math.floor((env.ctx.now() - st.tiltStartTime) / 1000) : -1],
    ['sentinel_running_scripts', st.runningScripts],
    ['sentinel_scripts_queue_length', st.scriptsQueue.length],
    ['sentinel_simulate_failure_flags', st.simFailureFlags],
  ];
  let i = 0;
  for (const m of st.masters.values()) {
    const status = m.flags & SRI.O_DOWN ? 'odown' : m.flags & SRI.S_DOWN ? 'sdown' : 'ok';
    kv.push([
      `master${i++}`,
      `name=${m.name},status=${status},address=${announceHost(m.addr, st.announceHostnames)}:${m.addr.port},slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}`,
    ]);
  }
  return lines('Sentinel', kv);
}

export function infoText(env: CommandEnv, args: string[]): string {
  const want = selectSections(args);
  const parts: string[] = [];
  if (want.has('server')) parts.push(serverSection(env));
  if (want.has('clients')) parts.push(clientsSection(env));
  if (want.has('stats')) parts.push(statsSection(env));
  if (want.has('cpu')) parts.push(cpuSection());
  if (want.has('sentinel')) parts.push(sentinelSection(env));
  return parts.join('\r\n');
}

export function infoCommand(env: () => CommandEnv): CommandSpec {
  return {
    name: 'info',
    arity: -1,
    flags: ['loading', 'stale'],
    categories: ['@slow', '@dangerous'],
    tips: ['nondeterministic_output'],
    docs: { summary: 'Get information and statistics about the server', since: '1.0.0', group: 'server' },
    handler: (_c, args) =>
      R.bulk(
        infoText(
          env(),
          args.slice(1).map((a) => a.toString('utf8')),
        ),
      ),
  };
}

export function roleCommand(env: () => CommandEnv): CommandSpec {
  return {
    name: 'role',
    arity: 1,
    flags: ['noscript', 'loading', 'stale', 'fast'],
    categories: ['@admin', '@fast', '@dangerous'],
    docs: { summary: 'Return the role of the instance in the context of replication', since: '2.8.12', group: 'server' },
    handler: (): Reply => R.array([R.bulk('sentinel'), R.bulks([...env().ctx.state.masters.keys()])]),
  };
}

export function publishCommand(env: () => CommandEnv): CommandSpec {
  return {
    name: 'publish',
    arity: 3,
    flags: ['pubsub', 'loading', 'stale', 'fast'],
    categories: ['@pubsub', '@fast'],
    docs: { summary: 'Post a message to a channel', since: '2.0.0', group: 'pubsub' },
    handler: (_c, args): Reply => {
      // Sentinels only accept PUBLISH for hello messages sent directly to them by peers.
      if (args[1]!.toString('utf8') !== HELLO_CHANNEL) return R.error('ERR Only HELLO messages are accepted by Sentinel instances.');
      processHello(env().ctx, args[2]!.toString('utf8'));
      return R.int(1);
    },
  };
}

/**
 * Telling the user how to connect once `up` has a healthy topology; never prints a secret.
 */
import type { Topology } from '../topology/types.js';
import type { Endpoint } from './types.js';

/** Lines telling a user on this machine how to reach the topology; never prints a secret. */
export function connectionHelp(t: Topology, target: { endpoint(service: string): Endpoint }): string[] {
  const sentinels = t.sentinels.map((s) => target.endpoint(s.service));
  const first = sentinels[0];
  const lines: string[] = [];
  lines.push(`Sentinels: ${sentinels.map((e) => `${e.host}:${e.port}`).join(', ')}`);
  lines.push(`Masters:   ${t.masters.map((m) => m.name).join(', ')}`);
  if (!first) return lines;
  const name = t.masters[0]!.name;
  const secretNote = t.auth.redisPassword || t.auth.sentinelPassword ? ' (passwords are in .env of the output directory)' : '';
  const sentinelAuth = t.auth.sentinelPassword ? ` --pass "$${t.auth.sentinelPasswordVar}" --no-auth-warning` : '';
  lines.push('');
  lines.push(`Ask a sentinel for the master${secretNote}:`);
  lines.push(`  redis-cli -h ${first.host} -p ${first.port}${sentinelAuth} SENTINEL GET-MASTER-ADDR-BY-NAME ${name}`);
  const opts: string[] = [`sentinels: [${sentinels.map((e) => `{ host: '${e.host}', port: ${e.port} }`).join(', ')}]`, `name: '${name}'`];
  if (t.auth.redisPassword) opts.push(`password: process.env.${t.auth.redisPasswordVar}`);
  if (t.auth.sentinelPassword) opts.push(`sentinelPassword: process.env.${t.auth.sentinelPasswordVar}`);
  lines.push('ioredis:');
  lines.push(`  new Redis({ ${opts.join(', ')} })`);
  return lines;
}

/**
 * The secrets of a rendered folder, read back from its .env, for commands that connect to the
 * topology (status, drill) and for the local runtime's config files. Variable names come from
 * topology.json when present.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS } from '../topology/defaults.js';
import { parseDotEnv } from '../topology/env.js';
import type { Topology } from '../topology/types.js';
import type { NodeSecrets } from './node-config.js';

export function readSecrets(outDir: string): NodeSecrets {
  const envFile = path.join(outDir, '.env');
  if (!existsSync(envFile)) return {};
  const env = parseDotEnv(readFileSync(envFile, 'utf8'));
  let redisVar: string = DEFAULTS.redisPasswordVar;
  let sentinelVar: string = DEFAULTS.sentinelPasswordVar;
  let dataUserVar: string = DEFAULTS.dataUserPasswordVar;
  let sentinelUserVar: string = DEFAULTS.sentinelUserPasswordVar;
  const topoFile = path.join(outDir, 'topology.json');
  if (existsSync(topoFile)) {
    try {
      const t = JSON.parse(readFileSync(topoFile, 'utf8')) as Partial<Topology>;
      redisVar = t.auth?.redisPasswordVar ?? redisVar;
      sentinelVar = t.auth?.sentinelPasswordVar ?? sentinelVar;
      dataUserVar = t.auth?.dataUser?.passwordVar ?? dataUserVar;
      sentinelUserVar = t.auth?.sentinelUser?.passwordVar ?? sentinelUserVar;
    } catch {
      /* a broken topology.json is reported by whoever reads it for the topology */
    }
  }
  const out: NodeSecrets = {};
  if (env[redisVar]) out.redisPassword = env[redisVar];
  if (env[sentinelVar]) out.sentinelPassword = env[sentinelVar];
  if (env[dataUserVar]) out.dataUserPassword = env[dataUserVar];
  if (env[sentinelUserVar]) out.sentinelUserPassword = env[sentinelUserVar];
  return out;
}

/**
 * Everything render writes, as a list of files in memory: compose.yaml, .env, topology.json,
 * README.md, config/<service>/, sentinel-image/ and the manifest. Same topology and secrets,
 * same bytes: nothing here reads the clock, the environment or the machine.
 */
import { readFileSync } from 'node:fs';
import { MissingDependencyError } from '../common/errors.js';
import { DEFAULTS } from '../topology/defaults.js';
import type { Topology } from '../topology/types.js';
import { renderCompose, SCRIPTS_DIR, SENTINEL_IMAGE_DIR, summarise } from './compose.js';
import { renderNodeConfig, type NodeSecrets } from './node-config.js';
import { renderReadme } from './readme.js';
import { renderSwarmFiles } from './swarm.js';
import { readTemplate, renderTemplate } from './templates.js';
import { SENTINEL_NODE_OPTIONS } from '../common/sentinel-node-options.js';

export const MANIFEST_FILE = '.sentinel-compose.json';

export interface RenderedFile {
  /** Relative to the output directory, with `/`. */
  path: string;
  content: string | Buffer;
  mode: number;
}

/**
 * Where the bundled sentinel's code comes from: the built bundle, or a placeholder for
 * committed fixtures (generated/), which would otherwise change with every Sentinel commit.
 */
export type SentinelBundle = { file: string } | { placeholder: true };

export interface RenderOptions {
  /** Shown in headers ("rendered from ..."): the spec's file name, not its full path. */
  specName: string;
  sentinelBundle: SentinelBundle;
}

export const BUNDLE_PLACEHOLDER = `// Placeholder written by \`sentinel-compose render --sentinel-bundle placeholder\` (committed
// examples). A real render copies the bundled TypeScript Sentinel (dist/sentinel.bundle.mjs) here.
console.error('sentinel-compose: this image holds a placeholder, not the sentinel; render without --sentinel-bundle placeholder');
process.exit(2);
`;

export function renderFiles(topology: Topology, secrets: NodeSecrets, opts: RenderOptions): RenderedFile[] {
  const files: RenderedFile[] = [];
  const add = (path: string, content: string | Buffer, mode = 0o644) => files.push({ path, content, mode });

  add('compose.yaml', renderCompose(topology, { specName: opts.specName }));
  add(
    '.env',
    renderTemplate('env.hbs', {
      specName: opts.specName,
      project: topology.project,
      announceVar: topology.network === 'bridge' ? DEFAULTS.announceVar : null,
      announce: topology.sentinels[0]?.announce?.ip ?? topology.masters[0]?.nodes[0]?.announce?.ip ?? '',
      redisPassword: topology.auth.redisPassword ? need(secrets.redisPassword, topology.auth.redisPasswordVar) : null,
      sentinelPassword: topology.auth.sentinelPassword ? need(secrets.sentinelPassword, topology.auth.sentinelPasswordVar) : null,
      redisPasswordVar: topology.auth.redisPasswordVar,
      sentinelPasswordVar: topology.auth.sentinelPasswordVar,
      dataUserPassword: topology.auth.dataUser ? need(secrets.dataUserPassword, topology.auth.dataUser.passwordVar) : null,
      dataUserPasswordVar: topology.auth.dataUser?.passwordVar ?? null,
      sentinelUserPassword: topology.auth.sentinelUser ? need(secrets.sentinelUserPassword, topology.auth.sentinelUser.passwordVar) : null,
      sentinelUserPasswordVar: topology.auth.sentinelUser?.passwordVar ?? null,
    }),
    0o600,
  );
  add('topology.json', `${JSON.stringify(topology, null, 2)}\n`);
  add('README.md', renderReadme(topology, { specName: opts.specName, summary: summarise(topology) }));

  // One start-up script for every service, in its own read-only mount.
  add(`${SCRIPTS_DIR}/start.sh`, readTemplate('start.sh'), 0o755);
  for (const node of [...topology.masters.flatMap((m) => m.nodes), ...topology.sentinels]) {
    const conf = renderNodeConfig(topology, node.service, 'compose', {});
    add(`config/${node.service}/${conf.fileName}`, conf.content);
  }

  if (topology.sentinel.implementation === 'bundled') {
    add(
      `${SENTINEL_IMAGE_DIR}/Dockerfile`,
      renderTemplate('sentinel-image/Dockerfile.hbs', { nodeImage: topology.images.node, nodeOptions: SENTINEL_NODE_OPTIONS }),
    );
    add(`${SENTINEL_IMAGE_DIR}/healthcheck.sh`, readTemplate('sentinel-image/healthcheck.sh'));
    add(`${SENTINEL_IMAGE_DIR}/healthcheck.mjs`, readTemplate('sentinel-image/healthcheck.mjs'));
    add(`${SENTINEL_IMAGE_DIR}/sentinel.mjs`, readBundle(opts.sentinelBundle));
  }

  // A spec with a swarm section also renders the stack file and what it refers to (./swarm.ts).
  for (const f of renderSwarmFiles(topology, secrets, { specName: opts.specName })) add(f.path, f.content, f.mode);

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  add(MANIFEST_FILE, `${JSON.stringify({ generator: 'sentinel-compose', files: files.map((f) => f.path) }, null, 2)}\n`);
  return files;
}

function need(value: string | undefined, varName: string): string {
  if (value === undefined) throw new Error(`render: the topology uses ${varName} but no value was given`);
  return value;
}

function readBundle(b: SentinelBundle): string | Buffer {
  if ('placeholder' in b) return BUNDLE_PLACEHOLDER;
  try {
    return readFileSync(b.file);
  } catch (err) {
    throw new MissingDependencyError(
      `The bundled sentinel (${b.file})`,
      'Run `npm run build` in the sentinel-compose checkout (it writes dist/sentinel.bundle.mjs), or set `sentinels.implementation: redis` in the spec.',
      { cause: err },
    );
  }
}

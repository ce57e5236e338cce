/** Options shared by several commands, so that they read the same everywhere. */
import path from 'node:path';
import type { Options } from 'yargs';
import type { Problem } from '../common/errors.js';
import type { SpecSource } from '../runtime/bring-up/output.js';
import { DEFAULT_SPEC_FILE } from '../topology/defaults.js';
import type { LoadedSpec } from '../topology/load.js';
import type { CommandContext } from './registry.js';

export const specOption = {
  spec: {
    alias: 'f',
    type: 'string',
    default: DEFAULT_SPEC_FILE,
    describe: 'The topology spec (YAML)',
    requiresArg: true,
  },
} as const satisfies Record<string, Options>;

export const outOption = {
  out: {
    alias: 'o',
    type: 'string',
    default: 'out',
    describe: 'The rendered folder (compose.yaml, configs, .env, topology.json)',
    requiresArg: true,
  },
} as const satisfies Record<string, Options>;

/** Loads and validates the spec; prints warnings (humans) and returns them (for --json). */
export async function loadSpec(file: string, ctx: CommandContext): Promise<LoadedSpec> {
  const { loadSpecFile } = await import('../topology/load.js');
  const loaded = loadSpecFile(path.resolve(ctx.cwd, file));
  for (const w of loaded.warnings) ctx.out.warn(formatWarning(w));
  return loaded;
}

/**
 * Like loadSpec, for the commands that start things (`up`, `drill --up`): when the spec is the
 * default file and it does not exist, the built-in default topology (the seed's) is used, so a
 * first run needs no `init`.
 */
export async function loadSpecOrDefault(file: string, ctx: CommandContext): Promise<LoadedSpec> {
  const { existsSync } = await import('node:fs');
  const { parseSpec } = await import('../topology/load.js');
  const { DEFAULTS, majorityOf } = await import('../topology/defaults.js');
  const { sentinels } = DEFAULTS;
  if (file !== DEFAULT_SPEC_FILE || existsSync(path.resolve(ctx.cwd, file))) return loadSpec(file, ctx);
  ctx.out.info(
    `no ${DEFAULT_SPEC_FILE} here: using the built-in default (1 master "${DEFAULTS.masterName}", ${DEFAULTS.replicas} replicas, ` +
      `${sentinels.count} ${sentinels.implementation} sentinels, quorum ${majorityOf(sentinels.count)}, ${DEFAULTS.network} networking). ` +
      '`sentinel-compose init` writes it to a file you can edit.',
  );
  const loaded = { ...parseSpec('', { file: path.resolve(ctx.cwd, DEFAULT_SPEC_FILE) }), builtIn: true };
  for (const w of loaded.warnings) ctx.out.warn(formatWarning(w));
  return loaded;
}

/** `--spec` as the bring-up reads it (runtime/bring-up): the built-in default when the default file is absent. */
export async function specSource(specArg: string, ctx: CommandContext): Promise<SpecSource> {
  const { existsSync } = await import('node:fs');
  return { label: specArg, exists: existsSync(path.resolve(ctx.cwd, specArg)), load: () => loadSpecOrDefault(specArg, ctx) };
}

export function formatWarning(w: Problem): string {
  const where = w.path ? `${w.path}${w.line ? ` (line ${w.line})` : ''}: ` : '';
  return `${where}${w.message}${w.fix ? `\n  fix: ${w.fix}` : ''}`;
}

/** Options and steps shared by up, down, status and logs. */
import path from 'node:path';
import type { Options } from 'yargs';
import type { RenderedDir } from '../../runtime/open.js';
import type { CommandContext } from '../registry.js';

export const runtimeOption = {
  runtime: {
    alias: 'r',
    choices: ['auto', 'docker', 'local', 'swarm'] as const,
    describe:
      "Where the topology runs: Docker Compose, local processes, Docker Swarm (the spec's swarm section, deployed as a stack), or auto (Docker Compose when an engine answers and can run it, else local)",
    requiresArg: true,
  },
} as const satisfies Record<string, Options>;

export function outDirOf(args: { out: string }, ctx: CommandContext): string {
  return path.resolve(ctx.cwd, args.out);
}

export async function openRendered(args: { out: string }, ctx: CommandContext): Promise<RenderedDir> {
  const { loadRendered } = await import('../../runtime/open.js');
  return loadRendered(outDirOf(args, ctx));
}

/** Lines of text padded into columns; widths ignore ANSI colour codes. */
export function table(rows: string[][], gap = 2): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes (ESC [ ... m) are what it measures around
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell) + gap)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

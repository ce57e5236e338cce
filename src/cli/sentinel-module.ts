/**
 * Loads the sentinel program (src/sentinel/main.ts) on demand. This file sits one folder below
 * the source/dist root, like the CLI bundle's files, so the same relative path works for
 * dist/cli/, dist/bundle/ and src/cli/ (where a TypeScript-aware runner loads the .ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function importSentinelModule(): Promise<{ runSentinel?: (argv: string[]) => unknown }> {
  const js = new URL('../sentinel/main.js', import.meta.url);
  const ts = new URL('../sentinel/main.ts', import.meta.url);
  const url = !existsSync(fileURLToPath(js)) && existsSync(fileURLToPath(ts)) ? ts : js;
  return (await import(url.href)) as { runSentinel?: (argv: string[]) => unknown };
}

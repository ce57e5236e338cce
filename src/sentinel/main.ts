/**
 * The bundled sentinel's entry point: `node dist/sentinel/main.js sentinel.conf [--option value ...]`
 * (and `node sentinel.mjs <conf>` in the image), like `redis-sentinel sentinel.conf --port 26380`.
 *
 * It catches SIGTERM and SIGINT before loading the program (program.ts and everything it
 * imports), so that a signal at any moment of startup ends in a clean shutdown: see signals.ts.
 * Keep this file to Node built-ins and signals.ts.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SignalLatch } from './signals.js';

export async function runSentinel(argv: string[]): Promise<number> {
  const signals = new SignalLatch();
  try {
    const { runSentinelProgram } = await import('./program.js');
    return await runSentinelProgram(argv, signals);
  } finally {
    signals.dispose();
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  runSentinel(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`sentinel: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(70);
    },
  );
}

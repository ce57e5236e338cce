/** The CLI in-process, as a user's shell would run it, with what it prints captured (test/helpers/cli.ts runs it as a real process). */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], cwd: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main([...argv, '--no-color'], { cwd }), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

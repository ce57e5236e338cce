/**
 * Under Docker, stopping takes `compose down`, which cannot run inside an 'exit' handler: a
 * detached `sentinel-compose down` is started instead, and outlives the exiting process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** bin/ sits two folders above both dist/api/ and src/api/. */
const BIN = fileURLToPath(new URL('../../bin/sentinel-compose.js', import.meta.url));

export function spawnDownDetached(outDir: string, tempDir: string | undefined): void {
  try {
    const child = spawn(
      'sh',
      [
        '-c',
        '"$0" "$1" down --out "$2" --volumes --no-color >/dev/null 2>&1; if [ -n "$3" ]; then rm -rf "$2"; fi',
        process.execPath,
        BIN,
        outDir,
        tempDir ? '1' : '',
      ],
      { detached: true, stdio: 'ignore' },
    );
    child.unref();
  } catch {
    /* best effort: the process is exiting */
  }
}

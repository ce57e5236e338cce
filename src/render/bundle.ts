import { fileURLToPath } from 'node:url';

/** dist/sentinel.bundle.mjs of this package (written by `npm run build`). */
export function defaultSentinelBundle(): string {
  return fileURLToPath(new URL('../../dist/sentinel.bundle.mjs', import.meta.url));
}

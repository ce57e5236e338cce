// Renders every spec in examples/ into generated/<name>/ with the built CLI (npm run build
// first). The sentinel bundle is a placeholder so that generated/ does not change with every
// Sentinel commit; test/integration/examples.test.ts checks they are current with --check.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const check = process.argv.includes('--check');
let failed = 0;
for (const file of readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  const name = file.replace(/\.yaml$/, '');
  const args = [
    path.join(root, 'bin', 'sentinel-compose.js'),
    'render',
    '--spec',
    path.join('examples', file),
    '--out',
    path.join('generated', name),
    '--sentinel-bundle',
    'placeholder',
    ...(check ? ['--check'] : []),
  ];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

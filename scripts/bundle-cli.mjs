// Bundles the CLI and its dependencies (yargs, yaml, handlebars, chalk) into dist/bundle/ so
// that start-up reads a handful of files instead of ~150 modules: `render` of 50 masters must
// take under a second including Node start-up. Lazily imported commands become separate chunks.
// bin/sentinel-compose.js uses the bundle when present and falls back to dist/cli/main.js.
// Files stay one folder below dist/, like dist/cli/*.js, so their import.meta.url-relative
// paths to schema/, templates/, package.json and dist/sentinel/ resolve the same way.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies (handlebars) call require() for Node built-ins.
  banner: { js: "import { createRequire as __scCreateRequire } from 'node:module'; const require = __scCreateRequire(import.meta.url);" },
});

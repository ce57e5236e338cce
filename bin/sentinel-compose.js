#!/usr/bin/env node
import { existsSync } from 'node:fs';

// The esbuild bundle starts faster (a few files instead of ~150 modules); dist/cli is the
// plain tsc output, used when the bundle was not built.
const bundle = new URL('../dist/bundle/main.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() maps every known error to an exit code; reaching here is a bug.
    console.error(err);
    process.exitCode = 70;
  },
);

/**
 * Preloaded into a bundled sentinel (`node --require`) to make its config saves as slow as they
 * are on a loaded CI machine: every fsync blocks the process for a random time drawn from
 * SLOW_FSYNC_MS ("min-max", ms) after the real fsync. The config rewrite fsyncs twice (the file,
 * then its directory), so "75-150" makes a save take 150-300 ms. Fault injection for tests; the
 * product has no such setting.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');

const [min, max] = (process.env.SLOW_FSYNC_MS ?? '75-150').split('-').map(Number);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const fsyncSync = fs.fsyncSync;
let announced = false;
fs.fsyncSync = (fd) => {
  fsyncSync(fd);
  Atomics.wait(sleeper, 0, 0, min + Math.random() * (max - min));
  // Once, so that a test can check the delay really applied (a sentinel that stopped calling
  // fsyncSync would otherwise make a slow-fsync test pass without slow saves).
  if (!announced) process.stderr.write(`slow-fsync: fsync delayed by ${min}-${max} ms\n`);
  announced = true;
};
// `import { fsyncSync } from 'node:fs'` in the sentinel sees the replacement too.
syncBuiltinESMExports();

/**
 * After every test file: kill whatever processes the helpers in test/helpers/procs.ts started and
 * remove their temp dirs, whether or not the file's own teardown got to it (a failed assertion in
 * a hook, a helper that stops processes but keeps their dirs for a restart).
 */
import { afterAll } from 'vitest';
import { stopAll } from '../helpers/procs.js';

afterAll(async () => {
  await stopAll();
});

/**
 * A CLI killed outright between starting a process and recording it, as a separate process for
 * test/unit/runtime/process.test.ts: the record callback writes the pid it was given to PID_FILE
 * (standing in for the record that never reaches disk) and SIGKILLs this process.
 */
import { writeFileSync } from 'node:fs';
import { spawnDetached } from '../../src/runtime/local/process.js';

const dir = process.env.DIR!;
void spawnDetached('sleep', ['30'], {
  cwd: dir,
  logFile: `${dir}/log`,
  record: (rec) => {
    writeFileSync(process.env.PID_FILE!, String(rec.pid));
    process.kill(process.pid, 'SIGKILL');
  },
});

/**
 * A stand-in for a command that cleans up when interrupted (see src/cli/interrupt.ts), run as
 * its own process by test/integration/cli-interrupt.test.ts: it prints "ready", and on the first
 * interrupt spends CLEANUP_MS "cleaning up" before printing "clean" and exiting 128 + the signal.
 */
import { signalExitCode } from '../../src/common/errors.js';
import { catchInterrupts } from '../../src/cli/interrupt.js';

const cleanupMs = Number(process.env.CLEANUP_MS ?? 3000);
const interrupts = catchInterrupts({
  onStop: (sig) => process.stdout.write(`stop ${sig}\n`),
  onQuit: () => 'LEFT: the things it did not clean up',
});
process.stdout.write('ready\n');
interrupts.signal.addEventListener('abort', () => {
  setTimeout(() => {
    process.stdout.write('clean\n');
    interrupts.dispose();
    process.exitCode = signalExitCode(String(interrupts.signal.reason));
  }, cleanupMs);
});
// Writes to stderr until it is closed, as a drill's progress does.
const timer = setInterval(() => process.stderr.write('progress\n'), 50);
interrupts.signal.addEventListener('abort', () => setTimeout(() => clearInterval(timer), cleanupMs));

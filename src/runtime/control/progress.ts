import type { Clock } from '../../common/clock.js';

/**
 * When a wait says what it still waits for: not in its first second (most waits are over by
 * then), then whenever that changes, and every 10 s while it does not.
 */
export function progressGate(clock: Clock, report: ((missing: string[]) => void) | undefined): (missing: string[]) => void {
  const start = clock.monotonic();
  let last = -Infinity;
  let lastText = '';
  return (missing) => {
    const now = clock.monotonic();
    const text = missing.join('\n');
    if (!report || now - start < 1000 || (text === lastText && now - last < 10_000)) return;
    last = now;
    lastText = text;
    report(missing);
  };
}

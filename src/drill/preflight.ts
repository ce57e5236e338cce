/**
 * Before a drill touches anything: is the topology there to be drilled? Nothing running, or a
 * node down, is said at once with the command that fixes it (rather than after a 90 s wait for a
 * healthy group, in the client library's words). A node that a drill which died left paused is
 * resumed, and said so; a node paused by someone else is theirs, so it is named instead.
 */
import { UsageError, type Problem } from '../common/errors.js';
import { abandoned, checkServices, describeLeftover, nothingRuns, onPurpose, resume, undoCommand } from '../runtime/leftovers.js';
import type { Runtime } from '../runtime/types.js';

/**
 * Resolves once the topology can be drilled; 'nothing runs' when no process of it runs and
 * `canStart` (drill --up: the records are stale, after a reboot or a kill, and it starts it).
 */
export async function preflight(
  runtime: Runtime,
  outDir: string,
  outArg: string,
  say: (line: string) => void,
  canStart = false,
): Promise<'ready' | 'nothing runs'> {
  const c = await checkServices(runtime, outDir);
  const project = runtime.topology.project;
  if (nothingRuns(c)) {
    if (canStart) return 'nothing runs';
    throw new UsageError([
      {
        path: '--out',
        message: `nothing of ${project} is running in ${outArg} (${runtime.kind})`,
        fix: `start it with \`sentinel-compose up --out ${outArg}\` and drill again, or let the drill start it and take it down afterwards: \`sentinel-compose drill --up --out ${outArg}\``,
      },
    ]);
  }
  const problems: Problem[] = c.down.map((l) => ({
    path: l.service,
    message: describeLeftover(l),
    fix: onPurpose(l) ? `${undoCommand(l, outArg)} starts it again` : `\`sentinel-compose up --out ${outArg}\` starts what is not running and keeps what is`,
  }));
  const theirs = c.paused.filter((l) => !abandoned(l));
  for (const l of theirs) {
    const fix = onPurpose(l)
      ? `${undoCommand(l, outArg)} resumes it; then drill again`
      : `resume it (\`sentinel-compose up --out ${outArg}\` resumes every paused node) and drill again`;
    problems.push({ path: l.service, message: describeLeftover(l), fix });
  }
  if (problems.length) throw new UsageError(problems);
  // A partition a drill that died left in place (Docker, bridge networking).
  await (runtime as { healLeftoverPartition?: (say: (l: string) => void) => Promise<void> }).healLeftoverPartition?.(say);
  for (const l of c.paused) say(`${l.service} ${describeLeftover(l)}; resuming it`);
  await resume(runtime, c.paused);
  return 'ready';
}

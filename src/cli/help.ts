/**
 * The Examples section and closing paragraph of --help, laid out here rather than by yargs:
 * yargs wraps an example's command inside its column, so a long one broke mid-command
 * ("sentinel-compose validate --spec" alone on a line) and could not be copied. A command is
 * never broken: when the examples do not fit beside their descriptions, each description goes
 * on the line below its command. Prose is wrapped at spaces, never inside `a quoted command`.
 */

const INDENT = '  ';
const GAP = '  ';
/** Narrower than this, a description column is harder to read than a line of its own. */
const MIN_DESCRIPTION = 30;

export function helpTail(examples: [string, string][], epilogue: string | undefined, width: number, scriptName: string): string {
  const parts: string[] = [];
  if (examples.length) {
    const rows = examples.map(([c, d]) => [c.replace(/\$0/g, scriptName), d] as const);
    const column = Math.max(...rows.map(([c]) => c.length));
    const descWidth = width - INDENT.length - column - GAP.length;
    const lines = ['Examples:'];
    for (const [command, description] of rows) {
      if (descWidth >= MIN_DESCRIPTION) {
        const wrapped = wrap(description, descWidth);
        lines.push(`${INDENT}${command.padEnd(column)}${GAP}${wrapped[0] ?? ''}`.trimEnd());
        for (const l of wrapped.slice(1)) lines.push(`${' '.repeat(INDENT.length + column + GAP.length)}${l}`);
      } else {
        lines.push(`${INDENT}${command}`);
        for (const l of wrap(description, width - 3 * INDENT.length)) lines.push(`${INDENT.repeat(3)}${l}`);
      }
    }
    parts.push(lines.join('\n'));
  }
  if (epilogue)
    parts.push(
      epilogue
        .replace(/\$0/g, scriptName)
        .split('\n')
        .map((p) => wrap(p, width).join('\n'))
        .join('\n'),
    );
  return parts.join('\n\n');
}

/** Word wrap at spaces; a `backquoted span` is one word. A word longer than the width gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const words = text.match(/(?:[^\s`]*`[^`]*`)+[^\s`]*|\S+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

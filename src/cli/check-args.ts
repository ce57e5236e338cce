/**
 * What yargs does not check about option values, checked the way the spec's fields are: an
 * option given without its value (`--out` last, `--out=`), and numbers (`--timeout abc`,
 * `--interval 0`). Each problem names the flag as it was typed, the value as it was typed, what
 * is wrong and what to write; main.ts turns them into exit 2 before a command runs.
 */
import type { Options } from 'yargs';
import type { Problem } from '../common/errors.js';

/** The values a numeric option accepts. */
export interface NumberRange {
  min: number;
  /** `min` itself is not allowed ("above 0"). */
  minExclusive?: boolean;
  max: number;
  integer?: boolean;
  /** What the number counts, for messages: "seconds", "writes per second". */
  unit?: string;
  /** A good value, shown in the fix. */
  example: number;
  /** Said after the example: "or 0 for no reader". */
  note?: string;
}

export type OptionDef = Options & { range?: NumberRange };

/** One occurrence of an option on the command line. */
interface Given {
  flag: string;
  text: string;
}

export function checkArgs(cmdName: string, options: Record<string, OptionDef>, argv: string[]): Problem[] {
  const problems: Problem[] = [];
  for (const [name, opt] of Object.entries(options)) {
    if (opt.type === 'boolean' || opt.type === 'count') continue;
    const given = occurrences(argv, spellings(name, opt));
    // Repeating a single-valued option is allowed (the last one counts, as in most CLIs).
    const checked = opt.array ? given : given.slice(-1);
    for (const g of checked) {
      if (g.text.trim() === '') problems.push(needsValue(cmdName, g.flag, opt));
      else if (opt.range) {
        const p = checkNumber(g, opt.range);
        if (p) problems.push(p);
      }
    }
  }
  return problems;
}

/** For `--out` with nothing after it (from yargs) or with an empty value. */
export function needsValue(cmdName: string, flag: string, opt: OptionDef | undefined): Problem {
  const what = opt?.choices
    ? `one of ${opt.choices.join(', ')} after it, e.g. ${flag} ${String(opt.choices[0])}`
    : opt?.range
      ? `${rangeText(opt.range)} after it, e.g. ${flag} ${opt.range.example}`
      : `the value after it: ${flag} VALUE`;
  const def = opt?.default as string | number | boolean | undefined; // yargs types it any
  const otherwise = def !== undefined && def !== false ? `, or leave the option out for the default (${String(def)})` : '';
  return { path: flag, message: 'needs a value', fix: `write ${what}${otherwise}; see sentinel-compose ${cmdName} --help` };
}

export function rangeText(r: NumberRange): string {
  const kind = `${r.integer ? 'a whole number' : 'a number'}${r.unit ? ` of ${r.unit}` : ''}`;
  const low = r.minExclusive ? `above ${r.min}` : `from ${r.min}`;
  return `${kind}${r.unit ? ',' : ''} ${low} ${r.minExclusive ? 'and at most' : 'to'} ${r.max}`;
}

// Decimal notation only: Number() would also take "0x10", "Infinity" and whitespace.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function checkNumber(g: Given, r: NumberRange): Problem | undefined {
  const n = DECIMAL.test(g.text.trim()) ? Number(g.text) : NaN;
  const ok = Number.isFinite(n) && (r.minExclusive ? n > r.min : n >= r.min) && n <= r.max && (!r.integer || Number.isInteger(n));
  if (ok) return undefined;
  return {
    path: g.flag,
    value: g.text,
    message: `must be ${rangeText(r)}`,
    fix: `e.g. ${g.flag} ${r.example}${r.note ? `, ${r.note}` : ''}`,
  };
}

/** How an option can be written: its name, aliases, and yargs' camelCase forms of both. */
function spellings(name: string, opt: OptionDef): string[] {
  const names = [name, ...[opt.alias ?? []].flat()];
  const camel = names.map((n) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
  return [...new Set([...names, ...camel])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
}

function occurrences(argv: string[], flags: string[]): Given[] {
  const out: Given[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--') break;
    for (const flag of flags) {
      if (t === flag) out.push({ flag, text: argv[i + 1] ?? '' });
      else if (t.startsWith(`${flag}=`)) out.push({ flag, text: t.slice(flag.length + 1) });
    }
  }
  return out;
}

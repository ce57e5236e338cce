/**
 * The Handlebars templates under templates/ (package root). Only render reads them.
 * `noEscape`: the outputs are config files and YAML, not HTML; values that need quoting go
 * through the `json` helper (a JSON string is a valid YAML double-quoted scalar).
 *
 * Compiling the templates is a noticeable part of a render's CPU time, so the build
 * precompiles them into dist/templates.precompiled.json (scripts/bundle-cli.mjs). Each entry
 * records a hash of its source and is used only while the template file still has that hash;
 * otherwise, and under tests (no dist/), the template is compiled here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
const PRECOMPILED_FILE = fileURLToPath(new URL('../../dist/templates.precompiled.json', import.meta.url));

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

export interface PrecompiledEntry {
  sha256: string;
  spec: string;
}

const hb = Handlebars.create();
hb.registerHelper('json', (v: unknown) => JSON.stringify(v));

const compiled = new Map<string, Handlebars.TemplateDelegate>();
let precompiled: Record<string, PrecompiledEntry> | null | undefined;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function loadPrecompiled(): Record<string, PrecompiledEntry> | null {
  if (precompiled === undefined) {
    try {
      precompiled = existsSync(PRECOMPILED_FILE) ? (JSON.parse(readFileSync(PRECOMPILED_FILE, 'utf8')) as Record<string, PrecompiledEntry>) : null;
    } catch {
      precompiled = null;
    }
  }
  return precompiled;
}

/** For tests: use this precompiled map (null: none) instead of dist's, and forget compiled templates. */
export function usePrecompiled(map: Record<string, PrecompiledEntry> | null): void {
  precompiled = map;
  compiled.clear();
}

/** A template function from Handlebars.precompile's output (our own build artifact). */
export function fromPrecompiled(spec: string): Handlebars.TemplateDelegate {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- Handlebars.precompile output from our own build (dist/), never user input
  return hb.template(new Function(`return ${spec};`)() as Parameters<typeof hb.template>[0]);
}

export function compileTemplate(source: string): Handlebars.TemplateDelegate {
  return hb.compile(source, COMPILE_OPTIONS);
}

export function renderTemplate(name: string, context: object): string {
  let t = compiled.get(name);
  if (!t) {
    const source = readTemplate(name);
    const pre = loadPrecompiled()?.[name];
    t = pre && pre.sha256 === sha256(source) ? fromPrecompiled(pre.spec) : compileTemplate(source);
    compiled.set(name, t);
  }
  return t(context);
}

/** A file under templates/ (also the static ones, copied as they are). */
export function readTemplate(name: string): string {
  return readFileSync(TEMPLATES_DIR + name, 'utf8');
}

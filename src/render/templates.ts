/**
 * The Handlebars templates under templates/ (package root), compiled on first use. Only render
 * reads them. `noEscape`: the outputs are config files and YAML, not HTML; values that need
 * quoting go through the `json` helper (a JSON string is a valid YAML double-quoted scalar).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const hb = Handlebars.create();
hb.registerHelper('json', (v: unknown) => JSON.stringify(v));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export function renderTemplate(name: string, context: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = hb.compile(readTemplate(name), { noEscape: true, strict: true });
    compiled.set(name, t);
  }
  return t(context);
}

/** A static file under templates/ (copied as is). */
export function readTemplate(name: string): string {
  return readFileSync(TEMPLATES_DIR + name, 'utf8');
}

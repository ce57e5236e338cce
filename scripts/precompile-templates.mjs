// Precompiles templates/**/*.hbs into dist/templates.precompiled.json, with a hash of each
// source so that a template edited after the build is compiled at run time instead
// (src/render/templates.ts). Same compile options as there.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const root = 'templates';
const out = {};
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.hbs')) {
      const source = readFileSync(p, 'utf8');
      const name = path.relative(root, p).split(path.sep).join('/');
      out[name] = {
        sha256: createHash('sha256').update(source).digest('hex'),
        spec: Handlebars.precompile(source, { noEscape: true, strict: true }),
      };
    }
  }
};
walk(root);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/templates.precompiled.json', JSON.stringify(out));

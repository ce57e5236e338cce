import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { afterAll, describe, expect, it } from 'vitest';
import { renderFiles } from '../../../src/render/files.js';
import { COMPILE_OPTIONS, sha256, TEMPLATES_DIR, usePrecompiled, type PrecompiledEntry } from '../../../src/render/templates.js';
import { parseSpec } from '../../../src/topology/load.js';

afterAll(() => usePrecompiled(null));

const specs = [
  '',
  'network: bridge\ntimezone: UTC\nauth: {password: "${P}", sentinel-password: "${S}"}',
  'masters: [{name: a}, {name: b, replicas: 0}]\nsentinels: {implementation: redis, count: 5}\nauth: {sentinel-password: "${S}"}',
];
const renderAll = () =>
  specs.map((yaml) => {
    const l = parseSpec(yaml, { env: { P: 'p1', S: 's1' } });
    return renderFiles(l.topology, l.secrets, { specName: 'x', sentinelBundle: { placeholder: true } }).map((f) => [f.path, String(f.content)]);
  });

function precompileAll(): Record<string, PrecompiledEntry> {
  const map: Record<string, PrecompiledEntry> = {};
  for (const name of readdirSync(TEMPLATES_DIR, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.hbs'))) {
    const source = readFileSync(path.join(TEMPLATES_DIR, name), 'utf8');
    map[name.split(path.sep).join('/')] = { sha256: sha256(source), spec: Handlebars.precompile(source, COMPILE_OPTIONS) as unknown as string }; // JavaScript source text, whatever its type says
  }
  return map;
}

describe('precompiled templates (what the build ships)', () => {
  it('render exactly what compiling at run time renders', () => {
    usePrecompiled(null);
    const compiled = renderAll();
    usePrecompiled(precompileAll());
    expect(renderAll()).toEqual(compiled);
  });

  it('are ignored when the template changed after the build (hash mismatch)', () => {
    usePrecompiled(null);
    const compiled = renderAll();
    const stale = precompileAll();
    for (const e of Object.values(stale)) {
      e.sha256 = 'stale';
      e.spec = '{"compiler":[8,">= 4.3.0"],"main":function(){return "WRONG"},"useData":true}';
    }
    usePrecompiled(stale);
    expect(renderAll()).toEqual(compiled);
  });
});

/**
 * Random YAML documents and random mutations of the example specs: loading either succeeds (and
 * then rendering works) or throws a UsageError whose problems each name a field path and say
 * what is wrong. Never another kind of error, never a stack trace for the user.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../../src/common/errors.js';
import { parseSpec } from '../../../src/topology/load.js';
import { renderFiles } from '../../../src/render/files.js';
import { mutatedExample, nasty, tree, yamlish } from '../../helpers/spec-arbitraries.js';

const RUNS = Number(process.env.HARDENING_SPEC_RUNS ?? 300);
const ENV = { EXAMPLE_REDIS_PASSWORD: 'r3dis-pw', EXAMPLE_SENTINEL_PASSWORD: 's3ntinel-pw', N: '3', EMPTY: '' };

/** Loads the text; returns 'ok' or the UsageError, and fails the property on anything else. */
function loadOrUsage(text: string, env: Record<string, string> = ENV): 'ok' | UsageError {
  let loaded;
  try {
    loaded = parseSpec(text, { file: 'fuzz.yaml', env, dotEnv: {} });
  } catch (err) {
    if (!(err instanceof UsageError)) {
      throw new Error(`not a UsageError for:\n${text.slice(0, 2000)}\n---\n${err instanceof Error ? err.stack : String(err)}`);
    }
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) {
      expect(typeof p.path, JSON.stringify(p)).toBe('string');
      expect(p.path.length, JSON.stringify(p)).toBeGreaterThan(0);
      expect(p.message.length, JSON.stringify(p)).toBeGreaterThan(0);
    }
    expect(err.message).not.toMatch(/\n\s+at /);
    return err;
  }
  // A spec that loads must render.
  const secrets = { redisPassword: loaded.secrets.redisPassword, sentinelPassword: loaded.secrets.sentinelPassword };
  const files = renderFiles(loaded.topology, secrets, { specName: 'fuzz.yaml', sentinelBundle: { placeholder: true } });
  expect(files.length).toBeGreaterThan(0);
  return 'ok';
}

describe('spec loader under random input', () => {
  it('random YAML-ish text loads or gives a UsageError naming fields', () => {
    fc.assert(
      fc.property(yamlish, (text) => void loadOrUsage(text)),
      { numRuns: RUNS },
    );
  });

  it('random YAML trees load or give a UsageError naming fields', () => {
    fc.assert(
      fc.property(tree, (t) => void loadOrUsage(stringify(t))),
      { numRuns: RUNS },
    );
  });

  it('crafted hostile documents (alias bombs, deep nesting, tags, prototype keys) give a UsageError or load', () => {
    fc.assert(
      fc.property(nasty, (text) => void loadOrUsage(text)),
      { numRuns: 60 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('spec loader under mutations of the examples', () => {
  it('every mutated example loads or gives a UsageError naming fields', () => {
    const outcomes = { ok: 0, usage: 0 };
    fc.assert(
      fc.property(mutatedExample, fc.boolean(), (text, withEnv) => void (outcomes[loadOrUsage(text, withEnv ? ENV : {}) === 'ok' ? 'ok' : 'usage'] += 1)),
      { numRuns: RUNS },
    );
    // The mutations reach both sides: specs that still load (and render) and specs that do not.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.usage).toBeGreaterThan(0);
  });

  it('a bad password is never echoed in the error', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6, maxLength: 30 }).filter((s) => /[^A-Za-z0-9]/.test(s) && s.trim() === s && !s.includes('$')),
        (pw) => {
          const text = stringify({ version: 1, auth: { password: pw, 'sentinel-password': pw } });
          const r = loadOrUsage(text);
          if (r !== 'ok') expect(r.message).not.toContain(pw);
        },
      ),
      { numRuns: 100 },
    );
  });
});

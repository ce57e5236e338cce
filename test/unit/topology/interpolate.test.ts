import { describe, expect, it } from 'vitest';
import { parseDotEnv } from '../../../src/topology/env.js';
import { interpolateString, interpolateTree } from '../../../src/topology/interpolate.js';

describe('${VAR} interpolation', () => {
  const env = { A: 'alpha', EMPTY: '', N: '3' };
  it('replaces set variables and applies :- defaults like compose', () => {
    expect(interpolateString('x-${A}-y', env).value).toBe('x-alpha-y');
    expect(interpolateString('${MISSING:-dflt}', env).value).toBe('dflt');
    expect(interpolateString('${EMPTY:-dflt}', env).value).toBe('dflt');
    expect(interpolateString('${EMPTY-dflt}', env).value).toBe('');
    expect(interpolateString('${MISSING-dflt}', env).value).toBe('dflt');
    expect(interpolateString('${MISSING:-}', env).value).toBe('');
    expect(interpolateString('cost $$5 and $x', env).value).toBe('cost $5 and $x');
  });
  it('reports an unset variable without default, naming the field path and the .env file', () => {
    const r = interpolateTree({ auth: { password: '${PW}' } }, {}, '/specs/.env');
    expect(r.problems).toEqual([expect.objectContaining({ path: 'auth.password', message: '${PW} is not set', fix: expect.stringContaining('/specs/.env') })]);
  });
  it('reports malformed references', () => {
    expect(interpolateString('${A', env).problems[0]!.message).toMatch(/unclosed/);
    expect(interpolateString('${1A}', env).problems[0]!.message).toMatch(/not a variable reference/);
  });
  it('records which paths used variables (for number coercion and secret warnings)', () => {
    const r = interpolateTree({ masters: [{ replicas: '${N}' }], project: 'p' }, env, '.env');
    expect(r.value).toEqual({ masters: [{ replicas: '3' }], project: 'p' });
    expect([...r.fromVariables]).toEqual(['masters[0].replicas']);
  });
});

describe('.env parsing', () => {
  it('reads compose-style lines', () => {
    expect(parseDotEnv(['# c', 'A=1', 'export B = two ', "C='x # y'", 'D="q\\nr"', 'E=v # comment', 'bad line', 'F='].join('\n'))).toEqual({
      A: '1',
      B: 'two',
      C: 'x # y',
      D: 'q\nr',
      E: 'v',
      F: '',
    });
  });
});

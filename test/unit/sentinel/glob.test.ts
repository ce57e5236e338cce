import { describe, expect, it } from 'vitest';
import { globMatch } from '../../../src/sentinel/server/glob.js';

describe('globMatch (Redis stringmatchlen)', () => {
  it.each([
    ['*', 'anything', true],
    ['+*', '+sdown', true],
    ['+*', '-sdown', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hbllo', true],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['**', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a', '', false],
    ['my*', 'mymaster', true],
  ])('%j matches %j: %s', (p, s, want) => {
    expect(globMatch(p, s)).toBe(want);
  });
  it('matches case-insensitively when asked', () => {
    expect(globMatch('MY*', 'mymaster', true)).toBe(true);
    expect(globMatch('MY*', 'mymaster')).toBe(false);
  });
});

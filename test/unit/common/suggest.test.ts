import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../src/common/suggest.js';

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('sepc', 'spec')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('suggests plausible typos and nothing for unrelated words', () => {
    expect(closest('sepc', ['spec', 'out', 'check'])).toBe('spec');
    expect(closest('rendr', ['init', 'validate', 'render'])).toBe('render');
    expect(closest('downAfterMilliseconds', ['down-after-milliseconds', 'failover-timeout'])).toBe('down-after-milliseconds');
    expect(closest('down-after', ['down-after-milliseconds', 'failover-timeout'])).toBe('down-after-milliseconds');
    expect(closest('zzz', ['spec', 'out'])).toBeUndefined();
  });
});

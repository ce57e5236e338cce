import { describe, expect, it } from 'vitest';
import { optionLines } from '../../../../src/sentinel/main.js';

describe('command-line options', () => {
  it('turns --name values into config lines, like redis-sentinel', () => {
    expect(optionLines(['--port', '26380', '--bind', '127.0.0.1', '::1', '--sentinel', '--loglevel', 'verbose'])).toEqual([
      'port "26380"',
      'bind "127.0.0.1" "::1"',
      'loglevel "verbose"',
    ]);
    expect(optionLines([])).toEqual([]);
    expect(optionLines(['--logfile', 'a b.log'])).toEqual(['logfile "a b.log"']);
  });
});

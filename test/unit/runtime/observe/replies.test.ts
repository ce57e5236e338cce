import { describe, expect, it } from 'vitest';
import { errorText, pairs, parseFields, parseInfo } from '../../../../src/runtime/observe/replies.js';

describe('INFO parsing', () => {
  it('reads sections and comma fields', () => {
    const info = parseInfo('# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=6380,state=online,offset=42,lag=0\r\n');
    expect(info.role).toBe('master');
    expect(parseFields(info.slave0!)).toEqual({ ip: '127.0.0.1', port: '6380', state: 'online', offset: '42', lag: '0' });
  });

  // The two parsers differed: one trimmed values, one did not. Trimmed: a stray space or \r
  // must not turn `up` into something that is not 'up'.
  it('trims values', () => {
    expect(parseInfo('master_link_status:up \r\nrole: slave\n')).toEqual({ master_link_status: 'up', role: 'slave' });
    expect(parseInfo('a:1\nb:x:y\n#c:2\n\nnocolon\n')).toEqual({ a: '1', b: 'x:y' });
  });

  it('reads flat field/value replies', () => {
    expect(pairs(['ip', '127.0.0.1', 'port', 6379, 'flags', 'master'])).toEqual({ ip: '127.0.0.1', port: '6379', flags: 'master' });
    expect(pairs('not an array')).toEqual({});
  });
});

describe('error text', () => {
  // The two observers worded a refused connection differently; now one says it for both.
  it('names socket errors by what they mean, anything else by its message', () => {
    expect(errorText(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('connection refused');
    expect(errorText(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toBe('connect timed out');
    expect(errorText(new Error('NOAUTH Authentication required.'))).toBe('NOAUTH Authentication required.');
    expect(errorText('plain')).toBe('plain');
  });
});

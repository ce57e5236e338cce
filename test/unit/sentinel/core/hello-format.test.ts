import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildHello, parseHello } from '../../../../src/sentinel/monitor/hello-format.js';

describe('hello messages', () => {
  it('has the 8 comma-separated fields redis-sentinel sends', () => {
    const text = buildHello({
      ip: '127.0.0.1',
      port: 26379,
      runid: 'ecb11c27c44887abfd777f53c5c40e921c160981',
      currentEpoch: 3,
      masterName: 'mymaster',
      masterIp: '172.18.0.4',
      masterPort: 6379,
      masterConfigEpoch: 2,
    });
    expect(text).toBe('127.0.0.1,26379,ecb11c27c44887abfd777f53c5c40e921c160981,3,mymaster,172.18.0.4,6379,2');
  });

  it('parses what redis-sentinel publishes', () => {
    expect(parseHello('10.0.0.5,26380,534d4e6852ad29ab9aa7ebff9462d901260d097c,0,mymaster,10.0.0.2,6379,0')).toEqual({
      ip: '10.0.0.5',
      port: 26380,
      runid: '534d4e6852ad29ab9aa7ebff9462d901260d097c',
      currentEpoch: 0,
      masterName: 'mymaster',
      masterIp: '10.0.0.2',
      masterPort: 6379,
      masterConfigEpoch: 0,
    });
  });

  it('drops messages without exactly 8 fields', () => {
    expect(parseHello('a,b,c')).toBeNull();
    expect(parseHello('1,2,3,4,5,6,7,8,9')).toBeNull();
  });

  it('round-trips any hello', () => {
    const word = fc.stringMatching(/^[a-zA-Z0-9._:-]{1,20}$/);
    fc.assert(
      fc.property(
        word,
        fc.integer({ min: 0, max: 65535 }),
        word,
        fc.nat(),
        word,
        word,
        fc.integer({ min: 0, max: 65535 }),
        fc.nat(),
        (ip, port, runid, ce, name, mip, mport, mce) => {
          const h = { ip, port, runid, currentEpoch: ce, masterName: name, masterIp: mip, masterPort: mport, masterConfigEpoch: mce };
          expect(parseHello(buildHello(h))).toEqual(h);
        },
      ),
    );
  });
});

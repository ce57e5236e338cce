import { describe, expect, it } from 'vitest';
import { mergeByTime, redisLineTime, stampLines } from '../../../src/runtime/local/logs.js';
import { parseComposeLogLine, serviceOfPrefix } from '../../../src/runtime/compose/logs.js';

describe('local log lines', () => {
  it('reads the time Redis stamps on a line (local time zone, milliseconds)', () => {
    const t = redisLineTime('14936:M 26 Nov 2026 03:25:43.202 * Ready to accept connections');
    expect(t).toBe(new Date(2026, 10, 26, 3, 25, 43, 202).getTime());
    expect(redisLineTime('14971:signal-handler (1795663547) Received SIGTERM scheduling shutdown...')).toBe(1795663547000);
    expect(redisLineTime('start.sh: /data/redis.conf written')).toBeNull();
  });

  it('gives unstamped lines the previous line time and merges services by time', () => {
    const a = stampLines('a', '1:M 01 Jan 2026 00:00:01.000 # one\ncontinued\n1:M 01 Jan 2026 00:00:03.000 # three\n', 0);
    const b = stampLines('b', '2:X 01 Jan 2026 00:00:02.000 # two\n', 0);
    expect(a[1]!.time).toBe(a[0]!.time);
    expect(mergeByTime([a, b]).map((l) => l.line.split(' ').pop())).toEqual(['one', 'continued', 'two', 'three']);
  });
});

describe('compose log lines', () => {
  const services = ['redis-master', 'redis-replica-1', 'redis-sentinel-1'];
  it('maps v1 and v2 prefixes back to service names, even when the name ends in a number', () => {
    expect(serviceOfPrefix('redis-replica-1_1', services, 'p')).toBe('redis-replica-1');
    expect(serviceOfPrefix('redis-replica-1-1', services, 'p')).toBe('redis-replica-1');
    expect(serviceOfPrefix('p-redis-master-1', services, 'p')).toBe('redis-master');
    expect(serviceOfPrefix('Attaching', services, 'p')).toBeNull();
  });

  it('parses the timestamp compose adds', () => {
    const l = parseComposeLogLine('redis-sentinel-1_1  | 2026-11-26T03:33:47.817930761Z 1:X 26 Nov +sdown master', services, 'p', 5)!;
    expect(l.service).toBe('redis-sentinel-1');
    expect(l.time).toBe(Date.parse('2026-11-26T03:33:47.817Z'));
    expect(l.line).toBe('1:X 26 Nov +sdown master');
    expect(parseComposeLogLine('Attaching to p_redis-master_1', services, 'p', 5)).toBeNull();
  });
});

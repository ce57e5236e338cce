import { describe, expect, it } from 'vitest';
import { ctimeText, describeInstance, eventMessage, formatLogLine } from '../../../../src/sentinel/events/format.js';
import { SRI, flagsText } from '../../../../src/sentinel/state/flags.js';
import { Instance } from '../../../../src/sentinel/state/instance.js';

describe('log and event text', () => {
  it('formats log lines like redis-sentinel', () => {
    const t = new Date(2020, 3, 25, 16, 45, 19, 926).getTime();
    expect(formatLogLine(1, t, 'warning', '+sdown master mymaster 172.18.0.2 6379')).toBe(
      '1:X 25 Apr 2020 16:45:19.926 # +sdown master mymaster 172.18.0.2 6379',
    );
    expect(formatLogLine(42, t, 'notice', 'x')).toBe('42:X 25 Apr 2020 16:45:19.926 * x');
    expect(ctimeText(new Date(2026, 10, 6, 3, 4, 5).getTime())).toBe('Fri Nov  6 03:04:05 2026');
  });

  it('describes instances with the master they belong to', () => {
    const m = new Instance({
      flags: SRI.MASTER,
      name: 'mymaster',
      addr: { hostname: '172.18.0.2', ip: '172.18.0.2', port: 6379 },
      master: null,
      quorum: 2,
      now: 0,
      downAfterPeriod: 1,
      failoverTimeout: 1,
    });
    const s = new Instance({
      flags: SRI.SLAVE,
      name: '172.18.0.4:6379',
      addr: { hostname: '172.18.0.4', ip: '172.18.0.4', port: 6379 },
      master: m,
      quorum: 2,
      now: 0,
      downAfterPeriod: 1,
      failoverTimeout: 1,
    });
    expect(describeInstance(m, false)).toBe('master mymaster 172.18.0.2 6379');
    expect(eventMessage(s, '%@', false)).toBe('slave 172.18.0.4:6379 172.18.0.4 6379 @ mymaster 172.18.0.2 6379');
    expect(eventMessage(m, '%@ #quorum 2/2', false)).toBe('master mymaster 172.18.0.2 6379 #quorum 2/2');
    expect(eventMessage(m, '1', false)).toBe('1');
  });

  it('lists flags in Redis order', () => {
    expect(flagsText(SRI.MASTER | SRI.S_DOWN | SRI.O_DOWN | SRI.FAILOVER_IN_PROGRESS, true)).toBe('s_down,o_down,master,disconnected,failover_in_progress');
    expect(flagsText(SRI.SLAVE | SRI.PROMOTED, false)).toBe('slave,promoted');
  });
});

import { describe, expect, it } from 'vitest';
import { addresses } from '../../../../src/topology/checks/addresses.js';
import { readYaml } from '../../../helpers/spec-read.js';

const paths = (yaml: string) => addresses(readYaml(yaml)).map((f) => `${f.severity} ${f.path}`);

describe('addresses', () => {
  it('the defaults are fine in both modes (bridge warns only about the open ports)', () => {
    expect(paths('')).toEqual([]);
    expect(paths('network: bridge\n')).toEqual(['warning bind']);
    expect(paths('network: bridge\nauth:\n  password: x\n')).toEqual([]);
  });

  it('bind must be an IP address', () => {
    expect(addresses(readYaml('bind: localhost\n'))[0]).toEqual({
      severity: 'error',
      path: 'bind',
      value: 'localhost',
      message: 'is not an IP address',
      fix: 'use an address such as 127.0.0.1, or 0.0.0.0 for every interface',
    });
  });

  it('host mode: nothing answers at an announced address the nodes do not listen on', () => {
    expect(paths('bind: 127.0.0.1\nannounce: 10.1.2.3\n')).toEqual(['error announce']);
    expect(paths('bind: 0.0.0.0\nannounce: 10.1.2.3\nauth:\n  password: x\n')).toEqual([]);
    expect(paths('bind: 127.0.0.5\nannounce: localhost\n')).toEqual(['error announce']);
    expect(paths('bind: 127.0.0.1\nannounce: localhost\n')).toEqual([]);
  });

  it('host mode: every interface without a password is a warning that depends on what is announced', () => {
    const [loop] = addresses(readYaml('bind: 0.0.0.0\n'));
    expect(loop).toMatchObject({ severity: 'warning', path: 'bind', value: '0.0.0.0', message: expect.stringMatching(/only this machine can use them/) });
    const [lan] = addresses(readYaml('bind: 0.0.0.0\nannounce: 10.0.0.2\n'));
    expect(lan).toMatchObject({
      severity: 'warning',
      message: expect.stringMatching(/anyone on your network can read and write/),
      fix: 'set auth.password, or bind to 127.0.0.1',
    });
  });

  it('bridge mode: no loopback announce, no loopback publish', () => {
    expect(paths('network: bridge\nannounce: 127.0.0.1\n')).toEqual(['warning bind', 'error announce']);
    expect(paths('network: bridge\nbind: 127.0.0.1\n')).toEqual(['error announce', 'error bind']);
    expect(paths('network: bridge\nbind: "::1"\nannounce: 10.0.0.2\n')).toEqual(['error bind']);
  });
});

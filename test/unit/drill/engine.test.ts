import { describe, expect, it } from 'vitest';
import { announcedToReachable } from '../../../src/drill/engine.js';
import type { Runtime } from '../../../src/runtime/types.js';
import { seedTopology } from './fixtures.js';

describe('announcedToReachable', () => {
  it('maps announced addresses the client cannot use to the runtime endpoints', () => {
    const t = seedTopology();
    const rt = {
      topology: t,
      endpoint: (s: string) => ({ host: '127.0.0.1', port: 6379 + t.masters[0]!.nodes.findIndex((n) => n.service === s) }),
    } as unknown as Runtime;
    expect(announcedToReachable(rt)).toEqual({
      '172.18.0.2:6379': { host: '127.0.0.1', port: 6379 },
      '172.18.0.3:6379': { host: '127.0.0.1', port: 6380 },
      '172.18.0.4:6379': { host: '127.0.0.1', port: 6381 },
    });
  });

  it('needs no map in host mode', () => {
    const t = seedTopology();
    for (const n of t.masters[0]!.nodes) n.announce = null;
    expect(announcedToReachable({ topology: t, endpoint: () => ({ host: '127.0.0.1', port: 1 }) } as unknown as Runtime)).toBeUndefined();
  });
});

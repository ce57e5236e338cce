/**
 * ACL users in sentinel.conf restrict the bundled sentinel exactly as they restrict
 * redis-sentinel 7.0: the same config (requirepass plus restricted `user` lines, like a peer
 * user for sentinel-user / sentinel-pass), the same random command sequences as random users,
 * byte-for-byte the same replies (NOPERM for commands and channels, ACL WHOAMI / DRYRUN).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../../src/sentinel/resp/encoder.js';
import { freePort } from '../../helpers/ports.js';
import { startSentinel, stopAll, type Proc } from '../../helpers/procs.js';
import { exchange, show } from './wire.js';

const RUNS = Number(process.env.HARDENING_ACL_RUNS ?? 40);

const USERS: Record<string, { pass: string; rules: string }> = {
  peer: { pass: 'peerpw', rules: '+ping +publish &__sentinel__:hello +client|setname' },
  ro: { pass: 'ropw', rules: '+@all -@admin -@dangerous resetchannels &ev*' },
  subonly: { pass: 'subpw', rules: '-@all +subscribe +psubscribe +unsubscribe +punsubscribe &__sentinel__:* &plain' },
  adm: { pass: 'admpw', rules: 'allcommands allchannels' },
  mixed: { pass: 'mixpw', rules: '+@all -client +client|getname -sentinel +sentinel|get-master-addr-by-name +@admin -acl|list' },
  off: { pass: 'offpw', rules: '+@all' },
};

let real: Proc;
let ours: Proc;

beforeAll(async () => {
  const dead = await freePort();
  const conf = [
    'requirepass defpw',
    ...Object.entries(USERS).map(([n, u]) => `user ${n} ${n === 'off' ? 'off' : 'on'} >${u.pass} ${u.rules}`),
    `sentinel monitor m 127.0.0.1 ${dead} 2`,
  ];
  [real, ours] = await Promise.all([
    startSentinel('acl-real', { implementation: 'redis', conf }),
    startSentinel('acl-ours', { implementation: 'bundled', conf }),
  ]);
});

afterAll(async () => {
  await stopAll();
});

const who = fc.constantFrom(...Object.keys(USERS), 'default', 'nobody');
const command = fc.constantFrom<string[]>(
  ['PING'],
  ['PING', 'x'],
  ['CLIENT', 'GETNAME'],
  ['CLIENT', 'SETNAME', 'n1'],
  ['CLIENT', 'KILL', 'ID', '999999'],
  ['CLIENT', 'LIST', 'ID', '999999'],
  ['PUBLISH', '__sentinel__:hello', 'x'],
  ['PUBLISH', 'other', 'x'],
  ['SUBSCRIBE', '__sentinel__:hello'],
  ['SUBSCRIBE', 'plain', 'other'],
  ['SUBSCRIBE', 'evening'],
  ['PSUBSCRIBE', '__sentinel__:*'],
  ['PSUBSCRIBE', '*'],
  ['PSUBSCRIBE', 'ev*'],
  // Without arguments Redis answers in its hash table's (per-process random) order: name them.
  ['UNSUBSCRIBE', 'plain', '__sentinel__:hello'],
  ['PUNSUBSCRIBE', '*'],
  ['ROLE'],
  ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm'],
  ['SENTINEL', 'CKQUORUM', 'm'],
  ['SENTINEL', 'SET', 'm', 'quorum', '2'],
  ['SENTINEL', 'FLUSHCONFIG'],
  ['ACL', 'WHOAMI'],
  ['ACL', 'USERS'],
  // ACL LIST / GETUSER describe the rules in a form Redis derives from its bitmaps (subcommands
  // in hash order), so they are compared by what they allow (DRYRUN) rather than by text.
  ['ACL', 'DRYRUN', 'ro', 'CLIENT', 'KILL', 'ID', '1'],
  ['ACL', 'DRYRUN', 'subonly', 'PSUBSCRIBE', '__sentinel__:*'],
  ['ACL', 'DRYRUN', 'subonly', 'SUBSCRIBE', '__sentinel__:hello', 'nope'],
  ['ACL', 'DRYRUN', 'mixed', 'SENTINEL', 'MYID'],
  ['ACL', 'DRYRUN', 'mixed', 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'm'],
  ['ACL', 'DRYRUN', 'mixed', 'ACL', 'LIST'],
  ['ACL', 'DRYRUN', 'off', 'PING'],
  ['ACL', 'DRYRUN', 'peer', 'PING'],
  ['ACL', 'DRYRUN', 'peer', 'INFO'],
  ['ACL', 'DRYRUN', 'peer', 'PUBLISH', 'x', 'y'],
  ['ACL', 'DRYRUN', 'ro', 'PUBLISH', 'evx', 'y'],
  ['ACL', 'DRYRUN', 'mixed', 'CLIENT', 'KILL', 'ID', '1'],
  ['COMMAND', 'COUNT'],
  ['HELLO', '3', 'AUTH', 'peer', 'peerpw'],
  ['AUTH', 'peer', 'wrong'],
);

function login(user: string): string[] | null {
  if (user === 'default') return ['AUTH', 'defpw'];
  const u = USERS[user];
  return ['AUTH', user, u ? u.pass : 'whatever'];
}

describe('ACL users: the bundled sentinel enforces them as redis-sentinel does', () => {
  it('same replies for random commands as random users', async () => {
    await fc.assert(
      fc.asyncProperty(who, fc.array(command, { minLength: 1, maxLength: 8 }), async (user, cmds) => {
        const input = Buffer.concat([encodeCommand(login(user)!), ...cmds.map((c) => encodeCommand(c))]);
        let [r, o] = await Promise.all([exchange(real.port, input), exchange(ours.port, input)]);
        // Quiet for 150 ms means done on an idle machine; on a loaded one, look again patiently.
        if (r.closed !== o.closed || r.bytes.length !== o.bytes.length) {
          [r, o] = await Promise.all([exchange(real.port, input, { quietMs: 1500 }), exchange(ours.port, input, { quietMs: 1500 })]);
        }
        // HELLO's reply carries the connection id, the one value that differs by nature.
        const norm = (b: Buffer) => show(b, 100_000).replace(/\$2\\r\\nid\\r\\n:\d+/g, 'id:ID');
        const why = `as ${user}: ${cmds.map((c) => c.join(' ')).join(' | ')}\nredis-sentinel: ${norm(r.bytes)}\nours:           ${norm(o.bytes)}`;
        expect(norm(o.bytes), why).toBe(norm(r.bytes));
        expect(o.closed, why).toBe(r.closed);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Does the ledger survive a Redis failover in the middle of its traffic? Two ways a master goes:
 * it hangs (paused: it keeps its connections and answers nothing, as a stuck server does) and the
 * sentinels fail over; or an operator moves it (SENTINEL FAILOVER). Each test asserts that the
 * ledger takes postings again within a bound that follows from the Sentinel timing of the spec,
 * and that every posting it acknowledged is on the new master afterwards, counted exactly once.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { openTopology, type FailoverResult, type MasterChange, type Topology } from 'sentinel-compose';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { Ledger } from '../src/ledger.js';
import { Traffic } from './traffic.js';

const conn = inject('redis');
const timing = inject('timing');
const group = conn.name;
// The bounds follow from the spec's Sentinel timing, not from how fast this machine is today
// (typically it takes a fraction of them: see the figures each test prints):
// - the master moves within down-after-milliseconds (detecting a hung master) plus
//   failover-timeout (after which Sentinel counts the failover as failed) of the fault;
const masterMovesWithinMs = timing.downAfterMs + timing.failoverTimeoutMs;
// - once it has moved and the old master is back, Sentinel reconfigures every replica (the old
//   master too) within failover-timeout; a ledger that waits for every replica takes postings
//   again by then, or it never recovered.
const ackedAgainWithinMs = timing.failoverTimeoutMs;

let topology: Topology;
let ledger: Ledger;

beforeAll(async () => {
  topology = await openTopology(inject('topologyDir'));
  const { replicas } = (await topology.masters())[group]!;
  // Acknowledge a posting once every replica has it (see Ledger.post for why every one).
  ledger = await Ledger.connect(conn, { replicas: replicas.length });
});

afterAll(() => ledger?.close());

// Each test starts from a topology where every node is up, replicating and agreed on.
beforeEach(async () => {
  await topology.waitHealthy({ timeoutMs: 60_000 });
});

async function currentMaster(): Promise<string> {
  const { master } = (await topology.masters())[group]!;
  if (!master.service) throw new Error(`the sentinels name ${master.host}:${master.port}, which is no service of the topology`);
  return master.service;
}

interface Run {
  traffic: Traffic;
  /** performance.now() when the fault began, and when it was over (the master had moved, the old one was back). */
  faultAt: number;
  movedAt: number;
}

/** Runs traffic, applies the fault, waits until postings are acknowledged again, and stops the traffic. */
async function duringTraffic(account: string, fault: () => Promise<void>): Promise<Run> {
  const traffic = new Traffic(ledger, account);
  traffic.start();
  try {
    // The ledger works before the fault: otherwise the test would prove nothing.
    await traffic.ackedAfter(0, 50, 10_000);
    const faultAt = performance.now();
    await fault();
    const movedAt = performance.now();
    // Writes succeed again: 20 postings issued after that are acknowledged, within the bound.
    await traffic.ackedAfter(movedAt, 20, ackedAgainWithinMs);
    return { traffic, faultAt, movedAt };
  } finally {
    await traffic.stop();
  }
}

/** Every acknowledged posting is on the master the sentinels name now, and the balance counts each stored posting once. */
async function expectNothingAcknowledgedLost(traffic: Traffic, account: string): Promise<void> {
  // Once healthy again, every replica (the old master too) follows the new master with its link up.
  await topology.waitHealthy({ timeoutMs: 60_000 });
  const { master } = (await topology.masters())[group]!;
  // Straight to the master, not through the ledger: this check must not share the ledger's routing.
  const direct = new Redis({ host: master.host, port: master.port, password: conn.password, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await direct.connect();
    expect((await direct.role())[0], `${master.service} is named master by the sentinels`).toBe('master');
    const stored = await direct.hgetall('ledger:postings');
    const lost = traffic.acked.map((o) => o.posting.id).filter((id) => !(id in stored));
    expect(lost, 'acknowledged postings missing on the new master').toEqual([]);
    // Unacknowledged postings may or may not have been applied; whatever was, counts exactly once.
    const mine = Object.entries(stored).filter(([id]) => id.startsWith(`${account}-`));
    const sum = mine.reduce((total, [, json]) => total + (JSON.parse(json) as { amountCents: number }).amountCents, 0);
    expect(Number(await direct.hget('ledger:balances', account))).toBe(sum);
  } finally {
    direct.disconnect();
  }
  // And the application itself reads its postings back, through Sentinel.
  for (const o of traffic.acked.slice(-20)) expect(await ledger.get(o.posting.id)).toEqual(o.posting);
}

/** The figures of a run, printed for the person reading the test output (no assert on them). */
function report(name: string, { traffic, faultAt, movedAt }: Run, what: string): void {
  // The longest time without an acknowledgement, from the fault on: what the ledger's users saw.
  const acks = traffic.acked.map((o) => o.settledAt); // in the order they settled
  let outage = 0;
  for (let i = 1; i < acks.length; i++) if (acks[i]! >= faultAt) outage = Math.max(outage, acks[i]! - acks[i - 1]!);
  const refused = traffic.outcomes.length - traffic.acked.length;
  console.log(
    `${name}: ${what}; fault over after ${Math.round(movedAt - faultAt)} ms; no posting acknowledged for ${Math.round(outage)} ms; ` +
      `${traffic.acked.length} acknowledged, ${refused} refused`,
  );
}

describe('the ledger through a Redis failover', () => {
  it('loses no acknowledged posting when the master hangs and the sentinels fail over', async () => {
    const account = 'acct-pause';
    const old = await currentMaster();
    let change: MasterChange | undefined;
    const run = await duringTraffic(account, async () => {
      await topology.pause(old);
      try {
        // Counted from when the runtime says the master is frozen (docker pause itself takes a while).
        change = await topology.waitForMasterChange(group, { from: old, timeoutMs: masterMovesWithinMs });
      } finally {
        // The old master comes back and must rejoin as a replica of the new one.
        await topology.unpause(old);
      }
    });
    expect(change!.to.service).not.toBe(old);
    report('pause', run, `${old} paused, master moved to ${change!.to.service} ${change!.ms} ms later`);
    await expectNothingAcknowledgedLost(run.traffic, account);
  });

  it('loses no acknowledged posting in a manual failover (SENTINEL FAILOVER)', async () => {
    const account = 'acct-failover';
    const old = await currentMaster();
    let result: FailoverResult | undefined;
    const run = await duringTraffic(account, async () => {
      result = await topology.failover(group, { timeoutMs: masterMovesWithinMs });
    });
    expect(result!.to?.service).not.toBe(old);
    report('failover', run, `master moved from ${old} to ${result!.to?.service} in ${result!.ms} ms`);
    await expectNothingAcknowledgedLost(run.traffic, account);
  });
});

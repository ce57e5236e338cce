/**
 * The seed's failover log (the blog post's sentinel output, redis-slave_2 promoted) as recorded
 * events, plus a small topology whose addresses match it, so that measurements and reports are
 * tested against the story the product has to tell.
 */
import { AddressBook } from '../../../src/runtime/observe/addresses.js';
import type { RunEvent } from '../../../src/drill/checks.js';
import { parseEvent } from '../../../src/drill/events.js';
import type { RedisNode, SentinelNode, Topology } from '../../../src/topology/types.js';

export const SEED_LOG = `1:X 25 Apr 2020 16:45:19.926 # +sdown master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:19.990 # +odown master mymaster 172.18.0.2 6379 #quorum 2/2
1:X 25 Apr 2020 16:45:19.993 # +new-epoch 1
1:X 25 Apr 2020 16:45:19.995 # +try-failover master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:20.004 # +vote-for-leader ecb11c27c44887abfd777f53c5c40e921c160981 1
1:X 25 Apr 2020 16:45:20.061 # +elected-leader master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:20.064 # +failover-state-select-slave master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:20.124 # +selected-slave slave 172.18.0.4:6379 172.18.0.4 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:20.126 * +failover-state-send-slaveof-noone slave 172.18.0.4:6379 172.18.0.4 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:20.215 * +failover-state-wait-promotion slave 172.18.0.4:6379 172.18.0.4 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:21.039 # +promoted-slave slave 172.18.0.4:6379 172.18.0.4 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:21.041 # +failover-state-reconf-slaves master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:21.117 * +slave-reconf-sent slave 172.18.0.3:6379 172.18.0.3 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:22.055 * +slave-reconf-inprog slave 172.18.0.3:6379 172.18.0.3 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:22.058 * +slave-reconf-done slave 172.18.0.3:6379 172.18.0.3 6379 @ mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:22.107 # -odown master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:22.110 # +failover-end master mymaster 172.18.0.2 6379
1:X 25 Apr 2020 16:45:22.113 # +switch-master mymaster 172.18.0.2 6379 172.18.0.4 6379
1:X 25 Apr 2020 16:45:22.115 * +slave slave 172.18.0.3:6379 172.18.0.3 6379 @ mymaster 172.18.0.4 6379
1:X 25 Apr 2020 16:45:22.118 * +slave slave 172.18.0.2:6379 172.18.0.2 6379 @ mymaster 172.18.0.4 6379
1:X 25 Apr 2020 16:45:52.123 # +sdown slave 172.18.0.2:6379 172.18.0.2 6379 @ mymaster 172.18.0.4 6379`;

/** Bridge-mode nodes as the seed's containers: master .2, slave_1 .3, slave_2 .4. */
export function seedTopology(): Topology {
  const redis = (service: string, ip: string, index: number): RedisNode => ({
    kind: 'redis',
    service,
    group: 'mymaster',
    initialRole: index === 0 ? 'master' : 'replica',
    index,
    replicaPriority: 100,
    port: 6379,
    hostPort: 6379 + index,
    bind: ['0.0.0.0'],
    announce: { ip, port: 6379 },
    local: { host: `127.0.0.${index + 2}`, port: 6379 },
  });
  const sentinel = (i: number): SentinelNode => ({
    kind: 'sentinel',
    service: `redis-sentinel-${i}`,
    index: i,
    port: 26379,
    hostPort: 26378 + i,
    bind: ['0.0.0.0'],
    announce: { ip: `172.18.0.${4 + i}`, port: 26379 },
    local: { host: `127.0.0.${5 + i}`, port: 26379 },
  });
  return {
    version: 1,
    project: 'seed',
    network: 'bridge',
    timezone: 'Asia/Shanghai',
    images: { redis: 'redis:7.0', node: 'node:20-bookworm-slim', sentinel: 'x' },
    auth: {
      redisPassword: false,
      sentinelPassword: false,
      redisPasswordVar: 'REDIS_PASSWORD',
      sentinelPasswordVar: 'SENTINEL_PASSWORD',
      dataUser: null,
      sentinelUser: null,
    },
    clientHost: '127.0.0.1',
    masters: [
      {
        name: 'mymaster',
        quorum: 2,
        downAfterMs: 30000,
        failoverTimeoutMs: 180000,
        parallelSyncs: 1,
        persistence: 'none',
        minReplicasToWrite: 0,
        minReplicasMaxLag: 10,
        nodes: [redis('redis-master', '172.18.0.2', 0), redis('redis-replica-1', '172.18.0.3', 1), redis('redis-replica-2', '172.18.0.4', 2)],
      },
    ],
    sentinels: [sentinel(1), sentinel(2), sentinel(3)],
    sentinel: { implementation: 'redis' },
  };
}

export const LEADER_ID = 'ecb11c27c44887abfd777f53c5c40e921c160981';

export function seedBook(): AddressBook {
  const book = new AddressBook(seedTopology());
  book.addSentinelId(LEADER_ID, 'redis-sentinel-1');
  return book;
}

/**
 * The log as events received by the recorder from one sentinel, t = 0 being the pause; the post
 * does not say when it paused, so down-after (30 s) before the +sdown is taken.
 */
export function seedEvents(book = seedBook(), sentinel = 'redis-sentinel-1'): RunEvent[] {
  const first = stamp(SEED_LOG.split('\n')[0]!);
  const t0 = first - 30_000;
  return SEED_LOG.split('\n').map((line) => {
    const m = /^\S+ \d+ \w+ \d+ [\d:.]+ [#*] (\S+) ?(.*)$/.exec(line)!;
    const channel = m[1]!;
    const message = m[2]!;
    const parsed = parseEvent(channel, message);
    return {
      t: stamp(line) - t0,
      sentinel,
      channel,
      message,
      parsed,
      instanceService: parsed.instance ? book.service(parsed.instance.addr) : null,
      switchedTo: channel === '+switch-master' ? book.service(parsed.extra) : null,
    };
  });
}

function stamp(line: string): number {
  const time = /(\d+):(\d+):(\d+)\.(\d+)/.exec(line)!;
  return ((Number(time[1]) * 60 + Number(time[2])) * 60 + Number(time[3])) * 1000 + Number(time[4]);
}

/**
 * The iptables rules of a network partition, as pure data: which packets each container drops
 * so that every link between one side and the other is cut, both ways.
 *
 * In bridge mode the nodes do not talk to each other's container addresses: every node announces
 * the host's address and its published port, so a sentinel reaches the master through
 * `host.docker.internal:<published port>` and the master sees it coming from the network's gateway
 * (Docker's userland proxy), exactly like a client on the host. The master's namespace therefore
 * cannot tell a peer from the drill's client on the host; the peers' namespaces can. So each
 * container drops, for every peer on the other side:
 *   - the peer's container addresses, in and out (a node that reaches a peer directly);
 *   - the peer's published port on the host addresses, out, and replies from it, in (the path
 *     the announced addresses take).
 * A client on the host connecting to a published port is never matched: its packets come from the
 * gateway with an ephemeral source port and go to the container's own port. That keeps the
 * drill's clients on both sides of the cut, which is what lets a client keep writing to a master
 * that the sentinels and replicas no longer reach.
 *
 * Every rule lives in one chain of our own, jumped to from INPUT and OUTPUT, so healing removes
 * exactly what the drill added and nothing else the container may have.
 */

/** The chain the drill's rules live in, in each affected container's network namespace. */
export const PARTITION_CHAIN = 'SC-PARTITION';

export interface PartitionMember {
  service: string;
  /** The container's addresses on its networks. */
  ips: string[];
  /** The port a node reaches it at through the host (published port). */
  hostPort: number;
}

/** One container's rules: iptables arguments after `-A SC-PARTITION`. */
export interface ContainerRules {
  service: string;
  rules: string[][];
}

/**
 * The rules for cutting every link between `a` and `b`. `hostAddresses`: the addresses through
 * which containers reach published ports (the announced host, the networks' gateways).
 */
export function partitionRules(a: readonly PartitionMember[], b: readonly PartitionMember[], hostAddresses: readonly string[]): ContainerRules[] {
  const overlap = a.filter((x) => b.some((y) => y.service === x.service));
  if (overlap.length) throw new Error(`a service cannot be on both sides of a partition: ${overlap.map((x) => x.service).join(', ')}`);
  const hosts = [...new Set(hostAddresses)].sort();
  const rulesAgainst = (peers: readonly PartitionMember[]): string[][] => {
    const out: string[][] = [];
    for (const p of peers) {
      for (const ip of [...new Set(p.ips)].sort()) {
        out.push(['-d', ip, '-j', 'DROP']);
        out.push(['-s', ip, '-j', 'DROP']);
      }
      for (const h of hosts) {
        out.push(['-d', h, '-p', 'tcp', '--dport', String(p.hostPort), '-j', 'DROP']);
        out.push(['-s', h, '-p', 'tcp', '--sport', String(p.hostPort), '-j', 'DROP']);
      }
    }
    return out;
  };
  return [...a.map((m) => ({ service: m.service, rules: rulesAgainst(b) })), ...b.map((m) => ({ service: m.service, rules: rulesAgainst(a) }))];
}

/** Input for `iptables-restore --noflush`: the chain, the jumps to it, its rules, in one transaction. */
export function restoreInput(rules: readonly string[][]): string {
  return [
    '*filter',
    `:${PARTITION_CHAIN} - [0:0]`,
    `-I INPUT 1 -j ${PARTITION_CHAIN}`,
    `-I OUTPUT 1 -j ${PARTITION_CHAIN}`,
    ...rules.map((r) => `-A ${PARTITION_CHAIN} ${r.join(' ')}`),
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * Removes the jumps and the chain (every copy of a jump, in case a cut was applied twice), then
 * prints what is left of ours: nothing when healed. Missing pieces are not errors: healing twice,
 * or after the container restarted with a fresh namespace, is fine.
 */
export const HEAL_SCRIPT = [
  `while iptables -D INPUT -j ${PARTITION_CHAIN} 2>/dev/null; do :; done`,
  `while iptables -D OUTPUT -j ${PARTITION_CHAIN} 2>/dev/null; do :; done`,
  `iptables -F ${PARTITION_CHAIN} 2>/dev/null`,
  `iptables -X ${PARTITION_CHAIN} 2>/dev/null`,
  `iptables -S | grep -e ${PARTITION_CHAIN} || true`,
].join('; ');

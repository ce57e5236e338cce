/**
 * Reading sentinel pub/sub events. Most messages describe an instance the way sentinel.c's
 * event function prints one: `<master|slave|sentinel> <name> <ip> <port>`, followed for replicas
 * and sentinels by `@ <master-name> <master-ip> <master-port>`, then free text. A few
 * (`+new-epoch`, `+vote-for-leader`, `+switch-master`, `+tilt`) have their own shapes.
 */

export interface ParsedEvent {
  channel: string;
  /** The instance the event is about, when it names one. */
  instance: { type: 'master' | 'slave' | 'sentinel'; name: string; addr: string } | null;
  /** The master group it concerns, when the message says (null: +new-epoch, +tilt, ...). */
  group: string | null;
  /** Address of the group's master as the sentinel had it when it sent the event. */
  masterAddr: string | null;
  /** Whatever follows the instance description. */
  extra: string;
}

const INSTANCE_TYPES = new Set(['master', 'slave', 'sentinel']);

export function parseEvent(channel: string, message: string): ParsedEvent {
  const words = message.trim().split(/\s+/).filter(Boolean);
  if (channel === '+switch-master' && words.length >= 5) {
    return { channel, instance: null, group: words[0]!, masterAddr: `${words[1]}:${words[2]}`, extra: `${words[3]}:${words[4]}` };
  }
  const type = words[0];
  if (type && INSTANCE_TYPES.has(type) && words.length >= 4) {
    const instance = { type: type as 'master' | 'slave' | 'sentinel', name: words[1]!, addr: `${words[2]}:${words[3]}` };
    let rest = words.slice(4);
    if (type === 'master') {
      return { channel, instance, group: instance.name, masterAddr: instance.addr, extra: rest.join(' ') };
    }
    if (rest[0] === '@' && rest.length >= 4) {
      const group = rest[1]!;
      const masterAddr = `${rest[2]}:${rest[3]}`;
      rest = rest.slice(4);
      return { channel, instance, group, masterAddr, extra: rest.join(' ') };
    }
    return { channel, instance, group: null, masterAddr: null, extra: rest.join(' ') };
  }
  return { channel, instance: null, group: null, masterAddr: null, extra: words.join(' ') };
}

/** `+vote-for-leader <runid> <epoch>`. */
export function parseVote(message: string): { runId: string; epoch: number } | null {
  const [runId, epoch] = message.trim().split(/\s+/);
  if (!runId || epoch === undefined || !/^\d+$/.test(epoch)) return null;
  return { runId, epoch: Number(epoch) };
}

/**
 * Whether an event belongs to a run on `group`: it names the group, or names no group at all
 * (epochs, votes, TILT), which during a run can only come from that run's failover.
 */
export function concernsGroup(e: ParsedEvent, group: string): boolean {
  return e.group === null || e.group === group;
}

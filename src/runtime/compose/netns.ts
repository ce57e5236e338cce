/**
 * Where the Docker engine's network is, seen from this process (Linux): a dockerd on this
 * machine whose network namespace is not ours publishes its ports in that namespace only, so
 * nothing here can reach them. Read from /proc; anything unreadable means "don't know".
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';

export interface EngineNetns {
  /** pid of the dockerd found. */
  pid: number;
  /** Whether it shares this process's network namespace. */
  same: boolean;
  /** Its name under /var/run/netns (`ip netns`), when it has one. */
  name?: string;
}

/** The local dockerd's network namespace relative to ours, or null when none is found (remote engine, VM, another OS). */
export function engineNetns(proc = '/proc', netnsDir = '/var/run/netns'): EngineNetns | null {
  let own: string;
  try {
    own = readlinkSync(path.join(proc, 'self', 'ns', 'net'));
  } catch {
    return null;
  }
  for (const entry of safeList(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(path.join(proc, entry, 'comm'), 'utf8').trim() !== 'dockerd') continue;
      const ns = readlinkSync(path.join(proc, entry, 'ns', 'net'));
      const found: EngineNetns = { pid: Number(entry), same: ns === own };
      if (!found.same) {
        // net:[4026532318] -> the inode that `ip netns add NAME` bind-mounts at /var/run/netns/NAME.
        const inode = Number(/\[(\d+)\]/.exec(ns)?.[1]);
        const name = safeList(netnsDir).find((n) => statSafe(path.join(netnsDir, n)) === inode);
        if (name) found.name = name;
      }
      return found;
    } catch {
      /* gone, or not ours to read */
    }
  }
  return null;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function statSafe(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

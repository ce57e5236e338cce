/**
 * The hello message sentinels publish on `__sentinel__:hello` (through every master and replica,
 * and directly to every other sentinel):
 *
 *   sentinel_ip,sentinel_port,sentinel_runid,current_epoch,master_name,master_ip,master_port,master_config_epoch
 *
 * Redis splits on "," and ignores messages that do not have exactly 8 fields.
 */
import { atoi } from './info-parse.js';

export interface Hello {
  ip: string;
  port: number;
  runid: string;
  currentEpoch: number;
  masterName: string;
  masterIp: string;
  masterPort: number;
  masterConfigEpoch: number;
}

export function buildHello(h: Hello): string {
  return [h.ip, h.port, h.runid, h.currentEpoch, h.masterName, h.masterIp, h.masterPort, h.masterConfigEpoch].join(',');
}

/** strtoull: leading digits, 0 when none. */
function toEpoch(s: string): number {
  const m = /^\s*\+?(\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

export function parseHello(payload: string): Hello | null {
  const t = payload.split(',');
  if (t.length !== 8) return null;
  return {
    ip: t[0]!,
    port: atoi(t[1]!),
    runid: t[2]!,
    currentEpoch: toEpoch(t[3]!),
    masterName: t[4]!,
    masterIp: t[5]!,
    masterPort: atoi(t[6]!),
    masterConfigEpoch: toEpoch(t[7]!),
  };
}

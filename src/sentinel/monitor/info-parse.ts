/**
 * Reading the INFO reply of a monitored master or replica: the fields Sentinel keeps, parsed the
 * way Redis parses them (run_id only when 40 characters follow, both `slaveN:` formats,
 * master_link_down_since_seconds in seconds turned into ms, and so on). Pure: no state touched.
 */
import { SRI, type RoleFlag } from '../state/flags.js';

export interface ParsedInfo {
  runId: string | null;
  /** 0 when no role line was found. */
  role: RoleFlag | 0;
  /** ms; 0 when the line is absent (Redis resets it on every INFO). */
  masterLinkDownTime: number;
  // The next fields are only read after `role:slave` (as Redis does), null when absent.
  masterHost: string | null;
  masterPort: number | null;
  masterLinkUp: boolean | null;
  slavePriority: number | null;
  slaveReplOffset: number | null;
  replicaAnnounced: number | null;
  /** Replicas a master lists (`slaveN:` lines). */
  replicas: Array<{ ip: string; port: number }>;
}

/** C's atoi: leading whitespace, optional sign, digits; 0 when none. */
export function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1]!, 10) : 0;
}

export function parseInfo(info: string): ParsedInfo {
  const out: ParsedInfo = {
    runId: null,
    role: 0,
    masterLinkDownTime: 0,
    masterHost: null,
    masterPort: null,
    masterLinkUp: null,
    slavePriority: null,
    slaveReplOffset: null,
    replicaAnnounced: null,
    replicas: [],
  };
  let role: RoleFlag | 0 = 0;
  for (const l of info.split('\r\n')) {
    if (l.length >= 47 && l.startsWith('run_id:')) out.runId = l.slice(7, 47);

    if (l.length >= 7 && l.startsWith('slave') && l[5]! >= '0' && l[5]! <= '9') {
      const r = parseReplicaLine(l);
      if (r) out.replicas.push(r);
    }

    if (l.length >= 32 && l.startsWith('master_link_down_since_seconds')) {
      out.masterLinkDownTime = atoi(l.slice(31)) * 1000;
    }

    if (l.length >= 11 && l.startsWith('role:master')) role = SRI.MASTER;
    else if (l.length >= 10 && l.startsWith('role:slave')) role = SRI.SLAVE;

    if (role === SRI.SLAVE) {
      if (l.length >= 12 && l.startsWith('master_host:')) out.masterHost = l.slice(12);
      if (l.length >= 12 && l.startsWith('master_port:')) out.masterPort = atoi(l.slice(12));
      if (l.length >= 19 && l.startsWith('master_link_status:')) out.masterLinkUp = l.slice(19).toLowerCase() === 'up';
      if (l.length >= 15 && l.startsWith('slave_priority:')) out.slavePriority = atoi(l.slice(15));
      if (l.length >= 18 && l.startsWith('slave_repl_offset:')) out.slaveReplOffset = parseOffset(l.slice(18));
      if (l.length >= 18 && l.startsWith('replica_announced:')) out.replicaAnnounced = atoi(l.slice(18));
    }
  }
  out.role = role;
  return out;
}

function parseOffset(s: string): number {
  const m = /^\s*(\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** `slave0:ip=127.0.0.1,port=6380,state=online,...` or the old `slave0:<ip>,<port>,<state>`. */
export function parseReplicaLine(l: string): { ip: string; port: number } | null {
  if (!l.includes('ip=')) {
    const colon = l.indexOf(':');
    if (colon < 0) return null;
    const parts = l.slice(colon + 1).split(',');
    if (parts.length < 3) return null;
    return { ip: parts[0]!, port: atoi(parts[1]!) };
  }
  const ipAt = l.indexOf('ip=');
  const portAt = l.indexOf('port=');
  if (portAt < 0) return null;
  const ip = l.slice(ipAt + 3).split(',')[0]!;
  const port = atoi(l.slice(portAt + 5).split(',')[0]!);
  return { ip, port };
}

/**
 * User scripts on real processes: the notification script runs for warning-level events of the
 * master, the client reconfiguration script with `<master> <role> start <from> <to>` on failover.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/procs.js';
import { masterAddr, startTopology, stopTopology, waitDiscovered, waitFor, type Topology } from './topology.js';

let t: Topology | undefined;
afterEach(async () => {
  await stopTopology(t);
  t = undefined;
});

describe('user scripts', () => {
  it('notification-script and client-reconfig-script run with Redis arguments', async () => {
    const dir = tempDir('sc-scripts-');
    const notes = path.join(dir, 'notes.log');
    const reconf = path.join(dir, 'reconf.log');
    const note = path.join(dir, 'note.sh');
    const rec = path.join(dir, 'reconf.sh');
    writeFileSync(note, `#!/bin/sh\necho "$@" >> ${notes}\n`);
    writeFileSync(rec, `#!/bin/sh\necho "$@" >> ${reconf}\n`);
    chmodSync(note, 0o755);
    chmodSync(rec, 0o755);
    t = await startTopology({
      sentinels: ['bundled', 'bundled', 'bundled'],
      sentinelConf: [`sentinel notification-script mymaster ${note}`, `sentinel client-reconfig-script mymaster ${rec}`],
    });
    await waitDiscovered(t);
    t.master.pause();
    await waitFor('all switched', async () => {
      const a = await Promise.all(t!.sentinels.map((s) => masterAddr(s.port)));
      return a.every((x) => x !== `127.0.0.1:${t!.master.port}` && x === a[0]) ? [] : a;
    });
    const to = (await masterAddr(t.sentinels[0]!.port)).split(':');
    const read = (f: string) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    await waitFor('scripts ran', async () => {
      const r = read(reconf).trim().split('\n').filter(Boolean);
      return r.length >= 3 && read(notes).includes('+switch-master') ? [] : [`${r.length} reconf lines`];
    });
    const lines = read(reconf).trim().split('\n');
    const from = `127.0.0.1 ${t.master.port}`;
    expect(lines.filter((l) => l === `mymaster leader start ${from} ${to[0]} ${to[1]}`)).toHaveLength(1);
    expect(lines.filter((l) => l === `mymaster observer start ${from} ${to[0]} ${to[1]}`)).toHaveLength(2);
    expect(read(notes)).toContain(`+sdown master mymaster ${from}`);
    expect(read(notes)).toContain(`+switch-master mymaster ${from} ${to[0]} ${to[1]}`);
  });
});

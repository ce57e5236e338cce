/**
 * Partition drills need Docker with bridge networking: named on the command line, they are refused
 * elsewhere (exit 2) with a message that says which runtime and network mode can run them, before
 * anything starts; under `all` they are skipped with the same reason.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli-inproc.js';
import { removeDir, tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function project(network: 'host' | 'bridge'): string {
  const cwd = tempDir('sc-partition-refused-');
  dirs.push(cwd);
  writeFileSync(path.join(cwd, 'sentinel-compose.yaml'), `project: scpartref\nnetwork: ${network}\nports: {redis: 16390, sentinel: 36390}\n`);
  return cwd;
}

describe('partition scenarios where links cannot be cut', () => {
  for (const [network, runtime, words] of [
    ['host', 'local', /local runtime cannot cut network links/],
    ['bridge', 'local', /local runtime cannot cut network links/],
    ['host', 'docker', /network: host/],
  ] as const) {
    it(`--runtime ${runtime}, network: ${network}: exit 2 naming Docker with bridge networking, nothing started`, async () => {
      const cwd = project(network);
      const r = await runCli(['drill', 'master-partition', 'replica-partition', '--up', '--runtime', runtime], cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(words);
      expect(r.stderr).toContain('master-partition');
      expect(r.stderr).toContain('replica-partition');
      expect(r.stderr).toContain('network: bridge');
      expect(r.stderr).toContain('--runtime docker');
      // Nothing rendered or started.
      expect(existsSync(path.join(cwd, 'out')) ? readdirSync(path.join(cwd, 'out')) : []).toEqual([]);
    });
  }
});

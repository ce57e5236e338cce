/**
 * The client snippets in a rendered README.md work as written: the ioredis and redis-py code is
 * cut out of the README and run against real redis-server and redis-sentinel processes started
 * on the same addresses (host mode: the local runtime's addresses are the compose ones).
 * Jedis is not installed here; its snippet uses the same address list.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../src/topology/types.js';
import { renderFiles } from '../../src/render/files.js';
import { renderNodeConfig } from '../../src/render/node-config.js';
import { parseSpec } from '../../src/topology/load.js';
import { allNodes } from '../../src/topology/types.js';
import { freeServicePortBlock } from '../helpers/ports.js';
import { repoRoot, startProgram, stopAll, tempDir } from '../helpers/procs.js';

afterAll(stopAll);

const PW = 'snippet-pw';
const SPW = 'snippet-spw';
const hasRedisPy = spawnSync('/usr/bin/python3', ['-c', 'import redis'], { stdio: 'ignore' }).status === 0;

function snippet(readme: string, heading: string, lang: string): string {
  const start = readme.indexOf(heading);
  const open = readme.indexOf('```' + lang + '\n', start);
  const close = readme.indexOf('\n```', open + 4);
  if (start < 0 || open < 0 || close < 0) throw new Error(`no ${lang} snippet after "${heading}"`);
  return readme.slice(open + lang.length + 4, close + 1);
}

describe('README client snippets', () => {
  let readme = '';
  let redisBase = 0;
  const env = { ...process.env, REDIS_PASSWORD: PW, SENTINEL_PASSWORD: SPW };

  beforeAll(async () => {
    redisBase = await freeServicePortBlock(3);
    const sentinelBase = await freeServicePortBlock(3);
    const loaded = parseSpec(
      `ports: {redis: ${redisBase}, sentinel: ${sentinelBase}}\nsentinels: {implementation: redis}\nauth: {password: "\${PW}", sentinel-password: "\${SPW}"}`,
      { env: { PW, SPW } },
    );
    const t: Topology = loaded.topology;
    readme = String(renderFiles(t, loaded.secrets, { specName: 's.yaml', sentinelBundle: { placeholder: true } }).find((f) => f.path === 'README.md')!.content);
    // The topology the README describes, on the same addresses.
    for (const node of allNodes(t)) {
      const dir = tempDir(`sc-snip-${node.service}-`);
      const conf = renderNodeConfig(t, node.service, 'local', loaded.secrets);
      const file = path.join(dir, conf.fileName);
      writeFileSync(file, conf.content, { mode: 0o600 });
      const [cmd, args] = node.kind === 'redis' ? ['redis-server', [file, '--dir', dir]] : ['redis-sentinel', [file]];
      await startProgram(node.service, cmd, args, { host: node.local.host, port: node.local.port, dir });
    }
  });

  it('ioredis snippet writes through the sentinels', () => {
    // The snippet is an ES module with top-level await; close the client so that it exits.
    const code = `${snippet(readme, 'ioredis (Node.js):', 'js')}console.log('value', await redis.get('foo'));\nredis.disconnect();\n`;
    const file = path.join(repoRoot, `.snippet-${process.pid}.mjs`); // inside the repo, to resolve ioredis
    writeFileSync(file, code);
    try {
      const out = execFileSync(process.execPath, [file], { env, encoding: 'utf8', timeout: 30_000 });
      expect(out).toContain('value bar');
    } finally {
      spawnSync('rm', ['-f', file]);
    }
  });

  it.skipIf(!hasRedisPy)('redis-py snippet discovers the master and writes', () => {
    const out = execFileSync('/usr/bin/python3', ['-c', snippet(readme, 'redis-py (Python):', 'python')], { env, encoding: 'utf8', timeout: 30_000 });
    expect(out).toContain(`('127.0.0.1', ${redisBase})`);
  });
});

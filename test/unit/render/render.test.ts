import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../../../src/common/errors.js';
import { BUNDLE_PLACEHOLDER, renderFiles, type RenderedFile } from '../../../src/render/files.js';
import { renderNodeConfig } from '../../../src/render/node-config.js';
import { parseSpec } from '../../../src/topology/load.js';
import { composeSchemaErrors } from '../../helpers/compose-schema.js';

const PW = 'r3dis-pw.x';
const SPW = 'sent/pw_y';
const load = (yaml: string) => parseSpec(yaml, { env: { PW, SPW } });
const render = (yaml: string) => {
  const l = load(yaml);
  return renderFiles(l.topology, l.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } });
};
const file = (files: RenderedFile[], p: string) => {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`no ${p} in ${files.map((x) => x.path).join(', ')}`);
  return String(f.content);
};

const SPECS = {
  host: '',
  bridge: 'network: bridge\ntimezone: Asia/Shanghai',
  auth: 'auth: {password: "${PW}", sentinel-password: "${SPW}"}\nmasters: [{name: orders}, {name: users, replicas: 1}]\nsentinels: {count: 5, implementation: redis}',
  bridgeAuth: 'network: bridge\nbind: 0.0.0.0\nauth: {password: "${PW}", sentinel-password: "${SPW}"}',
  redisImpl: 'sentinels: {implementation: redis}\nredis: {persistence: aof}',
};

describe('render', () => {
  it('is deterministic: same spec, same bytes', () => {
    for (const yaml of Object.values(SPECS)) {
      const a = render(yaml);
      const b = render(yaml);
      expect(a.map((f) => [f.path, String(f.content), f.mode])).toEqual(b.map((f) => [f.path, String(f.content), f.mode]));
    }
  });

  it('writes every compose file valid against the Compose JSON schema', () => {
    for (const [name, yaml] of Object.entries(SPECS)) {
      expect(composeSchemaErrors(file(render(yaml), 'compose.yaml')), name).toEqual([]);
    }
  });

  it('host mode: network_mode host, no ports, distinct ports per node, healthchecks and health-ordered starts', () => {
    const c = parse(file(render(SPECS.host), 'compose.yaml'));
    expect(c.name).toBeUndefined(); // docker-compose 1.29 rejects a top-level name
    const services = Object.entries<Record<string, any>>(c.services);
    expect(services.map(([n]) => n)).toEqual([
      'redis-master',
      'redis-replica-1',
      'redis-replica-2',
      'redis-sentinel-1',
      'redis-sentinel-2',
      'redis-sentinel-3',
    ]);
    for (const [, s] of services) {
      expect(s.network_mode).toBe('host');
      expect(s.ports).toBeUndefined();
      expect(s.healthcheck.test.length).toBeGreaterThan(1);
      expect(s.restart).toBe('unless-stopped');
      // Directories, never single files, are mounted.
      expect(s.volumes[0]).toBe('./bin:/opt/sentinel-compose:ro');
      expect(s.volumes[1]).toMatch(/^\.\/config\/[a-z0-9-]+:\/etc\/sentinel-compose:ro$/);
      expect(s.volumes[2]).toMatch(/^\.\/data\/[a-z0-9-]+:\/data$/);
      expect(s.entrypoint).toEqual(['sh', '/opt/sentinel-compose/start.sh']);
    }
    expect(c.services['redis-replica-1'].depends_on).toEqual({ 'redis-master': { condition: 'service_healthy' } });
    expect(Object.keys(c.services['redis-sentinel-1'].depends_on)).toEqual(['redis-master', 'redis-replica-1', 'redis-replica-2']);
    expect(c.services['redis-sentinel-1'].build).toEqual({ context: './sentinel-image' });
    expect(c.services['redis-sentinel-1'].command).toEqual(['sentinel.conf', 'node', '/app/sentinel.mjs']);
  });

  it('bridge mode: standard ports inside, published ports outside, host-gateway, announce from .env', () => {
    const files = render(SPECS.bridge);
    const c = parse(file(files, 'compose.yaml'));
    expect(c.services['redis-replica-2'].ports).toEqual(['6381:6379']);
    expect(c.services['redis-sentinel-3'].ports).toEqual(['26381:26379']);
    expect(c.services['redis-master'].extra_hosts).toEqual(['host.docker.internal:host-gateway']);
    expect(c.services['redis-master'].network_mode).toBeUndefined();
    expect(c.services['redis-master'].environment.SC_ANNOUNCE_HOST).toMatch(/^\$\{SC_ANNOUNCE_HOST:\?/);
    expect(c.services['redis-master'].environment.TZ).toBe('Asia/Shanghai');
    expect(file(files, '.env')).toMatch(/^SC_ANNOUNCE_HOST=host.docker.internal$/m);
    const replica = file(files, 'config/redis-replica-1/redis.conf');
    expect(replica).toMatch(/^replicaof \$\{SC_ANNOUNCE_HOST\} 6379$/m);
    expect(replica).toMatch(/^replica-announce-ip \$\{SC_ANNOUNCE_HOST\}$/m);
    expect(replica).toMatch(/^replica-announce-port 6380$/m);
    expect(replica).toMatch(/^port 6379$/m);
    const sentinel = file(files, 'config/redis-sentinel-2/sentinel.conf');
    expect(sentinel).toMatch(/^sentinel resolve-hostnames yes$/m);
    expect(sentinel).toMatch(/^sentinel announce-ip \$\{SC_ANNOUNCE_HOST\}$/m);
    expect(sentinel).toMatch(/^sentinel announce-port 26380$/m);
    expect(sentinel).toMatch(/^sentinel monitor mymaster \$\{SC_ANNOUNCE_HOST\} 6379 2$/m);
    // resolve-hostnames must come before the monitor line that uses a name.
    expect(sentinel.indexOf('resolve-hostnames')).toBeLessThan(sentinel.indexOf('sentinel monitor'));
  });

  it('secrets appear only in .env (mode 0600), as ${VAR} everywhere else', () => {
    for (const yaml of [SPECS.auth, SPECS.bridgeAuth]) {
      const files = render(yaml);
      const env = files.find((f) => f.path === '.env')!;
      expect(env.mode).toBe(0o600);
      expect(String(env.content)).toContain(`REDIS_PASSWORD=${PW}`);
      expect(String(env.content)).toContain(`SENTINEL_PASSWORD=${SPW}`);
      for (const f of files.filter((x) => x.path !== '.env')) {
        expect(String(f.content), f.path).not.toContain(PW);
        expect(String(f.content), f.path).not.toContain(SPW);
      }
      const c = parse(file(files, 'compose.yaml'));
      const master = Object.keys(c.services)[0]!;
      expect(c.services[master].environment.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
      expect(file(files, `config/${master}/redis.conf`)).toMatch(/^requirepass "\$\{REDIS_PASSWORD\}"$/m);
      expect(file(files, 'config/redis-sentinel-1/sentinel.conf')).toMatch(/^sentinel auth-pass \S+ "\$\{REDIS_PASSWORD\}"$/m);
      expect(file(files, 'config/redis-sentinel-1/sentinel.conf')).toMatch(/^requirepass "\$\{SENTINEL_PASSWORD\}"$/m);
    }
  });

  it('replicas use replicaof in their config, never --slaveof on the command line', () => {
    const files = render(SPECS.host);
    const c = parse(file(files, 'compose.yaml'));
    for (const s of Object.values<{ command: string[] }>(c.services)) expect(s.command.join(' ')).not.toMatch(/slaveof|replicaof/);
    expect(file(files, 'config/redis-replica-2/redis.conf')).toMatch(/^replicaof 127\.0\.0\.1 6379$/m);
    expect(file(files, 'config/redis-master/redis.conf')).not.toMatch(/^replicaof/m);
  });

  it('every node starts a full resync at once: a returning old master rejoins without the 5 s diskless delay', () => {
    const files = render(SPECS.host);
    for (const node of ['redis-master', 'redis-replica-1', 'redis-replica-2']) {
      expect(file(files, `config/${node}/redis.conf`)).toMatch(/^repl-diskless-sync-delay 0$/m);
    }
  });

  it('several masters: one sentinel group monitors all, each with its own settings', () => {
    const files = render(SPECS.auth);
    const conf = file(files, 'config/redis-sentinel-5/sentinel.conf');
    expect(conf).toMatch(/^sentinel monitor orders 127\.0\.0\.1 6379 3$/m);
    expect(conf).toMatch(/^sentinel monitor users 127\.0\.0\.1 6382 3$/m);
    expect(file(files, 'config/users-replica-1/redis.conf')).toMatch(/^replicaof 127\.0\.0\.1 6382$/m);
    // implementation redis: no image to build.
    expect(files.some((f) => f.path.startsWith('sentinel-image/'))).toBe(false);
    const c = parse(file(files, 'compose.yaml'));
    expect(c.services['redis-sentinel-1'].image).toBe('redis:7.0');
    expect(c.services['redis-sentinel-1'].command).toEqual(['sentinel.conf', 'redis-sentinel']);
  });

  it('persistence settings', () => {
    expect(file(render(SPECS.redisImpl), 'config/redis-master/redis.conf')).toMatch(/^appendonly yes$/m);
    expect(file(render('redis: {persistence: none}'), 'config/redis-master/redis.conf')).toMatch(/^save ""$/m);
    expect(file(render(''), 'config/redis-master/redis.conf')).toMatch(/^save 3600 1 300 100 60 10000$/m);
  });

  it('topology.json is the resolved topology; the manifest lists every other file', () => {
    const l = load(SPECS.bridge);
    const files = renderFiles(l.topology, l.secrets, { specName: 's', sentinelBundle: { placeholder: true } });
    expect(JSON.parse(file(files, 'topology.json'))).toEqual(l.topology);
    const manifest = JSON.parse(file(files, '.sentinel-compose.json'));
    expect(manifest.files).toEqual(files.filter((f) => f.path !== '.sentinel-compose.json').map((f) => f.path));
  });

  it('the sentinel image copies the bundle given, or a placeholder; a missing bundle says to build', () => {
    const l = load('');
    const dir = mkdtempSync(path.join(tmpdir(), 'sc-bundle-'));
    writeFileSync(path.join(dir, 'b.mjs'), 'console.log("real sentinel")\n');
    const real = renderFiles(l.topology, l.secrets, { specName: 's', sentinelBundle: { file: path.join(dir, 'b.mjs') } });
    expect(file(real, 'sentinel-image/sentinel.mjs')).toBe('console.log("real sentinel")\n');
    expect(file(real, 'sentinel-image/Dockerfile')).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(file(render(''), 'sentinel-image/sentinel.mjs')).toBe(BUNDLE_PLACEHOLDER);
    expect(() => renderFiles(l.topology, l.secrets, { specName: 's', sentinelBundle: { file: path.join(dir, 'missing.mjs') } })).toThrow(
      MissingDependencyError,
    );
    expect(() => renderFiles(l.topology, l.secrets, { specName: 's', sentinelBundle: { file: path.join(dir, 'missing.mjs') } })).toThrow(/npm run build/);
  });

  it('the README gives the right sentinel addresses to ioredis, redis-py and Jedis', () => {
    const readme = file(render(SPECS.bridgeAuth), 'README.md');
    expect(readme).toContain("{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }, { host: '127.0.0.1', port: 26381 }");
    expect(readme).toContain("Sentinel([('127.0.0.1', 26379), ('127.0.0.1', 26380), ('127.0.0.1', 26381)]");
    expect(readme).toContain('"127.0.0.1:26379", "127.0.0.1:26380", "127.0.0.1:26381"');
    expect(readme).toContain('sentinelPassword: process.env.SENTINEL_PASSWORD');
    expect(readme).toMatch(/## Bridge networking/);
    expect(readme).not.toContain(PW);
    const hostReadme = file(render('ports: {sentinel: 30000}'), 'README.md');
    expect(hostReadme).toContain("{ host: '127.0.0.1', port: 30000 }");
    expect(hostReadme).toMatch(/## Host networking/);
  });
});

describe('renderNodeConfig for the local-process runtime', () => {
  it("host mode: loopback addresses and the nodes' ports, no dir, secrets inline", () => {
    const l = load(SPECS.auth);
    const r = renderNodeConfig(l.topology, 'users-replica-1', 'local', l.secrets);
    expect(r.fileName).toBe('redis.conf');
    expect(r.content).toMatch(/^bind 127\.0\.0\.1$/m);
    expect(r.content).toMatch(/^port 6383$/m);
    expect(r.content).toMatch(/^replicaof 127\.0\.0\.1 6382$/m);
    expect(r.content).toMatch(new RegExp(`^requirepass "${PW.replace('.', '\\.')}"$`, 'm'));
    expect(r.content).not.toMatch(/^dir /m);
    const s = renderNodeConfig(l.topology, 'redis-sentinel-2', 'local', l.secrets);
    expect(s.fileName).toBe('sentinel.conf');
    expect(s.content).toMatch(/^port 26380$/m);
    expect(s.content).toMatch(/^sentinel monitor orders 127\.0\.0\.1 6379 3$/m);
    expect(s.content).toMatch(new RegExp(`^sentinel sentinel-pass "${SPW}"$`, 'm'));
    expect(s.content).not.toMatch(/\$\{/);
  });

  it('bridge mode: each node on its own 127.0.0.N with the standard port, announcing it', () => {
    const l = load(SPECS.bridge);
    const r = renderNodeConfig(l.topology, 'redis-replica-1', 'local', {});
    expect(r.content).toMatch(/^bind 127\.0\.0\.3$/m);
    expect(r.content).toMatch(/^port 6379$/m);
    expect(r.content).toMatch(/^replicaof 127\.0\.0\.2 6379$/m);
    expect(r.content).toMatch(/^replica-announce-ip 127\.0\.0\.3$/m);
    const s = renderNodeConfig(l.topology, 'redis-sentinel-1', 'local', {});
    expect(s.content).toMatch(/^bind 127\.0\.0\.5$/m);
    expect(s.content).toMatch(/^sentinel announce-ip 127\.0\.0\.5$/m);
    expect(s.content).toMatch(/^sentinel monitor mymaster 127\.0\.0\.2 6379 2$/m);
    expect(s.content).not.toMatch(/resolve-hostnames/);
    // Local nodes reach each other on loopback: protected mode stays on.
    expect(s.content).toMatch(/^protected-mode yes$/m);
  });

  it('names the services it knows when asked for another', () => {
    const l = load('');
    expect(() => renderNodeConfig(l.topology, 'nope', 'local', {})).toThrow(/redis-master/);
  });
});

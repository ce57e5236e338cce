/**
 * Rendering the ACL users (auth.user, auth.sentinel-user): the users are declared with exactly
 * the permissions Sentinel needs, the sentinels log in as them, each service gets only the
 * secrets it uses, and no file but .env (0600) holds a secret.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderFiles } from '../../../src/render/files.js';
import { renderNodeConfig, SENTINEL_DATA_USER_RULES, SENTINEL_PEER_USER_RULES } from '../../../src/render/node-config.js';
import { parseSpec } from '../../../src/topology/load.js';

const ENV = { P: 'data-pw-1', S: 'sent-pw-2', U: 'acl-pw-3', Q: 'peer-pw-4' };
const SPEC = [
  'auth:',
  '  password: ${P}',
  '  sentinel-password: ${S}',
  '  user: { name: sentinel, password: "${U}" }',
  '  sentinel-user: { name: sentinel-peer, password: "${Q}" }',
].join('\n');

describe('ACL users in the rendered files', () => {
  const l = parseSpec(SPEC, { env: ENV });
  const files = renderFiles(l.topology, l.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } });
  const text = (p: string) => String(files.find((f) => f.path === p)!.content);

  it('declares the users with only what Sentinel needs, and the sentinels log in as them', () => {
    expect(text('config/redis-master/redis.conf')).toContain(`user sentinel on >\${SENTINEL_AUTH_PASSWORD} ${SENTINEL_DATA_USER_RULES}\n`);
    const s = text('config/redis-sentinel-1/sentinel.conf');
    expect(s).toContain('requirepass "${SENTINEL_PASSWORD}"\n');
    expect(s).toContain(`user sentinel-peer on >\${SENTINEL_PEER_PASSWORD} ${SENTINEL_PEER_USER_RULES}\n`);
    expect(s).toContain('sentinel sentinel-user sentinel-peer\nsentinel sentinel-pass "${SENTINEL_PEER_PASSWORD}"\n');
    expect(s).toContain('sentinel auth-user mymaster sentinel\nsentinel auth-pass mymaster "${SENTINEL_AUTH_PASSWORD}"\n');
    expect(s).not.toContain('REDIS_PASSWORD');
    // The rules are Redis's documented minimum, with the channels narrowed to the hello channel.
    for (const c of [
      '+multi',
      '+exec',
      '+slaveof',
      '+ping',
      '+info',
      '+role',
      '+subscribe',
      '+publish',
      '+config|rewrite',
      '+client|setname',
      '+client|kill',
      '+script|kill',
    ]) {
      expect(SENTINEL_DATA_USER_RULES.split(' ')).toContain(c);
    }
    expect(SENTINEL_DATA_USER_RULES).toMatch(/^resetchannels &__sentinel__:hello -@all /);
  });

  it('gives each service only the secrets it uses', () => {
    const compose = parse(text('compose.yaml')) as { services: Record<string, { environment: Record<string, string> }> };
    const keys = (svc: string) =>
      Object.keys(compose.services[svc]!.environment)
        .filter((k) => /PASSWORD|AUTH/.test(k))
        .sort();
    expect(keys('redis-master')).toEqual(['REDISCLI_AUTH', 'REDIS_PASSWORD', 'SENTINEL_AUTH_PASSWORD']);
    expect(keys('redis-sentinel-1')).toEqual(['SENTINEL_AUTH_PASSWORD', 'SENTINEL_PASSWORD', 'SENTINEL_PEER_PASSWORD']);
  });

  it('puts the values in .env (0600) and nowhere else', () => {
    const env = files.find((f) => f.path === '.env')!;
    expect(env.mode).toBe(0o600);
    for (const v of Object.values(ENV)) expect(String(env.content)).toContain(`=${v}\n`);
    for (const f of files.filter((x) => x.path !== '.env')) {
      for (const v of Object.values(ENV)) expect(String(f.content).includes(v), `${f.path} holds ${v}`).toBe(false);
    }
  });

  it('inlines the passwords for the local runtime (which writes those files 0600)', () => {
    expect(renderNodeConfig(l.topology, 'redis-replica-1', 'local', l.secrets).content).toContain(`user sentinel on >${ENV.U} `);
    const s = renderNodeConfig(l.topology, 'redis-sentinel-2', 'local', l.secrets).content;
    expect(s).toContain(`sentinel auth-pass mymaster "${ENV.U}"`);
    expect(s).toContain(`sentinel sentinel-pass "${ENV.Q}"`);
    expect(s).not.toContain(ENV.P);
  });
});

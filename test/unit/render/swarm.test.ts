import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderFiles } from '../../../src/render/files.js';
import { parseSpec } from '../../../src/topology/load.js';
import { placeServices } from '../../../src/topology/swarm.js';
import { composeSchemaErrors } from '../../helpers/compose-schema.js';

const threeNodes = `
project: across
network: bridge
auth:
  password: \${REDIS_PASSWORD}
  sentinel-password: \${SENTINEL_PASSWORD}
images:
  sentinel: registry.example.com/team/sentinel:1
swarm:
  nodes:
    - { name: node-a, address: 10.0.0.11, engine: "ssh://deploy@10.0.0.11" }
    - { name: node-b, address: 10.0.0.12 }
    - { name: node-c, address: redis-c.example.com }
`;
const env = { dotEnv: { REDIS_PASSWORD: 'data-pw-1', SENTINEL_PASSWORD: 'sent-pw-2' } };

type Stack = {
  version: string;
  services: Record<string, Record<string, any>>;
  networks: Record<string, { driver: string }>;
  volumes: Record<string, unknown>;
  configs: Record<string, { name: string; file: string }>;
  secrets?: Record<string, { name: string; file: string }>;
};

function render(text: string) {
  const loaded = parseSpec(text, env);
  const files = renderFiles(loaded.topology, loaded.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } });
  const file = (p: string) => {
    const f = files.find((x) => x.path === p);
    if (!f) throw new Error(`no ${p} in ${files.map((x) => x.path).join(', ')}`);
    return String(f.content);
  };
  return { loaded, files, file, stackText: file('stack.yaml'), stack: parse(file('stack.yaml')) as Stack };
}

describe('render: the swarm stack of a three-node spec', () => {
  const r = render(threeNodes);
  const nodeOf = (svc: string) => /node\.hostname == (\S+)/.exec(r.stack.services[svc]!.deploy.placement.constraints[0])![1];

  it('is valid for the Compose specification schema', () => {
    expect(composeSchemaErrors(r.stackText)).toEqual([]);
  });

  it('spreads the master and its replicas over distinct nodes, and the sentinels too, without a warning', () => {
    expect(r.loaded.warnings.filter((w) => w.path.startsWith('swarm'))).toEqual([]);
    const data = ['redis-master', 'redis-replica-1', 'redis-replica-2'].map(nodeOf);
    const sentinels = ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'].map(nodeOf);
    expect(new Set(data).size).toBe(3);
    expect(new Set(sentinels).size).toBe(3);
    expect(data[0]).toBe('node-a');
  });

  it('announces each node as its swarm node address with its published port, and points replicas and sentinels there', () => {
    const addressOf: Record<string, string> = { 'node-a': '10.0.0.11', 'node-b': '10.0.0.12', 'node-c': 'redis-c.example.com' };
    for (const [svc, def] of Object.entries(r.stack.services)) {
      const port = def.ports[0];
      expect(port).toMatchObject({ mode: 'host', protocol: 'tcp' });
      expect(port.target).toBe(port.published);
      const sentinel = svc.includes('sentinel');
      const conf = r.file(`swarm/config/${svc}/${sentinel ? 'sentinel' : 'redis'}.conf`);
      const ip = addressOf[nodeOf(svc)!];
      if (sentinel) {
        expect(conf).toContain(`sentinel announce-ip ${ip}\nsentinel announce-port ${port.published}\n`);
        expect(conf).toContain(`sentinel monitor mymaster 10.0.0.11 ${r.stack.services['redis-master']!.ports[0].published} 2`);
        // node-c is known by a hostname.
        expect(conf).toContain('sentinel resolve-hostnames yes');
      } else {
        expect(conf).toContain(`replica-announce-ip ${ip}\nreplica-announce-port ${port.published}\n`);
        expect(conf).toContain(`port ${port.published}\n`);
        if (svc !== 'redis-master') expect(conf).toContain(`replicaof 10.0.0.11 ${r.stack.services['redis-master']!.ports[0].published}`);
      }
    }
  });

  it('uses dnsrr, one overlay network, a named volume per service, Docker configs and secrets, and never a password in the stack or configs', () => {
    expect(Object.values(r.stack.networks)).toEqual([{ driver: 'overlay', attachable: true }]);
    for (const [svc, def] of Object.entries(r.stack.services)) {
      expect(def.deploy.endpoint_mode).toBe('dnsrr');
      expect(def.volumes).toEqual([{ type: 'volume', source: `${svc}-data`, target: '/data' }]);
      expect(r.stack.volumes).toHaveProperty(`${svc}-data`);
      expect(def.configs.map((c: { source: string }) => c.source)).toContain(`${svc}-conf`);
      expect(def.secrets.length).toBeGreaterThan(0);
      expect(def.healthcheck).toBeUndefined();
    }
    expect(r.stack.services['redis-sentinel-1']!.image).toBe('registry.example.com/team/sentinel:1');
    expect(Object.keys(r.stack.secrets!).sort()).toEqual(['REDIS_PASSWORD', 'SENTINEL_PASSWORD']);
    const everything = r.files.filter((f) => !f.path.startsWith('swarm/secrets/') && f.path !== '.env').map((f) => String(f.content));
    for (const text of everything) {
      expect(text).not.toContain('data-pw-1');
      expect(text).not.toContain('sent-pw-2');
    }
    const secret = r.files.find((f) => f.path === 'swarm/secrets/REDIS_PASSWORD')!;
    expect(String(secret.content)).toBe('data-pw-1');
    expect(secret.mode).toBe(0o600);
  });

  it('names configs and secrets by their content, so that a changed password or config makes a new one', () => {
    const again = render(threeNodes);
    expect(again.stackText).toBe(r.stackText);
    const changed = parseSpec(threeNodes, { dotEnv: { REDIS_PASSWORD: 'other', SENTINEL_PASSWORD: 'sent-pw-2' } });
    const files = renderFiles(changed.topology, changed.secrets, { specName: 'spec.yaml', sentinelBundle: { placeholder: true } });
    const stack = parse(String(files.find((f) => f.path === 'stack.yaml')!.content)) as Stack;
    expect(stack.secrets!.REDIS_PASSWORD!.name).not.toBe(r.stack.secrets!.REDIS_PASSWORD!.name);
    expect(stack.secrets!.SENTINEL_PASSWORD!.name).toBe(r.stack.secrets!.SENTINEL_PASSWORD!.name);
    expect(stack.configs['redis-master-conf']!.name).toBe(r.stack.configs['redis-master-conf']!.name);
  });
});

describe('swarm placement with fewer nodes than a group or the sentinels need', () => {
  it('warns, naming what shares which node and what losing it costs', () => {
    const two = threeNodes.replace(/\n {4}- \{ name: node-c.*\n/, '\n');
    const r = render(two);
    const w = r.loaded.warnings.find((x) => x.path === 'swarm.nodes');
    expect(w?.message).toContain('has 2 nodes');
    expect(w?.message).toContain('redis-master and redis-replica-2 share node node-a');
    expect(w?.message).toContain('redis-sentinel-1 and redis-sentinel-3 share node node-a');
    expect(w?.message).toContain('losing node-a leaves 1 of 3 sentinels, fewer than the 2 a failover needs');
    expect(w?.fix).toContain('list 3 nodes');
    expect(composeSchemaErrors(r.stackText)).toEqual([]);
  });

  it('starts each group one node further on, so that several masters spread too', () => {
    const p = placeServices(
      {
        groups: [
          { name: 'a', services: ['a-master', 'a-replica-1'] },
          { name: 'b', services: ['b-master', 'b-replica-1'] },
        ],
        sentinels: ['s1', 's2', 's3'],
        sentinelsNeeded: 2,
      },
      [{ name: 'x' }, { name: 'y' }, { name: 'z' }],
    );
    expect(p.nodeOf).toMatchObject({ 'a-master': 'x', 'a-replica-1': 'y', 'b-master': 'y', 'b-replica-1': 'z', s1: 'x', s2: 'y', s3: 'z' });
    expect(p.shared).toEqual([]);
  });
});

describe('the swarm section: every problem at once, with its path and a fix', () => {
  it('repeated names and addresses, a bad engine URL, a missing address', () => {
    const text = `
swarm:
  nodes:
    - { name: a, address: 10.0.0.1 }
    - { name: a, address: 10.0.0.1, engine: "http://x" }
    - { name: c }
`;
    let problems: { path: string; message: string; fix?: string }[] = [];
    try {
      parseSpec(text);
    } catch (err) {
      problems = (err as { problems: typeof problems }).problems;
    }
    const paths = problems.map((p) => p.path).sort();
    expect(paths).toEqual(['swarm.nodes[1].address', 'swarm.nodes[1].engine', 'swarm.nodes[1].name', 'swarm.nodes[2].address']);
    for (const p of problems) expect(p.fix).toBeTruthy();
  });

  it('warns that a multi-node stack cannot run a sentinel image only this machine has', () => {
    const r = render(threeNodes.replace('  sentinel: registry.example.com/team/sentinel:1', '  sentinel: sentinel-compose/sentinel:local'));
    const w = r.loaded.warnings.find((x) => x.path === 'images.sentinel');
    expect(w?.message).toContain('only this machine has');
    expect(w?.fix).toContain('docker push');
  });

  it('a spec without a swarm section renders no stack', () => {
    const loaded = parseSpec('project: plain\n');
    const files = renderFiles(loaded.topology, loaded.secrets, { specName: 's', sentinelBundle: { placeholder: true } });
    expect(files.some((f) => f.path === 'stack.yaml' || f.path.startsWith('swarm/'))).toBe(false);
    expect(loaded.topology.swarm).toBeUndefined();
  });
});

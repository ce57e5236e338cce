import { describe, expect, it } from 'vitest';
import { UsageError, type Problem } from '../../../src/common/errors.js';
import { parseSpec } from '../../../src/topology/load.js';

function problems(yaml: string, env: Record<string, string> = {}): Problem[] {
  try {
    parseSpec(yaml, { env });
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  return [];
}
function warnings(yaml: string, env: Record<string, string> = {}): Problem[] {
  return parseSpec(yaml, { env }).warnings;
}

describe('validation errors: each names the field, the value, the reason and the fix', () => {
  const cases: [string, string, string, RegExp, RegExp?][] = [
    ['unknown top-level key', 'projct: x', 'projct', /not a known field/, /did you mean "project"/],
    ['unknown nested key', 'sentinels:\n  down-after: 100', 'sentinels.down-after', /not a known field/, /down-after-milliseconds/],
    ['bad enum', 'network: brige', 'network', /one of "host", "bridge"/, /did you mean "bridge"/],
    ['wrong type', 'sentinels:\n  count: three', 'sentinels.count', /whole number from 1 to 25/],
    ['out of range', 'sentinels:\n  count: 0', 'sentinels.count', /from 1 to 25/],
    ['port too large', 'ports:\n  redis: 70000', 'ports.redis', /from 1 to 65535/],
    ['bad project name', 'project: My_Project', 'project', /allowed format/, /lowercase/],
    ['bad master name', 'masters:\n  - name: Orders', 'masters[0].name', /allowed format/, /lowercase/],
    ['master without name', 'masters:\n  - replicas: 1', 'masters[0].name', /required/],
    ['empty masters', 'masters: []', 'masters', /at least 1 item/],
    ['quorum above count', 'masters:\n  - name: a\n    quorum: 4', 'masters[0].quorum', /larger than sentinels.count \(3\)/, /from 1 to 3/],
    ['quorum zero', 'masters:\n  - name: a\n    quorum: 0', 'masters[0].quorum', /from 1 to 25/],
    ['duplicate master names', 'masters:\n  - name: a\n  - name: a', 'masters[1].name', /repeats masters\[0\].name/],
    ['alias and field together', 'masters:\n  - name: a\n    replicas: 1\n    slaves: 2', 'masters[0].slaves', /alias of "replicas"/, /keep only/],
    [
      'priority list length',
      'masters:\n  - name: a\n    replicas: 2\n    replica-priority: [1]',
      'masters[0].replica-priority',
      /1 entry but masters\[0\] \(a\) has 2 replicas/,
    ],
    [
      'min-replicas-to-write above replicas',
      'masters:\n  - name: a\n    replicas: 1\n    min-replicas-to-write: 2',
      'masters[0].min-replicas-to-write',
      /refuse every write/,
    ],
    ['ports past 65535', 'ports:\n  redis: 65534', 'ports.redis', /past 65535/, /65533 or lower/],
    ['sentinel ports past 65535', 'ports:\n  sentinel: 65535', 'ports.sentinel', /past 65535/],
    ['overlapping ranges', 'ports:\n  redis: 26378', 'ports', /overlap/],
    ['bind not an IP', 'bind: localhost', 'bind', /allowed format|not an IP/],
    ['announce unreachable in host mode', 'bind: 127.0.0.1\nannounce: 10.1.2.3', 'announce', /listen only on 127.0.0.1/],
    [
      'localhost announced, nodes on another address',
      'bind: 127.0.0.5\nannounce: localhost',
      'announce',
      /localhost is 127.0.0.1 \(and ::1\), but nodes listen only on 127.0.0.5/,
    ],
    ['loopback announce in bridge mode', 'network: bridge\nannounce: 127.0.0.1', 'announce', /own loopback/],
    ['loopback publish in bridge mode', 'network: bridge\nbind: 127.0.0.1', 'bind', /cannot be reached by containers/],
    ['password with a space', 'auth:\n  password: "a b"', 'auth.password', /allowed format/, /Allowed characters/],
    ['unset variable', 'auth:\n  password: ${NOPE}', 'auth.password', /\$\{NOPE\} is not set/],
    ['dollar in a password', 'auth:\n  password: "a$$b"', 'auth.password', /contains "\$"/, /without "\$"/],
    ['bad persistence', 'redis:\n  persistence: disk', 'redis.persistence', /"none", "rdb", "aof"/],
    ['bad priority type', 'redis:\n  replica-priority: high', 'redis.replica-priority', /whole number from 0 to 1000, or a list/],
    ['top level not a mapping', '- a\n- b', '(top level)', /mapping/],
    ['bad version', 'version: 2', 'version', /one of 1/],
    ['bad implementation', 'sentinels:\n  implementation: python', 'sentinels.implementation', /"bundled", "redis"/],
  ];
  for (const [name, yaml, path, message, fix] of cases) {
    it(name, () => {
      const ps = problems(yaml);
      const p = ps.find((x) => x.path === path);
      expect(p, `problems: ${JSON.stringify(ps)}`).toBeDefined();
      expect(p!.message).toMatch(message);
      if (fix) expect(p!.fix).toMatch(fix);
      else expect(p!.fix ?? '').not.toBe('');
    });
  }

  it('names that look alike still give distinct services', () => {
    // With several masters, "redis" produces redis-master, which is fine; a collision needs
    // a name whose services another group produces.
    const ps = problems('masters:\n  - name: x\n  - name: x-replica\n    replicas: 0\n');
    expect(ps).toEqual([]);
  });

  it('reports every problem at once, with line numbers', () => {
    const ps = problems('projct: x\nnetwork: brige\nsentinels:\n  count: 2\nmasters:\n  - name: a\n    quorum: 5\n');
    expect(ps.map((p) => [p.path, p.line])).toEqual([
      ['projct', 1],
      ['network', 2],
      ['masters[0].quorum', 7],
    ]);
  });

  it('never shows a password, even a wrong one', () => {
    const ps = problems('auth:\n  password: "bad pass"\n  sentinel-password: ${NOPE}');
    const text = new UsageError(ps).message;
    expect(text).not.toContain('bad pass');
    expect(ps.find((p) => p.path === 'auth.password')!.value).toBe('<redacted>');
  });

  it('rejects invalid YAML with the line', () => {
    const ps = problems('project: a\nmasters: [\n');
    expect(ps[0]!.message).toMatch(/not valid YAML/);
    expect(ps[0]!.path).toMatch(/:\d+$/);
  });

  it('rejects duplicate keys', () => {
    expect(problems('project: a\nproject: b\n')[0]!.message).toMatch(/not valid YAML/);
  });
});

describe('messages a careful user reads', () => {
  it('a YAML error ends with what is wrong and where, not a dangling ":"', () => {
    for (const yaml of ['masters:\n  - name: a\n   replicas: 2\n', 'project: a\nmasters: [\n', 'a: "x\n']) {
      for (const p of problems(yaml)) {
        expect(p.message).toMatch(/^not valid YAML: /);
        expect(p.message, p.message).not.toMatch(/[:\n]\s*$|at line \d+/);
        expect(p.message).toMatch(/\(column \d+\)$/);
      }
    }
  });

  it("a type or range error's fix says what to write, with an example line, not what the field is for", () => {
    const cases: [string, string, string][] = [
      ['sentinels:\n  count: three', 'sentinels.count', 'write a whole number from 1 to 25, e.g. count: 3'],
      ['sentinels:\n  count: 0', 'sentinels.count', 'write a whole number from 1 to 25, e.g. count: 3'],
      ['masters:\n  - name: a\n    quorum: x', 'masters[0].quorum', 'write a whole number from 1 to 25, e.g. quorum: 2'],
      [
        'sentinels:\n  down-after-milliseconds: abc',
        'sentinels.down-after-milliseconds',
        'write a whole number from 1 to 3600000, e.g. down-after-milliseconds: 5000',
      ],
      ['masters:\n  - name: 123', 'masters[0].name', 'write a string, e.g. name: mymaster (in quotes if it looks like a number or true/false)'],
      ['network: 5', 'network', 'write one of "host", "bridge", e.g. network: host'],
      ['masters: mymaster', 'masters', 'write one item per line below masters:, each starting with "- "'],
      [
        'auth: secret1',
        'auth',
        'write auth: on a line of its own, and its fields on the lines below it, indented (password, sentinel-password, user, sentinel-user)',
      ],
      [
        'redis:\n  replica-priority: high',
        'redis.replica-priority',
        'write a whole number from 0 to 1000, or a list, each item a whole number from 0 to 1000, e.g. replica-priority: 100',
      ],
      ['masters:\n  - replicas: 1', 'masters[0].name', 'add it, e.g. name: mymaster'],
    ];
    for (const [yaml, path, fix] of cases) {
      const p = problems(yaml).find((x) => x.path === path);
      expect(p, `${yaml}: ${JSON.stringify(problems(yaml))}`).toBeDefined();
      expect(p!.fix, yaml).toBe(fix);
      expect(p!.message, yaml).not.toMatch(/list of s\b/);
    }
  });

  it('an unset ${VAR} is reported once', () => {
    for (const yaml of ['project: ${NOPE}', 'auth:\n  password: ${NOPE}', 'masters:\n  - name: ${NOPE}\n    replicas: ${NOPE2}']) {
      const ps = problems(yaml);
      const paths = ps.map((p) => p.path);
      expect(new Set(paths).size, JSON.stringify(ps)).toBe(paths.length);
      expect(
        ps.every((p) => /is not set/.test(p.message)),
        JSON.stringify(ps),
      ).toBe(true);
    }
  });

  it('a user name is shown, a password is not', () => {
    const ps = problems(
      'auth:\n  password: "pw 1"\n  user:\n    name: "bad name!"\n    password: "pw 2"\n  sentinel-user:\n    name: default\n    password: "pw 3"\n',
    );
    expect(ps.find((p) => p.path === 'auth.user.name')!.value).toBe('bad name!');
    for (const path of ['auth.password', 'auth.user.password', 'auth.sentinel-user.password'])
      expect(ps.find((p) => p.path === path)!.value, path).toBe('<redacted>');
    expect(new UsageError(ps).message).not.toMatch(/pw \d/);
    // A value put where a mapping of secrets belongs is not shown either.
    expect(problems('auth:\n  user: hunter2')[0]!.value).toBe('<redacted>');
  });

  it('a master name the schema rejected is not also reported as a repeat of its stand-in', () => {
    // Its name reads as "master1" only so that the other checks can run.
    for (const yaml of ['masters:\n  - name: Bad!\n  - name: master1\n', 'masters:\n  - x\n  - name: master1\n']) {
      expect(problems(yaml).map((p) => p.path)).toEqual(['masters[0]'.concat(yaml.includes('Bad') ? '.name' : '')]);
    }
  });

  it('a repeated master name is one problem, not one per service name it clashes on', () => {
    expect(problems('masters:\n  - name: a\n  - name: a')).toHaveLength(1);
  });
});

describe('validation warnings are not fatal', () => {
  const cases: [string, string, string, RegExp][] = [
    ['even sentinel count', 'sentinels:\n  count: 4', 'sentinels.count', /even number/],
    ['quorum below majority', 'masters:\n  - name: a\n    quorum: 1', 'masters[0].quorum', /below a majority/],
    ['no replicas', 'masters:\n  - name: a\n    replicas: 0', 'masters[0].replicas', /no replicas/],
    ['very low down-after', 'sentinels:\n  down-after-milliseconds: 200', 'sentinels.down-after-milliseconds', /very low/],
    ['very low per-master down-after', 'masters:\n  - name: a\n    down-after-milliseconds: 100', 'masters[0].down-after-milliseconds', /very low/],
    ['no promotable replica', 'redis:\n  replica-priority: 0', 'redis.replica-priority', /priority 0/],
    ['min-replicas-to-write equals replicas', 'redis:\n  min-replicas-to-write: 2', 'masters[0].min-replicas-to-write', /losing any one replica/],
    ['persistence none', 'redis:\n  persistence: none', 'redis.persistence', /comes back empty/],
    ['password written in the spec', 'auth:\n  password: abc', 'auth.password', /written in the spec/],
    ['all interfaces without password', 'bind: 0.0.0.0', 'bind', /without a password/],
  ];
  for (const [name, yaml, path, message] of cases) {
    it(name, () => {
      const w = warnings(yaml).find((x) => x.path === path);
      expect(w, JSON.stringify(warnings(yaml))).toBeDefined();
      expect(w!.message).toMatch(message);
      expect(w!.fix).toBeTruthy();
    });
  }
  it('the default spec has no warnings', () => {
    expect(warnings('')).toEqual([]);
  });
  it('a password from a variable is not warned about', () => {
    expect(warnings('auth:\n  password: ${PW}', { PW: 'x1' })).toEqual([]);
  });
});

describe('variables in the spec', () => {
  it('converts whole-number strings from variables for integer fields', () => {
    const r = parseSpec('masters:\n  - name: a\n    replicas: ${N:-1}\nsentinels:\n  count: ${S}', { env: { S: '5' } });
    expect(r.spec.masters[0]!.replicas).toBe(1);
    expect(r.spec.sentinels.count).toBe(5);
  });
  it('keeps a literal quoted number a type error', () => {
    expect(problems('sentinels:\n  count: "3"')[0]!.path).toBe('sentinels.count');
  });
  it('process environment wins over the .env beside the spec', () => {
    const r = parseSpec('project: ${P}', { env: { P: 'from-env' }, dotEnv: { P: 'from-dotenv' } });
    expect(r.spec.project).toBe('from-env');
    expect(parseSpec('project: ${P}', { env: {}, dotEnv: { P: 'from-dotenv' } }).spec.project).toBe('from-dotenv');
  });
});

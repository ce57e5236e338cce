/**
 * `sentinel-compose drill` end to end on the local runtime: --up renders and starts the spec's
 * topology, a deliberately wrong expectation makes the command exit 1 with the failure in the
 * JSON, JUnit and HTML reports, and the topology is taken down afterwards. Bad input exits 2
 * before anything is written.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { LocalRuntime } from '../../../src/runtime/local/runtime.js';
import { renderNodeConfig } from '../../../src/render/index.js';
import type { DrillReport } from '../../../src/drill/types.js';
import type { Topology } from '../../../src/topology/types.js';
import { drillSpecYaml } from '../../helpers/drill.js';
import { removeDir, tempDir } from '../../helpers/procs.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) removeDir(d);
});

function captureStdout(): { text: () => string } {
  let buf = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    buf += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  return { text: () => buf };
}

const BROKEN = `# A scenario whose expectation cannot hold: a paused replica never moves the master.
- name: replica-pause-expecting-failover
  summary: deliberately wrong expectation
  steps:
    - { do: pause, target: { node: replica }, mark: fault }
    - { do: wait, until: sdown }
    - { do: unpause, target: { node: replica }, mark: heal }
    - { do: wait, until: healthy }
  expect: [fault-detected, failover-happened, one-master, sentinels-agree]
`;

describe('sentinel-compose drill', () => {
  it('exits 1 when an expectation fails, reports it in JSON, JUnit and HTML, and takes the topology down', async () => {
    const dir = tempDir('sc-drill-cli-');
    dirs.push(dir);
    writeFileSync(path.join(dir, 'sentinel-compose.yaml'), await drillSpecYaml({ replicas: 1, password: true }));
    writeFileSync(path.join(dir, '.env'), 'REDIS_PASSWORD=cli-secret-1\nSENTINEL_PASSWORD=cli-secret-2\n');
    writeFileSync(path.join(dir, 'broken.yaml'), BROKEN);
    const stdout = captureStdout();
    const code = await main(
      [
        'drill',
        'replica-pause-expecting-failover',
        '--up',
        '--runtime',
        'local',
        '--scenario-file',
        'broken.yaml',
        '--rate',
        '20',
        '--read-rate',
        '5',
        '--json',
        '--report',
        'reports',
        '--no-color',
      ],
      { cwd: dir },
    );
    vi.restoreAllMocks();
    expect(code).toBe(1);

    const report = JSON.parse(stdout.text()) as DrillReport;
    expect(report.passed).toBe(false);
    expect(report.counts).toEqual({ passed: 0, failed: 1, skipped: 0, interrupted: 0 });
    const run = report.runs[0]!;
    expect(run.scenario).toBe('replica-pause-expecting-failover');
    const byCheck = Object.fromEntries(run.expectations.map((e) => [e.check, e]));
    expect(byCheck['fault-detected']!.passed).toBe(true);
    expect(byCheck['failover-happened']).toMatchObject({ passed: false, severity: 'fail' });
    expect(byCheck['failover-happened']!.message).toContain('still');
    expect(byCheck['one-master']!.passed).toBe(true);
    expect(byCheck['sentinels-agree']!.passed).toBe(true);
    expect(run.writes!.check!.lost).toEqual([]);

    expect(readdirSync(path.join(dir, 'reports')).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    const junit = readFileSync(path.join(dir, 'reports', 'junit.xml'), 'utf8');
    expect(junit).toContain('tests="1" failures="1"');
    expect(junit).toMatch(/<failure message="failover-happened \(a replica was promoted\): [^"]+" type="ExpectationFailed">/);
    expect(readFileSync(path.join(dir, 'reports', 'report.html'), 'utf8')).toContain('replica-pause-expecting-failover @ mymaster');
    expect(JSON.parse(readFileSync(path.join(dir, 'reports', 'report.json'), 'utf8')).runs[0].status).toBe('failed');

    // --up took it down: nothing of the project runs any more, and no secret leaked into stdout.
    const out = path.join(dir, 'out');
    const topology = JSON.parse(readFileSync(path.join(out, 'topology.json'), 'utf8')) as Topology;
    const rt = new LocalRuntime({ outDir: out, topology, configFor: (n) => renderNodeConfig(topology, n.service, 'local', {}) });
    expect((await rt.ps()).filter((s) => s.state === 'running' || s.state === 'paused')).toEqual([]);
    expect(stdout.text()).not.toContain('cli-secret');
  }, 180_000);

  it('exits 2 on bad input and writes nothing', async () => {
    const dir = tempDir('sc-drill-cli-');
    dirs.push(dir);
    writeFileSync(path.join(dir, 'sentinel-compose.yaml'), await drillSpecYaml({}));
    writeFileSync(path.join(dir, 'bad.yaml'), '- name: x\n  steps: [{ do: pasue }]\n  expect: [one-master]\n');
    const stdout = captureStdout();
    expect(await main(['drill', 'master-paws', '--up', '--report', 'r', '--json'], { cwd: dir })).toBe(2);
    const err = JSON.parse(stdout.text()) as { error: { exitCode: number; problems: { path: string; message: string }[] } };
    expect(err.error.exitCode).toBe(2);
    expect(err.error.problems[0]!.message).toBe('unknown scenario "master-paws" (did you mean "master-pause"?)');
    vi.restoreAllMocks();
    expect(await main(['drill', '--scenario-file', 'bad.yaml', '--up'], { cwd: dir })).toBe(2);
    expect(await main(['drill', '--rate', '-5', '--up'], { cwd: dir })).toBe(2);
    expect(await main(['drill', '--group', 'nope', '--up'], { cwd: dir })).toBe(2);
    expect(await main(['drill', '--out', 'missing'], { cwd: dir })).toBe(2);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(existsSync(path.join(dir, 'r'))).toBe(false);
  });
});

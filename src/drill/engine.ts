/**
 * Runs scenarios against a running topology through the `Runtime`: every scenario on every master
 * group, one run at a time (runs share the sentinels, and one failover at a time keeps each
 * run's events and numbers its own). The recorder and the observer live for the whole drill.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../common/clock.js';
import { AddressBook, Observer, pairs } from '../runtime/observe/index.js';
import { assertReachable } from '../runtime/reach.js';
import type { Runtime } from '../runtime/types.js';
import type { ClientSettings } from './load.js';
import { DEFAULT_OPTIONS, type DrillOptions } from './options.js';
import { EventRecorder } from './recorder.js';
import { runOne } from './run/index.js';
import type { DrillReport, RunReport, Scenario } from './types.js';

export { DEFAULT_OPTIONS, DrillAborted, type DrillOptions } from './options.js';

/** Drills every scenario on every (selected) master group, one run at a time. */
export async function runDrill(runtime: Runtime, scenarios: readonly Scenario[], options: Partial<DrillOptions> = {}): Promise<DrillReport> {
  const opts: DrillOptions = { ...DEFAULT_OPTIONS, ...options };
  await assertReachable(runtime);
  const clock = opts.clock ?? systemClock;
  const topology = runtime.topology;
  const started = clock.now();
  const startedMono = clock.monotonic();
  const progress = opts.onProgress ?? (() => {});
  const groups = topology.masters.filter((g) => !opts.groups?.length || opts.groups.includes(g.name));
  const book = new AddressBook(topology, (s) => runtime.endpoint(s));
  const observer = new Observer(book, (s) => runtime.endpoint(s), {
    timeoutMs: opts.probeTimeoutMs,
    password: opts.password,
    sentinelPassword: opts.sentinelPassword,
  });
  const recorder = new EventRecorder(clock);
  const runs: RunReport[] = [];
  const natMap = opts.natMap ?? announcedToReachable(runtime);
  try {
    const failures = await recorder.start(
      topology.sentinels.map((s) => ({ service: s.service, endpoint: runtime.endpoint(s.service) })),
      opts.sentinelPassword,
    );
    for (const f of failures) progress(`warning: ${f}`);
    await learnSentinelIds(
      observer,
      book,
      topology.sentinels.map((s) => s.service),
      groups[0]?.name,
    );
    const runId = opts.runId ?? randomBytes(4).toString('hex');
    outer: for (const scenario of scenarios) {
      for (const group of groups) {
        if (opts.signal?.aborted) break outer;
        const run = await runOne({ runtime, scenario, group, opts: { ...opts, natMap }, clock, book, observer, recorder, runId, progress });
        runs.push(run);
        progress(`${scenario.name} @ ${group.name}: ${run.status.toUpperCase()}${run.reason ? ` (${run.reason.split('\n')[0]})` : ''}`);
        if (opts.signal?.aborted) break outer;
      }
    }
  } finally {
    observer.close();
    recorder.stop();
  }
  const counts = {
    passed: runs.filter((r) => r.status === 'passed').length,
    failed: runs.filter((r) => r.status === 'failed').length,
    skipped: runs.filter((r) => r.status === 'skipped').length,
    interrupted: runs.filter((r) => r.status === 'interrupted').length,
  };
  return {
    version: 1,
    tool: 'sentinel-compose drill',
    project: topology.project,
    runtime: runtime.kind,
    sentinelImplementation: topology.sentinel.implementation,
    network: topology.network,
    startedAt: new Date(started).toISOString(),
    durationMs: Math.round(clock.monotonic() - startedMono),
    options: {
      rate: opts.rate,
      readRate: opts.readRate,
      commandTimeoutMs: opts.commandTimeoutMs,
      disconnectTimeoutMs: opts.disconnectTimeoutMs,
      blockedAfterMs: opts.blockedAfterMs,
      baselineMs: opts.baselineMs,
    },
    sentinelIds: book.ids(),
    runs,
    passed: counts.failed === 0 && !opts.signal?.aborted && runs.length > 0,
    counts,
  };
}

/**
 * Bridge networks: sentinels hand out the addresses nodes announce, which this machine may not
 * resolve (host.docker.internal on Linux); the client is told where each one really is.
 */
export function announcedToReachable(runtime: Runtime): ClientSettings['natMap'] {
  const map: NonNullable<ClientSettings['natMap']> = {};
  for (const g of runtime.topology.masters) {
    for (const n of g.nodes) {
      if (!n.announce) continue;
      const e = runtime.endpoint(n.service);
      const key = `${n.announce.ip}:${n.announce.port}`;
      if (key !== `${e.host}:${e.port}`) map[key] = { host: e.host, port: e.port };
    }
  }
  return Object.keys(map).length ? map : undefined;
}

/** SENTINEL MYID on each sentinel, so that votes (which name run ids) can be shown as services. */
async function learnSentinelIds(observer: Observer, book: AddressBook, sentinels: string[], group?: string): Promise<void> {
  await Promise.all(
    sentinels.map(async (s) => {
      try {
        const id = await observer.sentinelCommand(s, 'SENTINEL', 'MYID');
        if (typeof id === 'string' && id) book.addSentinelId(id, s);
      } catch {
        /* older or partial implementations: fall back to what peers say below */
      }
    }),
  );
  if (!group) return;
  for (const s of sentinels) {
    try {
      const peers = await observer.sentinelCommand(s, 'SENTINEL', 'SENTINELS', group);
      if (!Array.isArray(peers)) continue;
      for (const p of peers) {
        const f = pairs(p);
        const svc = book.service(f.ip ?? '', f.port ?? '');
        if (f.runid && svc && !book.sentinelById(f.runid)) book.addSentinelId(f.runid, svc);
      }
    } catch {
      /* ids stay unknown; votes are shown with raw run ids */
    }
  }
}

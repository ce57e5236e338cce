/**
 * What a step handler works with while a run plays: the runtime, what the run has taken down,
 * the record to append to, and the ways to look at the group (observe once, wait for a
 * condition, keep watching). Observing also notes rejoins, so that every look counts.
 */
import type { Clock } from '../../common/clock.js';
import { TimeoutError } from '../../common/errors.js';
import { sleepOrAbort } from '../../common/retry.js';
import { linksUnsupported, type Runtime } from '../../runtime/types.js';
import type { MasterGroup } from '../../topology/types.js';
import { TILT_ALLOWANCE_MS, type AddressBook, type Observer } from '../../runtime/observe/index.js';
import type { GroupContext, RunEvent } from '../checks.js';
import { DrillAborted, type DrillOptions } from '../options.js';
import type { EventRecorder } from '../recorder.js';
import type { Observation } from '../types.js';
import { DownServices } from './down.js';
import { groupContext, recordFault, recordFaulted, recordHeal, rejoinsSeen, runEvents, timeBase, type RunRecord } from './record.js';

export interface RunDeps {
  runtime: Runtime;
  group: MasterGroup;
  opts: DrillOptions;
  clock: Clock;
  book: AddressBook;
  observer: Observer;
  recorder: EventRecorder;
  /** Progress, one line at a time. */
  say: (line: string) => void;
}

export class RunScope {
  readonly down: DownServices;
  private processesCheckedAt = -Infinity;

  constructor(
    readonly deps: RunDeps,
    readonly record: RunRecord,
  ) {
    this.down = new DownServices(deps.runtime, deps.observer, (s) => recordHeal(record, s, this.now()));
  }

  get runtime(): Runtime {
    return this.deps.runtime;
  }

  get observer(): Observer {
    return this.deps.observer;
  }

  say(line: string): void {
    this.deps.say(line);
  }

  now(): number {
    return this.deps.clock.monotonic();
  }

  /** The master when the run started (set once the group was ready). */
  get initialMaster(): string {
    return this.record.initialMaster ?? '';
  }

  /** t = 0 is now, unless a fault was recorded already. */
  markFault(): void {
    recordFault(this.record, this.now(), this.deps.clock.now());
  }

  faulted(service: string): void {
    recordFaulted(this.record, service);
  }

  /** `service` was displaced rather than faulted (SENTINEL FAILOVER): back once it is a replica. */
  displaced(service: string): void {
    recordHeal(this.record, service, this.now(), true);
  }

  context(): GroupContext {
    return groupContext(this.record);
  }

  /** The sentinels' events since the group was ready, as the checks read them. */
  events(): RunEvent[] {
    const raw = this.deps.recorder.between(this.record.eventsFrom, Infinity);
    return runEvents(raw, timeBase(this.record).t0, this.deps.book);
  }

  checkAbort(): void {
    const { signal } = this.deps.opts;
    if (signal?.aborted) throw new DrillAborted(signal);
  }

  async sleep(ms: number): Promise<void> {
    this.checkAbort();
    if (ms <= 0) return;
    await sleepOrAbort(this.deps.clock, ms, this.deps.opts.signal);
    this.checkAbort();
  }

  /** One look at the group; the picture and any rejoin it shows go into the record. */
  async observe(): Promise<Observation> {
    const r = this.record;
    const obs = await this.observer.observe(r.nodes, r.sentinels, r.group, this.now());
    r.rejoins.push(...rejoinsSeen(r, obs));
    r.latest = obs;
    return obs;
  }

  /**
   * The look the checks judge: when a node or sentinel did not answer, looks again a few times
   * (about 2 s in all) before taking it as the picture. On a starved machine a live sentinel can
   * miss the observer's 500 ms once; one that is really down misses every look.
   */
  async observeSettled(): Promise<Observation> {
    let obs = await this.observe();
    for (let i = 0; i < 4 && [...obs.nodes, ...obs.sentinels].some((x) => !x.reachable); i++) {
      await this.sleep(500);
      obs = await this.observe();
    }
    return obs;
  }

  /**
   * Observes until `missingOf` finds nothing missing; a TimeoutError listing it after `timeoutMs`.
   *
   * A sentinel seen entering TILT during the wait gets the time TILT takes: it acts on nothing for
   * 30 s after its last timer jump, so a jump late in the wait (a machine frozen for a second or
   * two: CI saw one 46 s into a 62 s wait for healthy) made the verdict depend only on when the
   * freeze came. The deadline moves to TILT_ALLOWANCE_MS after the first look that saw it, once
   * per wait; the TILT itself is in the report (measurements.tilts, the story).
   */
  async waitFor(what: string, missingOf: (obs: Observation) => string[], timeoutMs: number): Promise<Observation> {
    const started = this.now();
    let deadline = started + timeoutMs;
    let lastSaid = this.now();
    let tiltAllowed = false;
    // A TILT already under way when the wait began ends well inside any wait for healthy.
    let tiltedBefore: Set<string> | null = null;
    for (;;) {
      this.checkAbort();
      await this.checkProcesses();
      const obs = await this.observe();
      const tilted = obs.sentinels.filter((s) => s.reachable && s.tilt).map((s) => s.service);
      const newTilt = tiltedBefore ? tilted.find((s) => !tiltedBefore!.has(s)) : undefined;
      tiltedBefore = new Set(tilted);
      const missing = missingOf(obs);
      if (missing.length === 0) return obs;
      if (newTilt && !tiltAllowed && this.now() + TILT_ALLOWANCE_MS > deadline) {
        tiltAllowed = true;
        deadline = this.now() + TILT_ALLOWANCE_MS;
        this.say(`${newTilt} entered TILT while waiting for ${what}: waiting until ${((deadline - started) / 1000).toFixed(0)} s for it to act again`);
      }
      if (this.now() >= deadline) {
        const waited = (deadline - started) / 1000;
        throw new TimeoutError(`${what}: not reached after ${waited.toFixed(1)} s${tiltAllowed ? ' (TILT allowance included)' : ''}; still missing:`, missing);
      }
      if (this.now() - lastSaid > 5000) {
        this.say(`waiting for ${what}: ${missing[0]}${missing.length > 1 ? ` (+${missing.length - 1} more)` : ''}`);
        lastSaid = this.now();
      }
      await this.sleep(this.deps.opts.pollMs);
    }
  }

  /** Keeps observing for `ms`, doing nothing else: rejoin times and the final picture stay current. */
  async watch(ms: number): Promise<void> {
    const until = this.now() + ms;
    while (this.now() < until) {
      this.checkAbort();
      await this.checkProcesses();
      await this.observe();
      await this.sleep(Math.min(this.deps.opts.pollMs * 2, Math.max(0, until - this.now())));
    }
  }

  /**
   * A node or sentinel that exits on its own (a crash, the OOM killer, someone's kill -9) would
   * otherwise show only as a wait that times out a minute later, in a probe's words. Asked at
   * most every 2 s (a `docker ps` for Docker), and at once when a run starts.
   */
  private async checkProcesses(): Promise<void> {
    if (this.now() - this.processesCheckedAt < 2000) return;
    this.processesCheckedAt = this.now();
    const ours = [...this.record.nodes, ...this.record.sentinels];
    const states = await this.runtime.ps().catch(() => []);
    const gone = states.filter((s) => (s.state === 'stopped' || s.state === 'missing') && ours.includes(s.service) && !this.down.isKilled(s.service));
    if (gone.length) {
      const names = gone.map((s) => s.service);
      throw new Error(
        `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} not running (${gone[0]!.state === 'missing' ? 'never started' : 'exited'}, not stopped by the drill); \`sentinel-compose logs -s ${names[0]}\` shows why`,
      );
    }
  }

  /** Cuts every link between `isolated` and every other service of the topology, both ways. */
  async cut(isolated: string[]): Promise<void> {
    const links = this.runtime.links;
    if (!links) throw new Error(linksUnsupported(this.runtime) ?? 'this runtime cannot cut network links');
    const others = [...this.runtime.topology.masters.flatMap((m) => m.nodes.map((n) => n.service)), ...this.record.sentinels].filter(
      (s) => !isolated.includes(s),
    );
    this.usedLinks = true;
    let applying = this.now();
    await links.cut(isolated, others, { onApplying: () => (applying = this.now()) });
    this.record.partition = { isolated: [...isolated], applying, at: this.now(), healedAt: null };
  }

  private usedLinks = false;

  /** Heals the partition, if the run made one; the isolated data nodes count as brought back. */
  async healPartition(): Promise<string[]> {
    const links = this.runtime.links;
    if (!links || !this.usedLinks) return [];
    await links.heal();
    const p = this.record.partition;
    if (!p || p.healedAt !== null) return [];
    p.healedAt = this.now();
    for (const s of p.isolated) recordHeal(this.record, s, p.healedAt);
    return p.isolated;
  }

  /** Removes the partition's helpers (after the heal; slow on some storage drivers, so at the end). */
  async disposeLinks(): Promise<void> {
    if (this.usedLinks) await this.runtime.links?.dispose();
  }

  /**
   * Brings back everything the run took down: the partition first, then the master, replicas,
   * sentinels. Both are tried even when one fails.
   */
  async bringBackAll(): Promise<string[]> {
    const master = this.initialMaster;
    const nodes = this.record.nodes;
    let healed: string[] = [];
    let error: Error | null = null;
    try {
      healed = await this.healPartition();
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    const back = await this.down.bringBackAll((s) => (s === master ? 0 : nodes.includes(s) ? 1 : 2));
    if (error) throw error;
    return [...healed, ...back];
  }
}

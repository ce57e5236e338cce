/**
 * What the run has paused or killed and not brought back yet: whatever happens to the run, all
 * of it is brought back before the run returns (`bringBackAll`).
 */
import type { Runtime } from '../../runtime/types.js';
import type { Observer } from '../../runtime/observe/index.js';

export class DownServices {
  private readonly paused = new Set<string>();
  private readonly killed = new Set<string>();

  constructor(
    private readonly runtime: Runtime,
    private readonly observer: Observer,
    /** Called for each service brought back, as it comes back. */
    private readonly onBack: (service: string) => void,
  ) {}

  isDown(service: string): boolean {
    return this.paused.has(service) || this.killed.has(service);
  }

  /** Stopped by the run (not to be mistaken for a process that died on its own). */
  isKilled(service: string): boolean {
    return this.killed.has(service);
  }

  async pause(service: string): Promise<void> {
    await this.runtime.pause(service);
    this.paused.add(service);
  }

  async kill(service: string): Promise<void> {
    await this.runtime.kill(service);
    this.killed.add(service);
    this.observer.forget(service);
  }

  async unpause(service: string): Promise<void> {
    await this.runtime.unpause(service);
    this.paused.delete(service);
    this.onBack(service);
  }

  async restart(service: string): Promise<void> {
    await this.runtime.restart(service);
    this.killed.delete(service);
    this.observer.forget(service);
    this.onBack(service);
  }

  /**
   * Brings back everything paused or killed, each on its own: one that cannot come back does not
   * keep the others down (the failures are thrown together at the end). `rank` orders them:
   * data nodes first, the master before replicas, since sentinels resuming while the master is
   * still paused could start a failover nobody asked for.
   */
  async bringBackAll(rank: (service: string) => number): Promise<string[]> {
    const done: string[] = [];
    const failed: string[] = [];
    const order = (list: Iterable<string>) => [...list].sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
    const attempt = async (s: string, how: (s: string) => Promise<void>) => {
      try {
        await how(s);
        done.push(s);
      } catch (err) {
        failed.push(`${s}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    for (const s of order(this.paused)) await attempt(s, (x) => this.unpause(x));
    for (const s of order(this.killed)) {
      await attempt(s, (x) => this.restart(x));
      this.observer.forget(s);
    }
    if (failed.length) throw new Error(failed.join('; '));
    return done;
  }
}

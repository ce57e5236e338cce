/**
 * The application the drill stands in for, during one run: a writer (and a reader when asked)
 * through a Sentinel-aware client, from when the group is ready until the run is over.
 */
import type { Clock } from '../../common/clock.js';
import type { Runtime } from '../../runtime/types.js';
import { reader, writer, type ClientSettings, type SteadyLoad } from '../load.js';
import type { DrillOptions } from '../options.js';
import type { LoadRecord } from './record.js';

export class ClientLoad {
  private readonly w: SteadyLoad;
  private readonly r: SteadyLoad | null;

  constructor(
    runtime: Runtime,
    private readonly group: string,
    key: string,
    opts: DrillOptions,
    clock: Clock,
  ) {
    const settings: ClientSettings = {
      sentinels: runtime.topology.sentinels.map((s) => runtime.endpoint(s.service)),
      group,
      password: opts.password,
      sentinelPassword: opts.sentinelPassword,
      natMap: opts.natMap,
      commandTimeoutMs: opts.commandTimeoutMs,
      disconnectTimeoutMs: opts.disconnectTimeoutMs,
    };
    this.w = writer(settings, key, opts.rate, clock);
    this.r = opts.readRate > 0 ? reader(settings, key, opts.readRate, clock) : null;
  }

  /** Connects both clients through the sentinels, then starts issuing. */
  async start(): Promise<void> {
    await Promise.all([this.w.connect(10_000), this.r?.connect(10_000)]).catch((err: unknown) => {
      throw new Error(`the Sentinel client could not connect to ${this.group}: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.w.start();
    this.r?.start();
  }

  /** Stops issuing, gives what is in flight up to `drainMs` to settle, and disconnects. */
  async stop(drainMs: number): Promise<void> {
    await Promise.all([this.w.stop(drainMs), this.r?.stop(drainMs)]);
    this.w.close();
    this.r?.close();
  }

  get writes(): LoadRecord {
    return { samples: this.w.samples, clientRestarts: this.w.clientRestarts };
  }

  get reads(): LoadRecord | null {
    return this.r && { samples: this.r.samples, clientRestarts: this.r.clientRestarts };
  }
}

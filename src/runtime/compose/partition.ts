/**
 * Network partitions under Docker in bridge mode, the way chaos tools make them: iptables rules in
 * the affected containers' network namespaces, put there by short-lived helper containers that
 * share each target's namespace (`--network container:<id> --cap-add NET_ADMIN`). Nothing needs
 * root on the host, and nothing needs iptables inside the Redis or sentinel images.
 *
 * The helpers are started before the cut (creating a container takes seconds on some storage
 * drivers) and only `docker exec`-ed at the moment of the cut, in parallel, so that the links go
 * down together. Which rules went where is recorded in `run/partition.json` before they are
 * applied: healing removes exactly those (our own chain, see partition-rules.ts), also when the
 * drill is interrupted, and `up`, `down` and the next drill heal what a drill that died left.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExternalToolError } from '../../common/errors.js';
import { allNodes, type Topology } from '../../topology/types.js';
import { stillRunning, thisProcess } from '../local/process.js';
import { ensureRunDir, runDir } from '../state.js';
import type { LinkControl } from '../types.js';
import { run, tryRun, containerIdsByLabel } from './exec.js';
import { HEAL_SCRIPT, partitionRules, restoreInput, type PartitionMember } from './partition-rules.js';

export const DEFAULT_NETTOOLS_IMAGE = 'nicolaka/netshoot:latest';
const HELPER_LABEL = 'sentinel-compose.nettools';
/** A helper outlives a drill that died by at most this long (it only sleeps). */
const HELPER_LIFETIME_S = 3600;

export interface PartitionRecord {
  project: string;
  image: string;
  sides: [string[], string[]];
  /** Wall-clock ms. */
  at: number;
  by: { pid: number; startTime: string | null };
  containers: { service: string; containerId: string; helper: string; rules: string[][] }[];
}

function recordPath(outDir: string): string {
  return path.join(runDir(outDir), 'partition.json');
}

export function readPartition(outDir: string): PartitionRecord | null {
  try {
    const r = JSON.parse(readFileSync(recordPath(outDir), 'utf8')) as PartitionRecord;
    return Array.isArray(r?.containers) ? r : null;
  } catch {
    return null;
  }
}

function writePartition(outDir: string, r: PartitionRecord | null): void {
  const file = recordPath(outDir);
  if (!r) {
    rmSync(file, { force: true });
    return;
  }
  ensureRunDir(outDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, file);
}

/** Forgets the record: for `down`, whose containers take their namespaces and rules with them. */
export function clearPartitionRecord(outDir: string): void {
  writePartition(outDir, null);
}

/** Whether the process that made the recorded partition still runs (and so will heal it). */
export function partitionOwnerAlive(r: PartitionRecord): boolean {
  return stillRunning(r.by);
}

interface Inspected {
  Id: string;
  Name: string;
  State: { Status: string };
  Config: { Labels: Record<string, string>; Env?: string[] };
  NetworkSettings: { Networks: Record<string, { IPAddress?: string; Gateway?: string }> };
}

export class ComposeLinks implements LinkControl {
  constructor(
    private readonly outDir: string,
    private readonly topology: Topology,
  ) {}

  private get image(): string {
    return this.topology.images.nettools ?? DEFAULT_NETTOOLS_IMAGE;
  }

  private helperName(service: string): string {
    return `${this.topology.project}-sc-nettools-${service}`;
  }

  async cut(a: readonly string[], b: readonly string[], opts: { onApplying?: () => void } = {}): Promise<void> {
    if (readPartition(this.outDir)) await this.heal();
    const services = [...a, ...b];
    const containers = await this.inspect();
    const members = new Map<string, PartitionMember & { id: string }>();
    const gateways = new Set<string>();
    const nodes = new Map(allNodes(this.topology).map((n) => [n.service, n]));
    for (const s of services) {
      const c = containers.find((x) => x.Config.Labels['com.docker.compose.service'] === s && x.State.Status === 'running');
      if (!c) throw new Error(`cannot cut the links of ${s}: its container is not running`);
      const nets = Object.values(c.NetworkSettings.Networks ?? {});
      const ips = nets.map((n) => n.IPAddress).filter((x): x is string => Boolean(x));
      for (const n of nets) if (n.Gateway) gateways.add(n.Gateway);
      if (!ips.length) throw new Error(`cannot cut the links of ${s}: its container has no network address (network: bridge is needed)`);
      members.set(s, { service: s, ips, hostPort: nodes.get(s)!.hostPort, id: c.Id });
    }
    await this.removeHelpers();
    const helpers = await Promise.all(services.map((s) => this.startHelper(s, members.get(s)!.id)));
    try {
      const announced = containers.flatMap((c) =>
        (c.Config.Env ?? []).filter((e) => e.startsWith('SC_ANNOUNCE_HOST=')).map((e) => e.slice('SC_ANNOUNCE_HOST='.length)),
      );
      const hosts = new Set([...gateways, ...(await this.announcedHosts(helpers[0]!, announced))]);
      const rules = partitionRules(
        a.map((s) => members.get(s)!),
        b.map((s) => members.get(s)!),
        [...hosts],
      );
      // Recorded before any rule is in place: a drill killed half-way leaves a record of rules
      // that may be there, never rules without a record.
      writePartition(this.outDir, {
        project: this.topology.project,
        image: this.image,
        sides: [[...a], [...b]],
        at: Date.now(),
        by: thisProcess(),
        containers: rules.map((r, i) => ({ service: r.service, containerId: members.get(r.service)!.id, helper: helpers[i]!, rules: r.rules })),
      });
      opts.onApplying?.();
      await Promise.all(
        rules.map((r, i) =>
          run('docker', ['exec', '-i', helpers[i]!, 'iptables-restore', '--noflush'], {
            input: restoreInput(r.rules),
            summary: `cutting the links of ${r.service} failed (iptables in ${this.image})`,
            timeoutMs: 60_000,
          }),
        ),
      );
    } catch (err) {
      await this.heal().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Removes every rule the recorded partition put in place. A container that is gone or stopped
   * took its namespace (and the rules) with it. Returns the services healed. The helpers stay
   * until `dispose` (removing containers takes seconds each on some storage drivers, and the
   * drill measures rejoins from the heal).
   */
  async heal(): Promise<string[]> {
    const record = readPartition(this.outDir);
    if (!record) return [];
    const containers = await this.inspect().catch(() => [] as Inspected[]);
    const failures: string[] = [];
    const healed: string[] = [];
    await Promise.all(
      record.containers.map(async (c) => {
        const target = containers.find((x) => x.Id === c.containerId);
        if (!target || (target.State.Status !== 'running' && target.State.Status !== 'paused')) {
          healed.push(c.service);
          return;
        }
        const helper = containers.find((x) => x.Name === `/${c.helper}` && x.State.Status === 'running');
        const args = helper
          ? ['exec', c.helper, 'sh', '-c', HEAL_SCRIPT]
          : [
              'run',
              '--rm',
              '--network',
              `container:${c.containerId}`,
              '--cap-add',
              'NET_ADMIN',
              '--label',
              `${HELPER_LABEL}=${record.project}`,
              record.image,
              'sh',
              '-c',
              HEAL_SCRIPT,
            ];
        const r = await tryRun('docker', args, { timeoutMs: 120_000 });
        if (!r.ok || r.out.stdout.trim()) {
          failures.push(`${c.service}: ${r.ok ? `rules left: ${r.out.stdout.trim()}` : r.out.all.trim() || `exit code ${r.code}`} (docker ${args.join(' ')})`);
          return;
        }
        healed.push(c.service);
      }),
    );
    if (failures.length) throw new Error(`healing the partition failed; run/partition.json keeps the record: ${failures.join('; ')}`);
    writePartition(this.outDir, null);
    return healed.sort();
  }

  /** The recorded partition, if any (a drill's, or one a drill that died left). */
  recorded(): PartitionRecord | null {
    return readPartition(this.outDir);
  }

  private async startHelper(service: string, containerId: string): Promise<string> {
    const name = this.helperName(service);
    const args = [
      'run',
      '-d',
      '--rm',
      '--name',
      name,
      '--label',
      `${HELPER_LABEL}=${this.topology.project}`,
      '--network',
      `container:${containerId}`,
      '--cap-add',
      'NET_ADMIN',
      this.image,
      'sleep',
      String(HELPER_LIFETIME_S),
    ];
    try {
      await run('docker', args, { summary: `starting the network helper for ${service} failed`, timeoutMs: 180_000 });
    } catch (err) {
      if (err instanceof ExternalToolError && /Unable to find image|pull access denied|not found|manifest unknown/i.test(err.output)) {
        throw new ExternalToolError(
          err.command,
          err.output,
          `the network helper image ${this.image} is not available: pull it (\`docker pull ${this.image}\`) or set images.nettools in the spec to an image with iptables`,
          { cause: err },
        );
      }
      throw err;
    }
    return name;
  }

  /**
   * The addresses the announced host resolves to, as the containers resolve it: what the
   * containers were started with (SC_ANNOUNCE_HOST, which the shell may override over .env), what
   * the topology says, and host.docker.internal (the host gateway every bridge node knows).
   */
  private async announcedHosts(helper: string, started: readonly string[]): Promise<string[]> {
    const names = new Set([
      ...started.filter(Boolean),
      ...allNodes(this.topology)
        .map((n) => n.announce?.ip)
        .filter((x): x is string => Boolean(x)),
      'host.docker.internal',
    ]);
    const out: string[] = [];
    for (const name of names) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        out.push(name);
        continue;
      }
      const r = await tryRun('docker', ['exec', helper, 'getent', 'ahostsv4', name]);
      for (const line of r.out.stdout.split('\n')) {
        const ip = line.trim().split(/\s+/)[0];
        if (ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) out.push(ip);
      }
    }
    return [...new Set(out)];
  }

  private async inspect(): Promise<Inspected[]> {
    const ids = await containerIdsByLabel(`com.docker.compose.project=${this.topology.project}`);
    const helpers = await containerIdsByLabel(`${HELPER_LABEL}=${this.topology.project}`);
    const all = [...new Set([...ids, ...helpers])];
    if (!all.length) return [];
    return JSON.parse((await run('docker', ['inspect', ...all], { summary: 'docker inspect failed' })).stdout) as Inspected[];
  }

  dispose(): Promise<void> {
    return this.removeHelpers();
  }

  /** Removes this project's helper containers (ours by label, whatever state they are in). */
  async removeHelpers(): Promise<void> {
    const ids = await containerIdsByLabel(`${HELPER_LABEL}=${this.topology.project}`).catch(() => []);
    if (ids.length) await tryRun('docker', ['rm', '-f', ...ids], { timeoutMs: 60_000 });
  }
}

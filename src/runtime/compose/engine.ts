/**
 * Finding a Docker engine and a Compose: `docker compose` (v2 plugin) first, then
 * `docker-compose` (v1.29, what Debian ships). Nothing here changes anything.
 */
import { MissingDependencyError } from '../../common/errors.js';
import { tryRun } from './exec.js';

export interface ComposeTool {
  /** The command and the arguments before the subcommand: ['docker', 'compose'] or ['docker-compose']. */
  command: string[];
  version: string;
  major: 1 | 2;
}

export interface EngineInfo {
  serverVersion: string;
  /** Docker Desktop (macOS/Windows): containers run in a VM. */
  desktop: boolean;
  /** Whether the default bridge network exists (engines started with --bridge=none have none). */
  bridge: boolean;
}

export type EngineProbe = { ok: true; info: EngineInfo } | { ok: false; reason: string; notInstalled: boolean };

/** `bridge: false` skips asking whether the engine has a bridge network (only starting a bridge-mode topology needs to know). */
export async function probeEngine(timeoutMs = 10_000, opts: { bridge?: boolean } = {}): Promise<EngineProbe> {
  const r = await tryRun('docker', ['info', '--format', '{{json .}}'], { timeoutMs });
  if (r.notFound) return { ok: false, reason: 'the docker command is not installed', notInstalled: true };
  if (!r.ok) {
    const msg = (r.out.stderr || r.out.all).trim().split('\n').slice(-2).join(' ');
    return { ok: false, reason: `docker info failed: ${msg || `exit code ${r.code}`}`, notInstalled: false };
  }
  let info: { ServerVersion?: string; OperatingSystem?: string } = {};
  try {
    info = JSON.parse(r.out.stdout) as typeof info;
  } catch {
    /* older clients: fall through with what we have */
  }
  if (!info.ServerVersion) return { ok: false, reason: 'docker info did not report a server (is the engine running?)', notInstalled: false };
  const bridge = opts.bridge === false || (await tryRun('docker', ['network', 'inspect', 'bridge', '--format', '{{.Driver}}'], { timeoutMs })).ok;
  return { ok: true, info: { serverVersion: info.ServerVersion, desktop: /docker desktop/i.test(info.OperatingSystem ?? ''), bridge } };
}

export function engineMissing(reason: string): MissingDependencyError {
  return new MissingDependencyError(
    `A Docker engine (${reason})`,
    'Install Docker (Debian/Ubuntu: `apt-get install -y docker.io docker-compose`; macOS/Windows: Docker Desktop) and start it ' +
      '(`systemctl start docker`, or open Docker Desktop), or run the topology as local processes with `--runtime local`.',
  );
}

/** The compose command recorded by `up` (run/state.json), without asking it for its version again. */
export function recordedCompose(command: string[]): ComposeTool {
  return { command, version: '', major: command[0] === 'docker' ? 2 : 1 };
}

export async function detectCompose(): Promise<ComposeTool> {
  const v2 = await tryRun('docker', ['compose', 'version', '--short']);
  if (v2.ok && /^v?\d/.test(v2.out.stdout.trim())) return { command: ['docker', 'compose'], version: v2.out.stdout.trim().replace(/^v/, ''), major: 2 };
  const v1 = await tryRun('docker-compose', ['version', '--short']);
  if (v1.ok) {
    const version = v1.out.stdout.trim().replace(/^v/, '');
    return { command: ['docker-compose'], version, major: version.startsWith('1.') ? 1 : 2 };
  }
  throw new MissingDependencyError(
    'Docker Compose (neither `docker compose` nor `docker-compose` runs)',
    "Install the Compose plugin (`apt-get install -y docker-compose-plugin` from Docker's repository) or Compose v1.29 " +
      '(`apt-get install -y docker-compose`), or use `--runtime local`.',
  );
}

/**
 * `pause`, `unpause`, `kill` and `restart` of named services, for the CLI and the library.
 * Every name and every state is checked before anything changes (a service that cannot take the
 * operation is a UsageError, and nothing was touched); then each service is changed in turn
 * under the folder's lock, which is let go at the end: the fault stays, recorded in
 * run/faults.json as the command's (see runtime/faults.ts), so that `status`, `up` and `down`
 * name it and `unpause`/`restart` from another invocation undo it.
 */
import { UsageError, type Problem } from '../../common/errors.js';
import { allNodes } from '../../topology/types.js';
import { describeLeftover, type Leftover } from '../leftovers.js';
import type { ServiceState } from '../types.js';
import { roleOf } from './call.js';
import { resolveServices } from './names.js';
import { lockFor, openSession, requireRunning, type ControlOptions, type Session } from './session.js';

export type ServiceOp = 'pause' | 'unpause' | 'kill' | 'restart';

export interface ServiceChange {
  service: string;
  /** `master` / `replica` as the node said just before (data nodes that answered), `sentinel`, or undefined. */
  role?: 'master' | 'replica' | 'sentinel';
  /** The group of a data node. */
  group?: string;
  before: ServiceState['state'];
  after: ServiceState['state'];
  /** False when it was already so and nothing was done (`note` says why). */
  changed: boolean;
  note?: string;
  /** How long the runtime took to put it in place (ms). */
  ms: number;
}

export interface ServiceOpResult {
  command: ServiceOp;
  project: string;
  runtime: string;
  services: ServiceChange[];
  /** From the lock taken to the last service changed (ms). */
  ms: number;
}

const AFTER: Record<ServiceOp, ServiceState['state']> = { pause: 'paused', unpause: 'running', kill: 'stopped', restart: 'running' };

/** What `op` does to a service in `state`: do it, nothing to do (why), or refuse (why, and what to run). */
function plan(
  op: ServiceOp,
  l: Leftover | undefined,
  state: ServiceState['state'],
  outLabel: string,
): { act: boolean; note?: string; problem?: Omit<Problem, 'path'> } {
  const how = l ? ` (${l.service} ${describeLeftover(l)})` : '';
  const restart = (svc: string) => `\`sentinel-compose restart ${svc} --out ${outLabel}\` starts it`;
  switch (op) {
    case 'pause':
      if (state === 'running') return { act: true };
      if (state === 'paused') return { act: false, note: `already paused${how}` };
      return { act: false, problem: { message: `is not running${how}`, fix: l ? restart(l.service) : 'start it first' } };
    case 'unpause':
      if (state === 'paused') return { act: true };
      if (state === 'running') return { act: false, note: 'was not paused' };
      return { act: false, problem: { message: `is not running, so there is nothing to resume${how}`, fix: l ? restart(l.service) : 'start it first' } };
    case 'kill':
      if (state === 'running' || state === 'paused') return { act: true };
      return { act: false, note: `already not running${how}` };
    case 'restart':
      return { act: true };
  }
}

/**
 * Applies `op` to `names` (service names as `status` shows them). UsageError for an unknown name
 * (with a did-you-mean), for nothing running, or for a service the operation cannot apply to.
 */
export async function changeServices(op: ServiceOp, names: readonly string[], opts: ControlOptions): Promise<ServiceOpResult> {
  const s = await openSession(opts);
  return changeServicesIn(s, op, names, opts.signal);
}

export async function changeServicesIn(s: Session, op: ServiceOp, names: readonly string[], signal?: AbortSignal): Promise<ServiceOpResult> {
  const t = s.dir.topology;
  let services = resolveServices(t, names);
  // Resumed data nodes first, masters before replicas, then sentinels: a sentinel resumed while
  // a master is still frozen could start a failover nobody asked for.
  if (op === 'unpause') {
    const order = allNodes(t).map((n) => n.service);
    services = [...services].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }
  const lock = await lockFor(s, op, signal);
  const started = performance.now();
  try {
    const c = await requireRunning(s);
    const stateOf = new Map(c.states.map((x) => [x.service, x.state]));
    const leftover = new Map([...c.paused, ...c.down].map((l) => [l.service, l]));
    const plans = services.map((svc) => ({
      svc,
      state: stateOf.get(svc) ?? 'missing',
      ...plan(op, leftover.get(svc), stateOf.get(svc) ?? 'missing', s.outLabel),
    }));
    const problems = plans.filter((p) => p.problem).map((p) => ({ path: p.svc, ...p.problem! }));
    if (problems.length) throw new UsageError(problems);

    const changes: ServiceChange[] = [];
    for (const p of plans) {
      const node = allNodes(t).find((n) => n.service === p.svc)!;
      const role =
        node.kind === 'sentinel'
          ? ('sentinel' as const)
          : p.state === 'running'
            ? await roleOf(s.runtime.endpoint(p.svc), s.dir.secrets.redisPassword)
            : undefined;
      const base = { service: p.svc, ...(role ? { role } : {}), ...(node.kind === 'redis' ? { group: node.group } : {}), before: p.state };
      if (!p.act) {
        changes.push({ ...base, after: p.state, changed: false, note: p.note, ms: 0 });
        s.log.info(`${p.svc}: ${p.note}`);
        continue;
      }
      const t0 = performance.now();
      const dataRole = role === 'master' || role === 'replica' ? { role } : {};
      if (op === 'pause') await s.runtime.pause(p.svc, { command: 'pause', ...dataRole });
      else if (op === 'unpause') await s.runtime.unpause(p.svc);
      else if (op === 'kill') await s.runtime.kill(p.svc, 'SIGKILL', { command: 'kill', ...dataRole });
      else await s.runtime.restart(p.svc);
      changes.push({ ...base, after: AFTER[op], changed: true, ms: Math.round(performance.now() - t0) });
    }
    return { command: op, project: t.project, runtime: s.runtime.kind, services: changes, ms: Math.round(performance.now() - started) };
  } finally {
    lock.release();
  }
}

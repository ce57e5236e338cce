/**
 * The sentinel's tick (Redis's sentinelTimer): for every master, then its replicas and sentinels,
 * first observe (open links, send PING/INFO/hello), then act (SDOWN, ODOWN, failover, asking
 * peers) — the acting half is skipped in TILT. TILT is entered when the time between two ticks
 * is negative or larger than the tilt trigger: the process was frozen or the clock jumped, so
 * every timeout just measured is meaningless.
 */
import type { SentinelCtx } from './context.js';
import { killTimedOutScripts, runPendingScripts } from './events/scripts.js';
import { failoverStateMachine, startFailoverIfNeeded, switchToPromotedSlave } from './failover/machine.js';
import { ASK_FORCED, askMasterStateToOtherSentinels, checkObjectivelyDown, checkSubjectivelyDown } from './monitor/down.js';
import { sendPeriodicCommands } from './monitor/periodic.js';
import { ensureLinks } from './monitor/send.js';
import { SRI } from './state/flags.js';
import { FailoverState, type Instance } from './state/instance.js';
import { STALL_MS } from './state/sentinel-state.js';

function handleInstance(ctx: SentinelCtx, ri: Instance): void {
  // Monitoring half.
  ensureLinks(ctx, ri);
  sendPeriodicCommands(ctx, ri);

  // Acting half.
  const st = ctx.state;
  if (st.tilt) {
    if (ctx.now() - st.tiltStartTime < ctx.timing.tiltPeriod) return;
    st.tilt = false;
    ctx.event('warning', '-tilt', null, '#tilt mode exited');
  }
  checkSubjectivelyDown(ctx, ri);
  if (ri.flags & SRI.MASTER) {
    checkObjectivelyDown(ctx, ri);
    if (startFailoverIfNeeded(ctx, ri)) askMasterStateToOtherSentinels(ctx, ri, ASK_FORCED);
    failoverStateMachine(ctx, ri);
    askMasterStateToOtherSentinels(ctx, ri, 0);
  }
}

function handleInstances(ctx: SentinelCtx, instances: Map<string, Instance>): void {
  let switchToPromoted: Instance | null = null;
  // Copy: acting may add or remove records while we iterate.
  for (const ri of [...instances.values()]) {
    handleInstance(ctx, ri);
    if (ri.flags & SRI.MASTER) {
      handleInstances(ctx, ri.slaves);
      handleInstances(ctx, ri.sentinels);
      if (ri.failoverState === FailoverState.UPDATE_CONFIG) switchToPromoted = ri;
    }
  }
  if (switchToPromoted) switchToPromotedSlave(ctx, switchToPromoted);
}

export function checkTiltCondition(ctx: SentinelCtx): void {
  const st = ctx.state;
  const now = ctx.now();
  const delta = now - st.previousTime;
  if (delta > STALL_MS) st.lastStall = { from: st.previousTime, to: now };
  if (delta < 0 || delta > ctx.timing.tiltTrigger) {
    st.tilt = true;
    st.tiltStartTime = now;
    ctx.event('warning', '+tilt', null, '#tilt mode entered');
  }
  st.previousTime = now;
}

export function sentinelTimer(ctx: SentinelCtx): void {
  checkTiltCondition(ctx);
  handleInstances(ctx, ctx.state.masters);
  runPendingScripts(ctx);
  killTimedOutScripts(ctx);
}

/**
 * Votes and leader election, as Redis does them, so that TypeScript sentinels and redis-sentinel
 * can vote for each other:
 *
 * - A sentinel votes at most once per epoch. A request with a higher epoch is adopted (and
 *   persisted) first; the vote is persisted before it is answered.
 * - After voting for someone else, its own failover start is pushed back by a random 0..1 s, so
 *   that sentinels do not keep starting competing elections in lockstep.
 * - A leader needs votes from an absolute majority of the voters it knows (every sentinel seen
 *   since the last RESET, plus itself) AND at least `quorum` votes.
 */
import type { SentinelCtx } from '../context.js';
import { SRI } from '../state/flags.js';
import { FailoverState, type Instance } from '../state/instance.js';
import { SENTINEL_MAX_DESYNC } from '../state/timing.js';

export interface Vote {
  leader: string | null;
  leaderEpoch: number;
}

export function voteLeader(ctx: SentinelCtx, master: Instance, reqEpoch: number, reqRunid: string): Vote {
  const st = ctx.state;
  if (reqEpoch > st.currentEpoch) {
    st.currentEpoch = reqEpoch;
    ctx.flushConfig();
    ctx.event('warning', '+new-epoch', master, `${st.currentEpoch}`);
  }
  if (master.leaderEpoch < reqEpoch && st.currentEpoch <= reqEpoch) {
    master.leader = reqRunid;
    master.leaderEpoch = st.currentEpoch;
    ctx.flushConfig();
    ctx.event('warning', '+vote-for-leader', master, `${master.leader} ${master.leaderEpoch}`);
    if (master.leader.toLowerCase() !== st.myid.toLowerCase()) {
      master.failoverStartTime = ctx.now() + Math.floor(ctx.random() * SENTINEL_MAX_DESYNC);
    }
  }
  return { leader: master.leader, leaderEpoch: master.leaderEpoch };
}

/**
 * The peers that look reachable (linked, not SDOWN) and have a smaller id than this sentinel.
 *
 * A peer marked SDOWN during or just after this sentinel's own stall still counts, for one ask
 * period after the stall: its PINGs went unanswered because this process was frozen, not it. A
 * failover starts with a config save, and when saves take longer than down-after (vfs storage
 * under load: 1.0 - 1.3 s) every sentinel comes out of its own save seeing every peer SDOWN;
 * without this each then stopped waiting for the smallest id and voted for itself (a split vote,
 * and the next try 2 x failover-timeout later: the 42 s failovers of the partition benchmark).
 */
export function smallerReachablePeers(ctx: SentinelCtx, master: Instance): Instance[] {
  const me = ctx.state.myid.toLowerCase();
  const stall = ctx.state.lastStall;
  const unheardOnlyByMe = (s: Instance) => stall !== null && s.sDownSinceTime >= stall.from && ctx.now() - stall.to < ctx.timing.askPeriod;
  const out: Instance[] = [];
  for (const s of master.sentinels.values()) {
    if (s.runid === null || s.link.disconnected || (s.flags & SRI.S_DOWN && !unheardOnlyByMe(s))) continue;
    if (s.runid.toLowerCase() < me) out.push(s);
  }
  return out;
}

/**
 * Departure from Redis, against split votes: the peer whose answer this candidate waits for
 * before casting its own vote, or null when it votes now.
 *
 * The candidacy delay (machine.ts) orders the starts by id, but it is a guess about time: when
 * config saves are slow (fsync took 150-600 ms in the test suite under load) or processes stall,
 * sentinels of every rank start within a few milliseconds of each other, each votes for itself,
 * nobody has a majority, and the next try waits 2 x failover-timeout. So a candidate first waits
 * for the answer of the reachable sentinel with the smallest id, the one every other sentinel
 * waits for too: a candidate answers with its vote for itself, a non-candidate with the vote it
 * gave to the first candidate that asked. This sentinel then votes, as Redis's sentinelGetLeader
 * does, for the most voted peer choice (ties: the smaller id), or itself. It waits at most one ask
 * period after its start; a forced failover (SENTINEL FAILOVER) does not wait.
 *
 * Waiting for every smaller id instead chains the waits (each one's vote arrives one round trip
 * and one config save after the previous one) past the time limit under slow saves. One vote
 * per epoch, persisted before it is announced, majority and quorum: all unchanged.
 */
export function awaitedPeer(ctx: SentinelCtx, master: Instance): Instance | null {
  if (master.failoverState !== FailoverState.WAIT_START || master.flags & SRI.FORCE_FAILOVER) return null;
  if (master.leaderEpoch >= master.failoverEpoch) return null;
  if (ctx.now() - master.failoverStateChangeTime >= ctx.timing.askPeriod) return null;
  let smallest: Instance | null = null;
  for (const s of smallerReachablePeers(ctx, master)) {
    if (!smallest || s.runid!.toLowerCase() < smallest.runid!.toLowerCase()) smallest = s;
  }
  return smallest && smallest.leaderEpoch < master.failoverEpoch ? smallest : null;
}

/**
 * A peer's vote request (SENTINEL IS-MASTER-DOWN-BY-ADDR naming its run id). Redis's rule (one
 * vote per epoch, to the first that asks) for every sentinel that is not a candidate of the
 * requested epoch. A candidate of that epoch that has not cast its vote yet never gives it to the
 * first competing candidate that asks, as in Redis, where the candidate has voted (for itself, or
 * for the most voted peer choice) in the tick that started it, before any request can reach it:
 *
 * - while it waits for a peer's answer (awaitedPeer), it gives the vote to that peer only, the
 *   sentinel the wait would give it to; any other candidate gets the vote so far (Redis's answer
 *   for a vote it cannot give) and learns where the vote went when it asks again;
 * - once the wait is over but before its next tick has voted (a request read in the same event
 *   loop turn as the awaited answer, common after a blocking config save), it casts its own vote
 *   first, as the tick would (getLeader), and answers with it.
 *
 * Why: giving the vote to whoever asked first let two candidates waiting for the smallest id's
 * answer vote for each other while the smallest voted for itself (a -> a, b -> c, c -> b): three
 * votes, three candidates, nobody elected for 2 x failover-timeout. Redis cannot split that way:
 * there every candidate's vote stays with the candidate's own choice.
 */
export function voteRequested(ctx: SentinelCtx, master: Instance, reqEpoch: number, reqRunid: string): Vote {
  const undecidedCandidate =
    master.failoverState === FailoverState.WAIT_START &&
    reqEpoch === master.failoverEpoch &&
    ctx.state.currentEpoch === reqEpoch &&
    master.leaderEpoch < reqEpoch;
  if (!undecidedCandidate) return voteLeader(ctx, master, reqEpoch, reqRunid);
  const awaited = awaitedPeer(ctx, master);
  if (awaited) {
    if (awaited.runid!.toLowerCase() === reqRunid.toLowerCase()) return voteLeader(ctx, master, reqEpoch, reqRunid);
    return { leader: master.leader, leaderEpoch: master.leaderEpoch };
  }
  getLeader(ctx, master, master.failoverEpoch);
  // The tick acts on the outcome (elected or not) at once rather than at its next period.
  ctx.kick();
  return { leader: master.leader, leaderEpoch: master.leaderEpoch };
}

/** Votes per run id among the peers that voted in the current epoch, in the order first seen. */
export function countPeerVotes(master: Instance, currentEpoch: number): Map<string, number> {
  const counters = new Map<string, number>();
  for (const ri of master.sentinels.values()) {
    if (ri.leader !== null && ri.leaderEpoch === currentEpoch) counters.set(ri.leader, (counters.get(ri.leader) ?? 0) + 1);
  }
  return counters;
}

/**
 * The runid with the most votes, or null. Ties go to the smaller run id (Redis takes whichever
 * its dict yields first): candidates that defer their own vote (see awaitedPeer) then all settle
 * on the same one.
 */
export function mostVoted(counters: Map<string, number>): { winner: string | null; votes: number } {
  let winner: string | null = null;
  let votes = 0;
  for (const [runid, n] of counters) {
    if (n > votes || (n === votes && winner !== null && runid.toLowerCase() < winner.toLowerCase())) {
      votes = n;
      winner = runid;
    }
  }
  return { winner, votes };
}

/** Has `votes` out of `voters` (self included) got the majority and the quorum? */
export function isElected(votes: number, voters: number, quorum: number): boolean {
  return votes >= Math.floor(voters / 2) + 1 && votes >= quorum;
}

/**
 * The leader for `epoch`, if one has enough votes. This sentinel casts its own vote here too:
 * for the most voted peer choice, or for itself when nobody has votes yet.
 */
export function getLeader(ctx: SentinelCtx, master: Instance, epoch: number): string | null {
  const voters = master.sentinels.size + 1;
  const counters = countPeerVotes(master, ctx.state.currentEpoch);
  let { winner, votes: maxVotes } = mostVoted(counters);
  const my = voteLeader(ctx, master, epoch, winner ?? ctx.state.myid);
  if (my.leader !== null && my.leaderEpoch === epoch) {
    const n = (counters.get(my.leader) ?? 0) + 1;
    counters.set(my.leader, n);
    if (n > maxVotes) {
      maxVotes = n;
      winner = my.leader;
    }
  }
  if (winner !== null && !isElected(maxVotes, voters, master.quorum)) winner = null;
  return winner;
}

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
import type { Instance } from '../state/instance.js';
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
 * its dict yields first): candidates that defer their own vote (see selfVoteDeferred) then all
 * settle on the same one.
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

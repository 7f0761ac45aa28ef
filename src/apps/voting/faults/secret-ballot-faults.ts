import type { AppFaultContext, Tx } from '../../../kernel/index.js';
import { ELECTION_ID_PATTERN } from '../election-id.js';
import { secretElection, type SecretElectionView } from '../secret/queries.js';
import { openElections } from './elections.js';
import { ADVANCE_MS, OwnSecretElection, SEND_MS, toEveryPeer } from './own-secret-election.js';

/** Open secret elections that take encrypted ballots from any key at the tip (key ceremony over), oldest first. */
export function votingSecretElections(ctx: AppFaultContext, filter: (v: SecretElectionView) => boolean = () => true): SecretElectionView[] {
  return openElections(ctx, (e) => e.secret === true && e.eligibility === 'open')
    .map((e) => secretElection(ctx.state(), { election: e.id }) as SecretElectionView)
    .filter((v) => v.phase === 'voting' && filter(v));
}

/** `--fault NAME=ELECTION`: optional, an election id as the chain spells it. */
export function parseElectionArg(arg: string | undefined): string | undefined {
  if (arg !== undefined && !new RegExp(ELECTION_ID_PATTERN).test(arg)) throw new Error(`'${arg}' is not an election id`);
  return arg;
}

/**
 * The frame of every bad-ballot fault. Its target is the election it was given, else the first
 * open secret election that `fits`, else one of its own, opened and run by the fault when the
 * chain has none (looked at every second, so its ceremony moves at the pace of blocks). Every
 * 3 s `forge` builds the bad transactions for the target, which go straight to every peer.
 */
export function castBadBallots(
  ctx: AppFaultContext,
  options: {
    electionId: string | undefined;
    label: string;
    fits?: (v: SecretElectionView) => boolean;
    forge: (target: SecretElectionView) => Tx[] | Promise<Tx[]>;
  },
): void {
  const { electionId, fits = () => true } = options;
  let own: OwnSecretElection | undefined;
  let target: SecretElectionView | undefined;
  ctx.interval(ADVANCE_MS, async () => {
    target = votingSecretElections(ctx, (v) => (electionId === undefined || v.election === electionId) && fits(v))[0];
    if (target || electionId !== undefined) return;
    own ??= new OwnSecretElection(ctx, options.label);
    const view = await own.advance();
    if (view?.phase === 'voting') target = view;
  });
  ctx.interval(SEND_MS, async () => {
    if (!target) return;
    const txs = await options.forge(target);
    if (txs.length) toEveryPeer(ctx, txs);
  });
}

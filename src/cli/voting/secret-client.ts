import {
  auditDraft,
  decryptionStep,
  electionRecord,
  entriesOf,
  nextCeremonyStep,
  sealBallot,
  secretCall,
  VOTING_APP_ID,
  type ElectionRecordFile,
  type RecordEntry,
  type SealedBallotDraft,
  type SecretElectionView,
  type TrackingAnswer,
  type TrusteeStep,
} from '../../apps/voting/index.js';
import { CairnError } from '../../kernel/index.js';
import type { SubmitOptions, Submitted } from '../tx/tx-client.js';
import { checkElectionId, type VotingClient } from './voting-client.js';

/** A step of the ceremony as `trustee ceremony` reports it: what was posted, or why nothing was. */
export type CeremonyProgress =
  | { posted: 'trustee.key' | 'trustee.deal' | 'trustee.review'; submitted: Submitted; complaints: number[] }
  | { waiting: string }
  | { done: 'voting' | 'failed' };

/**
 * Secret elections from a client: what a voter's device and a trustee do, through one node's
 * API. Ballots are encrypted here, so a choice never leaves this process in the clear; a
 * trustee's ceremony secrets are derived from its key each time (`trusteeSecrets`), so every
 * step can be run again after a crash.
 */
export class SecretElectionClient {
  constructor(readonly voting: VotingClient) {}

  view(election: string): Promise<SecretElectionView> {
    return this.voting.api.query<SecretElectionView>(VOTING_APP_ID, 'secretElection', { election: checkElectionId(election) });
  }

  tracking(election: string, code: string): Promise<TrackingAnswer> {
    return this.voting.api.query<TrackingAnswer>(VOTING_APP_ID, 'tracking', { election: checkElectionId(election), code });
  }

  /** A ballot for `chosen`, encrypted for `voter` (a key name, new if need be), not sent. */
  async seal(election: string, chosen: readonly string[], voter: string): Promise<SealedBallotDraft> {
    return (await this.sealWithView(election, chosen, voter)).draft;
  }

  private async sealWithView(election: string, chosen: readonly string[], voter: string) {
    const [chainId, view] = await Promise.all([this.voting.chainId(), this.view(election)]);
    if (view.phase !== 'voting') throw new CairnError('ELECTION_NOT_READY', notReady(view));
    const publicKey = this.voting.voter(voter).publicKey;
    return { view, draft: sealBallot(chainId, view, publicKey, chosen) };
  }

  /** Encrypts and casts; the tracking code is known before the node answers. */
  async cast(
    election: string,
    chosen: readonly string[],
    voter: string,
    options?: SubmitOptions & { onSealed?: (tracking: string) => void },
  ): Promise<{ tracking: string; submitted: Submitted }> {
    const draft = await this.seal(election, chosen, voter);
    options?.onSealed?.(draft.tracking);
    const submitted = await this.voting.submit(
      secretCall({ type: 'ballot.encrypted', payload: draft.payload }),
      voter,
      { election },
      options,
    );
    return { tracking: draft.tracking, submitted };
  }

  /** Benaloh's challenge: a ballot encrypted as for casting, then opened instead; it is never sent. */
  async audit(election: string, chosen: readonly string[], voter: string) {
    const { view, draft } = await this.sealWithView(election, chosen, voter);
    return { tracking: draft.tracking, ballot: draft.payload.ballot, ...auditDraft(view, draft) };
  }

  /** The trustee's next ceremony message, posted; or what it waits for. */
  async ceremonyStep(election: string, trustee: string, options?: SubmitOptions): Promise<CeremonyProgress> {
    const [chainId, view] = await Promise.all([this.voting.chainId(), this.view(election)]);
    const me = this.trustee(view, trustee);
    const step: TrusteeStep = nextCeremonyStep(chainId, view, me);
    if ('done' in step) return { done: step.done };
    if ('wait' in step) return { waiting: step.wait };
    const submitted = await this.voting.submit(secretCall<string, unknown>(step), trustee, { election }, options);
    return { posted: step.type, submitted, complaints: 'complaints' in step ? step.complaints : [] };
  }

  /** The trustee's decryption of the closed election's sums, posted. */
  async decrypt(election: string, trustee: string, options?: SubmitOptions): Promise<Submitted> {
    const [chainId, view] = await Promise.all([this.voting.chainId(), this.view(election)]);
    const me = this.trustee(view, trustee);
    const j = view.trustees.indexOf(me.publicKey) + 1;
    if (view.phase !== 'voting')
      throw new CairnError(
        'DECRYPT_TOO_EARLY',
        `election '${election}' has nothing to decrypt: ${view.phase === 'failed' ? `its key ceremony failed (${view.failure})` : 'its key ceremony is not over'}`,
      );
    if (!view.qualified.includes(j))
      throw new CairnError(
        'DECRYPT_NOT_QUALIFIED',
        `trustee ${j} ('${trustee}') was disqualified in the key ceremony of election '${election}': it holds no key share`,
      );
    const payload = decryptionStep(chainId, view, me);
    return this.voting.submit(secretCall({ type: 'trustee.decrypt', payload }), trustee, { election }, options);
  }

  /**
   * A record checks out alone when its transactions give what it claims; this says whether it
   * is the chain's: the same chain id, its first and last transactions in the blocks it names on
   * this node's best chain, and the node's own key, qualified trustees, turnout, sums and result
   * equal to the record's. A record made up from scratch, under the real chain and election ids,
   * passes alone and fails here.
   */
  async anchor(record: ElectionRecordFile): Promise<AnchorVerdict> {
    const chainId = await this.voting.chainId();
    if (chainId !== record.chainId)
      return {
        ok: false,
        code: 'RECORD_OTHER_CHAIN',
        message: `the record is of chain ${record.chainId.slice(0, 12)}…, the node's is ${chainId.slice(0, 12)}…`,
      };
    for (const [what, entry] of [
      ['opening', record.transactions[0]!],
      ['last', record.transactions.at(-1)!],
    ] as const) {
      const status = await this.voting.api.txStatus(entry.txId).catch((err: unknown) => {
        if (err instanceof CairnError && err.code === 'TX_UNKNOWN') return undefined;
        throw err;
      });
      if (status?.status !== 'confirmed' || status.blockHash !== entry.blockHash)
        return {
          ok: false,
          code: 'RECORD_NOT_ON_CHAIN',
          message: `the record's ${what} transaction (${entry.tx.type} ${entry.txId.slice(0, 12)}…, block ${entry.height}) is not in that block of the node's best chain: the record is not this chain's election`,
        };
    }
    const [view, status] = await Promise.all([this.view(record.election), this.voting.status()]);
    const c = record.claimed;
    const differs = [
      ['election key', same(view.key, c.key)],
      ['qualified trustees', same(view.qualified, c.qualified)],
      ['turnout', view.turnout === c.turnout],
      ['sums', same(view.sums, c.sums)],
      ['result', same(view.result?.counts, c.result?.counts)],
    ].find(([, equal]) => !equal)?.[0];
    if (differs === undefined) return { ok: true, height: status.height, tip: status.tip };
    if (status.height > record.exportedAt.height)
      return {
        ok: false,
        code: 'RECORD_STALE',
        message: `the node's ${differs} differ from the record's, which was exported at height ${record.exportedAt.height} (the node is at ${status.height}): export the record again`,
      };
    return {
      ok: false,
      code: 'RECORD_NOT_ON_CHAIN',
      message: `the node's ${differs} differ from the record's: the record is not this chain's election`,
    };
  }

  /**
   * The election record from the node's best chain: the election's transactions from its opening
   * block to the tip, and the node's view of it. Read again if the tip moved meanwhile, so the
   * transactions and the claims come from one chain.
   */
  async record(election: string): Promise<ElectionRecordFile> {
    const { openedAt } = await this.voting.election(election);
    for (let attempt = 0; ; attempt++) {
      const before = await this.voting.status();
      const entries: RecordEntry[] = [];
      for (let h = Math.max(openedAt, 1); h <= before.height; h++) {
        const block = await this.voting.api.block(h);
        const ids = new Map(block.txs.map((tx, i) => [tx, block.txIds[i]!]));
        entries.push(...entriesOf(block, block.hash, election, (tx) => ids.get(tx)!));
      }
      const view = await this.view(election);
      const after = await this.voting.status();
      if (after.tip === before.tip || attempt >= 3)
        return electionRecord(await this.voting.chainId(), view, entries, { height: before.height, hash: before.tip });
    }
  }

  /** The key named `name` (it must exist: a trustee's secrets derive from it), which must be one of the election's trustees. */
  private trustee(view: SecretElectionView, name: string) {
    const key = this.voting.keystore.get(name);
    if (!view.trustees.includes(key.publicKey))
      throw new CairnError(
        'TRUSTEE_UNKNOWN',
        `'${name}' (key ${key.publicKey.slice(0, 12)}…) is not a trustee of election '${view.election}'`,
      );
    return key;
  }
}

/** Whether a record is the election this node's chain holds, or the first thing that says it is not. */
export type AnchorVerdict =
  | { ok: true; height: number; tip: string }
  | { ok: false; code: 'RECORD_OTHER_CHAIN' | 'RECORD_NOT_ON_CHAIN' | 'RECORD_STALE'; message: string };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function notReady(view: SecretElectionView): string {
  if (view.phase === 'failed') return `election '${view.election}' cannot take ballots: its key ceremony failed (${view.failure})`;
  return `election '${view.election}' cannot take ballots yet: its trustees have not finished the key ceremony (round '${view.phase}', ${view.posted.length} of ${view.trustees.length} posted)`;
}

import type { CairnNode, Tx } from '../../../src/kernel/index.js';
import {
  decryptionStep,
  electionRecord,
  entriesOf,
  nextCeremonyStep,
  sealBallot,
  type ElectionRecordFile,
  type SecretElectionView,
  type SealedBallotDraft,
} from '../../../src/apps/voting/index.js';
import { mine, Voter } from './voting-fixture.js';

export function secretView(node: CairnNode, election: string): SecretElectionView {
  return node.chain.query('voting', 'secretElection', { election }) as SecretElectionView;
}

/** A voter who also signs secret ballots, and a trustee's ceremony and decryption steps. */
export class SecretVoter extends Voter {
  constructor(readonly chain: string) {
    super(chain);
  }

  seal(node: CairnNode, election: string, chosen: string[]): { tx: Tx; draft: SealedBallotDraft } {
    const draft = sealBallot(this.chain, secretView(node, election), this.publicKey, chosen);
    return { tx: this.tx('voting', 'ballot.encrypted', draft.payload), draft };
  }

  /** This trustee's next ceremony transaction, or null when it has nothing to post. */
  ceremonyStep(node: CairnNode, election: string): Tx | null {
    const step = nextCeremonyStep(this.chain, secretView(node, election), this.keys);
    return 'type' in step ? this.tx('voting', step.type, step.payload) : null;
  }

  decrypt(node: CairnNode, election: string): Tx {
    return this.tx('voting', 'trustee.decrypt', decryptionStep(this.chain, secretView(node, election), this.keys));
  }
}

/** Runs the three ceremony rounds, each trustee's message of a round in one block. */
export async function runCeremony(node: CairnNode, election: string, trustees: SecretVoter[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const txs = trustees.map((t) => t.ceremonyStep(node, election)).filter((tx): tx is Tx => tx !== null);
    await mine(node, txs);
  }
}

/** The election record as `cairn election record` writes it, from the node's best chain. */
export async function recordOf(node: CairnNode, election: string): Promise<ElectionRecordFile> {
  const entries = [];
  const tip = node.chain.tip();
  for (let h = 1; h <= tip.height; h++) {
    const block = (await node.chain.blockAt(h))!;
    entries.push(...entriesOf(block, node.reader.hashAt(h)!, election, (tx) => node.txRules.idOf(tx)));
  }
  return electionRecord(node.chainId, secretView(node, election), entries, { height: tip.height, hash: tip.hash });
}

import { BlockRejection, TxRejection, type CairnNode, type Tx } from '../../../src/kernel/index.js';
import { castBallot, closeElection, DEVNET_VOTING_PARAMS, openElection, votingApp, type Tally } from '../../../src/apps/voting/index.js';
import { buildBlock, Signer, startNode, type FixtureOptions } from '../../support/chain-fixture.js';

/** A node running only the voting app, with the devnet's write-in `default` election in its genesis. */
export function startVotingNode(options: FixtureOptions = {}): Promise<CairnNode> {
  return startNode({ apps: [votingApp], appParams: { voting: DEVNET_VOTING_PARAMS }, ...options });
}

/** A key that signs voting transactions for one chain. */
export class Voter extends Signer {
  get publicKey(): string {
    return this.keys.publicKey;
  }

  open(options: Parameters<typeof openElection>[0]): Tx {
    const call = openElection(options);
    return this.tx(call.app, call.type, call.payload);
  }

  vote(election: string, choice: string): Tx {
    const call = castBallot(election, choice);
    return this.tx(call.app, call.type, call.payload);
  }

  close(election: string): Tx {
    const call = closeElection(election);
    return this.tx(call.app, call.type, call.payload);
  }
}

/** 'accepted', or the code the mempool refused `tx` with. */
export async function mempoolVerdict(node: CairnNode, tx: Tx): Promise<string> {
  try {
    await node.mempool.add(tx);
    return 'accepted';
  } catch (err) {
    if (!(err instanceof TxRejection)) throw err;
    return err.code;
  }
}

/** 'accepted', or the code of the transaction that made a block of `txs` on the tip invalid. */
export async function blockVerdict(node: CairnNode, txs: Tx[]): Promise<string> {
  try {
    const outcome = await node.chain.submitBlock(buildBlock(node, txs));
    if (outcome.status !== 'connected') throw new Error(`block was ${outcome.status}, not connected`);
    return 'accepted';
  } catch (err) {
    if (!(err instanceof BlockRejection)) throw err;
    if (err.code !== 'BLOCK_BAD_TX') return err.code;
    return String(err.details?.txCode);
  }
}

/** Mines each group of transactions into its own block on the tip; every block must connect. */
export async function mine(node: CairnNode, ...blocks: Tx[][]): Promise<void> {
  for (const txs of blocks) {
    const verdict = await blockVerdict(node, txs);
    if (verdict !== 'accepted') throw new Error(`setup block refused: ${verdict}`);
  }
}

export function tally(node: CairnNode, election: string): Tally {
  return node.chain.query('voting', 'tally', { election }) as Tally;
}

/** A tally as { choice: votes }, for comparisons that do not care about order. */
export function counts(node: CairnNode, election: string): Record<string, number> {
  return Object.fromEntries(tally(node, election).choices.map((c) => [c.choice, c.votes]));
}

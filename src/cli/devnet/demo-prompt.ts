import { CairnError, Keystore } from '../../kernel/index.js';
import { runVotePrompt, type VotePromptResult } from '../voting/vote-prompt.js';
import { VotingClient } from '../voting/voting-client.js';
import type { DemoDevnet } from './demo-types.js';

/**
 * The devnet in a terminal: the other nodes' URLs, then `cairn vote` against node 0, with voter
 * keys in your keystore (the one `cairn vote` uses).
 */
export async function runDevnetPrompt(devnet: DemoDevnet, keystoreDir: string): Promise<VotePromptResult> {
  const first = devnet.nodes[0];
  if (!first) throw new CairnError('DEVNET_NO_NODE', 'the devnet has no nodes to vote through');
  const banner = devnet.nodes.slice(1).map((n) => `node ${n.index}: ${n.apiUrl}  (cairn vote --data-dir ${n.dataDir} votes through it)`);
  return runVotePrompt(new VotingClient(devnet.client(0), new Keystore(keystoreDir)), { banner });
}

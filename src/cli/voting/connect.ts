import { Keystore } from '../../kernel/index.js';
import { nodeClient, type NodeClientFlags } from '../node-client.js';
import { VotingClient } from './voting-client.js';

/**
 * The voting client a command means: the node of `--node`/`--token` or of `--data-dir`, with
 * voter keys from the keystore of `--data-dir` (where `cairn keys new` puts them).
 */
export async function votingClientFromFlags(flags: NodeClientFlags): Promise<VotingClient> {
  return new VotingClient(await nodeClient(flags), new Keystore(flags['data-dir']));
}

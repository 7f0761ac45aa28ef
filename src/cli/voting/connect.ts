import { keystoreOf } from '../flags.js';
import { nodeClient, type NodeClientFlags } from '../node-client.js';
import { VotingClient } from './voting-client.js';

/** The voting client a command means: the node of `--node`/`--token` or of `--data-dir`, with keys from `--keystore`. */
export async function votingClientFromFlags(flags: NodeClientFlags & { keystore?: string }): Promise<VotingClient> {
  return new VotingClient(await nodeClient(flags), keystoreOf(flags));
}

import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { nodeClient } from '../../cli/node-client.js';
import { peersRows } from '../../cli/node-report.js';
import type { PeersResponse } from '../../plugins/http-api/index.js';

export default class NodePeers extends CairnCommand {
  static override summary = "List a running node's peers, and the peers it has banned.";
  static override description =
    'For each peer: its address, whether the handshake is done, the height it claims, its misbehaviour score and its rejections by code. Banned peers are listed with the reason and the time left.';
  static override examples = [
    '<%= config.bin %> node peers --data-dir /tmp/cairn-demo',
    '<%= config.bin %> node peers --node http://127.0.0.1:38121 --json',
  ];

  static override flags = { ...nodeApiFlags };

  async run(): Promise<PeersResponse> {
    const { flags } = await this.parse(NodePeers);
    const client = await nodeClient(flags);
    const peers = await client.peers();
    if (!this.jsonEnabled()) for (const line of peersRows(peers)) this.log(line);
    return peers;
  }
}

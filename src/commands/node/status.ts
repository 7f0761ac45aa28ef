import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { nodeClient } from '../../cli/node-client.js';
import { statusRows } from '../../cli/node-report.js';
import type { StatusResponse } from '../../plugins/http-api/index.js';

export default class NodeStatus extends CairnCommand {
  static override summary = "Show a running node's chain, peers, mempool and rejection counters.";
  static override description =
    'Asks the node API (started with `cairn node start --api-port`). Without --node, the node running on --data-dir is asked.';
  static override examples = [
    '<%= config.bin %> node status --data-dir /tmp/cairn-demo',
    '<%= config.bin %> node status --node http://127.0.0.1:38121 --json',
  ];

  static override flags = { ...nodeApiFlags };

  async run(): Promise<StatusResponse> {
    const { flags } = await this.parse(NodeStatus);
    const client = await nodeClient(flags);
    const status = await client.status();
    if (!this.jsonEnabled()) for (const line of statusRows(status)) this.log(line);
    return status;
  }
}

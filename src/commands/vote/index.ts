import { CairnCommand } from '../../cli/base-command.js';
import { nodeApiFlags } from '../../cli/flags.js';
import { votingClientFromFlags } from '../../cli/voting/connect.js';
import { runVotePrompt, type VotePromptResult } from '../../cli/voting/vote-prompt.js';
import { ConfigError } from '../../kernel/index.js';

export default class Vote extends CairnCommand {
  static override summary = 'Vote interactively: add a ballot, display the tally, quit.';
  static override description =
    'A voter id is a key name in your keystore (--keystore), made on first use and kept once the node accepts the ballot; the ballot is signed with that key, and the prompt waits until a block counts it or says why the chain refused it. For scripts, use `cairn vote cast` and `cairn vote tally`.';
  static override examples = [
    '<%= config.bin %> vote',
    '<%= config.bin %> vote --node http://127.0.0.1:8080 --token $(cat ~/.cairn/api.cookie)',
  ];
  static override enableJsonFlag = false;

  static override flags = { ...nodeApiFlags };

  async run(): Promise<VotePromptResult> {
    const { flags } = await this.parse(Vote);
    if (!process.stdin.isTTY) {
      throw new ConfigError(
        'NOT_A_TERMINAL',
        'cairn vote asks questions on a terminal: in a script use cairn vote cast and cairn vote tally',
      );
    }
    const client = await votingClientFromFlags(flags);
    const result = await runVotePrompt(client);
    this.log(`bye: ${result.counted} ballot${result.counted === 1 ? '' : 's'} counted in this session`);
    return result;
  }
}

import { CairnCommand } from '../../cli/base-command.js';
import { repairChain, type RepairReport } from '../../cli/chain-repair.js';
import { chainSelectionFlags } from '../../cli/flags.js';
import { chooseAppsAndParams, configFromFlags, shortHash } from '../../cli/node-assembly.js';
import { createLogger } from '../../kernel/index.js';

export default class ChainRepair extends CairnCommand {
  static override summary = 'Rebuild a damaged store from what it still holds; the node syncs the rest from peers.';
  static override description =
    "For a store refused with STORE_DAMAGED. The damaged store is never changed: LevelDB's repair runs on a copy, every block body it yields is validated again from genesis into a new store, which must pass chain verify; then the damaged store is kept aside (renamed) and the new one takes its place. Prints the height before and after and how many blocks were lost: the node fetches those from its peers at its next start. Refused while a node runs on the data dir.";
  static override examples = ['<%= config.bin %> chain repair --data-dir /tmp/cairn-demo', '<%= config.bin %> chain repair --json'];

  static override flags = { ...chainSelectionFlags };

  async run(): Promise<RepairReport> {
    const { flags } = await this.parse(ChainRepair);
    const config = configFromFlags(flags, { mine: 'off' });
    const { apps, params } = await chooseAppsAndParams(config, flags);
    const report = await repairChain({ config, params, apps, logger: createLogger(config.logLevel) });
    const lost =
      report.blocksLost === 0
        ? 'no block of the best chain was lost'
        : `${report.blocksLost} block${report.blocksLost === 1 ? '' : 's'} lost`;
    this.log(`store rebuilt at ${report.store}: chain verify passed`);
    if (report.unreadable.length)
      this.log(`LevelDB's repair could not read all of the damaged store: ${report.unreadable.slice(0, 3).join('; ')}`);
    const atLeast = report.unreadable.length ? 'at least ' : '';
    this.log(
      `height before ${atLeast}${report.heightBefore}, after ${report.heightAfter} (tip ${shortHash(report.tip)}): ${report.unreadable.length && report.blocksLost === 0 ? 'newer blocks may have been lost' : lost}; ${report.blocksSalvaged} block bodies salvaged, ${report.mempoolSalvaged} waiting transactions kept`,
    );
    this.log(`the damaged store is kept, unchanged, at ${report.keptAt}`);
    this.log(
      report.blocksLost === 0 && report.unreadable.length === 0
        ? 'the node will fetch any newer blocks from its peers on its next start'
        : 'the node will sync the missing blocks from its peers on its next start',
    );
    return report;
  }
}

import { CairnCommand } from '../../cli/base-command.js';
import { KNOWN_FAULTS } from '../../cli/known-faults.js';
import type { FaultGroup } from '../../plugins/faults/index.js';

export interface FaultListing {
  name: string;
  group: FaultGroup;
  /** `NAME` or `NAME=ARG` as `--fault` takes it. */
  usage: string;
  summary: string;
  honestReaction: string;
  /** Rejection codes an honest peer counts it under; empty when the defence is not a rejection. */
  codes: string[];
  bans: boolean;
  /** An honest peer can tell it happened (it counts a rejection); `devnet --demo --malicious` then requires it. */
  detectable: boolean;
}

const GROUPS: Record<FaultGroup, string> = {
  chain: 'Bad chains',
  block: 'Blocks',
  tx: 'Transactions',
  message: 'Messages',
  network: 'Network (on this node’s own links)',
  crash: 'Crashes (for tests)',
};

export default class FaultsList extends CairnCommand {
  static override summary = 'List the faults a node can commit on purpose, and what an honest node must do about each.';
  static override description =
    'Enable them with `cairn node start --fault NAME[=ARG]` (repeatable; --fault-seed makes the random choices replay).';
  static override examples = ['<%= config.bin %> faults list', '<%= config.bin %> faults list --json'];

  async run(): Promise<FaultListing[]> {
    await this.parse(FaultsList);
    const listing = KNOWN_FAULTS.map((b) => ({
      name: b.name,
      group: b.group,
      usage: b.arg ? `${b.name}=${b.arg}` : b.name,
      summary: b.summary,
      honestReaction: b.honestReaction,
      codes: [...b.codes],
      bans: b.bans,
      detectable: b.codes.length > 0,
    }));
    for (const [group, title] of Object.entries(GROUPS)) {
      const members = listing.filter((f) => f.group === group);
      if (!members.length) continue;
      this.log(`${title}`);
      for (const f of members) {
        const verdict = f.codes.length ? `${f.codes.join(', ')}${f.bans ? '; banned' : ''}` : 'no rejection: not detectable';
        this.log(`  ${f.usage}  [${verdict}]`);
        this.log(`      does:   ${f.summary}`);
        this.log(`      honest: ${f.honestReaction}`);
      }
      this.log('');
    }
    return listing;
  }
}

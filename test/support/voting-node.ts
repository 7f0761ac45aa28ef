import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEVNET_VOTING_PARAMS } from '../../src/apps/voting/index.js';
import { VotingClient } from '../../src/cli/voting/voting-client.js';
import { genesisFileFor, paramsFromFlags } from '../../src/kernel/chain-params.js';
import { Keystore } from '../../src/kernel/keystore.js';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { CairnProcess } from './processes.js';

/** One hash in 2^12 qualifies: a block in a few milliseconds, so a ballot is counted at once. */
export const VOTING_EASY_TARGET = '000' + 'f'.repeat(61);

export interface VotingNode {
  dir: string;
  dataDir: string;
  process: CairnProcess;
  apiUrl: string;
  api: ApiClient;
  /** A client with the keystore the CLI commands of `args` use. */
  voting: VotingClient;
  /** `--data-dir` and `--keystore` for the CLI commands that talk to this node. */
  args: string[];
  stop(): Promise<void>;
}

/**
 * A real `cairn node start` process running the voting app on a chain whose genesis opens the
 * devnet's write-in election `default`, with its API on a free port, mining on demand.
 */
export async function startVotingNode(): Promise<VotingNode> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-vote-'));
  const genesis = path.join(dir, 'genesis.json');
  const params = paramsFromFlags({
    difficulty: 'fixed',
    blockTime: 1,
    initialTarget: VOTING_EASY_TARGET,
    apps: ['voting'],
    network: 'vote-test',
    appParams: { voting: DEVNET_VOTING_PARAMS },
  });
  writeFileSync(genesis, JSON.stringify(genesisFileFor(params)));
  const dataDir = path.join(dir, 'node');
  const keys = path.join(dir, 'keys');
  const child = new CairnProcess([
    'node',
    'start',
    '--data-dir',
    dataDir,
    '--genesis',
    genesis,
    '--app',
    'voting',
    '--transport',
    'none',
    '--api-port',
    '0',
    '--mine',
    'on-demand',
    '--json',
  ]);
  try {
    const started = JSON.parse(await child.waitForLine(/"event":"started"/)) as { api: string };
    const api = await ApiClient.fromDataDir(dataDir);
    return {
      dir,
      dataDir,
      process: child,
      apiUrl: started.api,
      api,
      voting: new VotingClient(api, new Keystore(keys)),
      args: ['--data-dir', dataDir, '--keystore', keys],
      stop: async () => {
        await child.kill('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

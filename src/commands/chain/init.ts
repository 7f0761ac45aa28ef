// First: it loads reflect-metadata, which tsyringe (reached through the apps) needs before it loads.
import { CairnCommand } from '../../cli/base-command.js';
import { Flags } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadApps } from '../../apps/registry.js';
import { chainFlags } from '../../cli/flags.js';
import { configFromFlags } from '../../cli/node-assembly.js';
import { ConfigError, fsReason, genesisFileFor, paramsFromFlags, type GenesisFile } from '../../kernel/index.js';

/** Genesis time: Unix milliseconds or an ISO 8601 date. */
const timestampFlag = Flags.custom<number>({
  async parse(input) {
    const value = /^\d+$/.test(input) ? Number(input) : Date.parse(input);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ConfigError('CONFIG_INVALID', `--timestamp expects Unix milliseconds or an ISO 8601 date, not '${input}'`);
    }
    return value;
  },
});

export default class ChainInit extends CairnCommand {
  static override summary = 'Write a genesis file for a custom network.';
  static override description =
    'The file holds the chain parameters, the genesis header and the chain id they give. Nodes started with `--genesis FILE` join that chain. Without a genesis file, nodes given equal chain flags derive the same chain anyway.';
  static override examples = [
    '<%= config.bin %> chain init --out genesis.json',
    '<%= config.bin %> chain init --out devnet.json --difficulty fixed --initial-target 00000fffffffffffffffffffffffffffffffffffffffffffffffffffffffffff --network devnet',
  ];

  static override flags = {
    out: Flags.string({ char: 'o', summary: 'File to write.', required: true }),
    force: Flags.boolean({ summary: 'Replace the file if it exists.', default: false }),
    network: Flags.string({ summary: 'Network name, part of the chain id. [default: cairn]', helpGroup: 'CHAIN' }),
    timestamp: timestampFlag({ summary: 'Genesis time: Unix ms or an ISO 8601 date. [default: 2026-01-01T00:00:00Z]', helpGroup: 'CHAIN' }),
    ...chainFlags,
  };

  async run(): Promise<GenesisFile & { file: string }> {
    const { flags } = await this.parse(ChainInit);
    // The node config schema validates the chain flags, with the same messages as `node start`.
    const config = configFromFlags(flags);
    if (flags.network !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(flags.network)) {
      throw new ConfigError('CONFIG_INVALID', `--network must be 1 to 64 letters, digits, '.', '_' or '-'`);
    }
    const apps = await loadApps(config.apps);
    const params = paramsFromFlags({
      difficulty: config.difficulty,
      blockTime: config.blockTime,
      initialTarget: config.initialTarget,
      apps: apps.map((a) => a.id),
      network: flags.network,
      timestamp: flags.timestamp,
    });
    const genesis = genesisFileFor(params);
    const file = path.resolve(flags.out);
    try {
      writeFileSync(file, JSON.stringify(genesis, null, 2) + '\n', { flag: flags.force ? 'w' : 'wx' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new ConfigError('GENESIS_EXISTS', `${file} already exists; use --force to replace it`);
      throw new ConfigError('GENESIS_UNWRITABLE', `cannot write ${file}: ${fsReason(err)}`);
    }
    this.log(`wrote genesis of chain ${genesis.chainId} to ${file}`);
    this.log(
      `policy ${params.consensus.policy}, block time ${params.consensus.blockTimeMs / 1000}s, apps: ${params.apps.join(', ') || 'none'}`,
    );
    return { ...genesis, file };
  }
}

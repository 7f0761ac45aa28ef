import type { LogLevel } from '../../kernel/index.js';
import type { DevnetOptions } from './devnet-options.js';

/** The flags of `cairn devnet` that shape the network. */
export interface DevnetFlagValues {
  nodes: number;
  dir?: string;
  app?: string[];
  'tracker-port': number;
  'block-time': number;
  malicious?: number;
  fault?: string[];
  'fault-all'?: string[];
  'fault-seed'?: number;
  'log-level': LogLevel;
}

export function devnetOptionsFromFlags(flags: DevnetFlagValues): DevnetOptions {
  return {
    nodes: flags.nodes,
    dir: flags.dir,
    apps: flags.app,
    trackerPort: flags['tracker-port'],
    blockTime: flags['block-time'],
    malicious: flags.malicious,
    faults: flags.fault,
    faultsAll: flags['fault-all'],
    faultSeed: flags['fault-seed'],
    logLevel: flags['log-level'],
  };
}

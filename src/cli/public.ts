// `@cairn-chain/cairn/cli`: what an app's own oclif commands need to behave like cairn's (one-line errors,
// --json, --data-dir) and to reach a running node. One @oclif/core for cairn and its plugins.
export { Args, Flags } from '@oclif/core';
export { CairnCommand, defaultDataDir } from './base-command.js';
export { keystoreOf, nodeApiFlags } from './flags.js';
export { nodeClient, type NodeClientFlags } from './node-client.js';
// The types of flags and args, so that a plugin's declarations can name them through cairn.
export type { Arg, BooleanFlag, CustomOptions, OptionFlag } from '@oclif/core/interfaces';
// Any app's transactions from a command: sign, submit, keep a new key once accepted, wait for the block.
export {
  TxClient,
  TxRefused,
  type Counted,
  type CreatedKey,
  type SubmitOptions,
  type Submitted,
  type TxCall,
  type TxProgress,
  type WaitOptions,
} from './tx/tx-client.js';
export { ProgressLine } from './tx/progress-line.js';
export { waitFlags, waitTimeoutMs } from './tx/wait-flags.js';

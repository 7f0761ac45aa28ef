// `@cairn-chain/cairn/cli`: what an app's own oclif commands need to behave like cairn's (one-line errors,
// --json, --data-dir) and to reach a running node. One @oclif/core for cairn and its plugins.
export { Args, Flags } from '@oclif/core';
export { CairnCommand, defaultDataDir } from './base-command.js';
export { keystoreOf, nodeApiFlags } from './flags.js';
export { nodeClient, type NodeClientFlags } from './node-client.js';
// The types of flags and args, so that a plugin's declarations can name them through cairn.
export type { Arg, BooleanFlag, CustomOptions, OptionFlag } from '@oclif/core/interfaces';

/**
 * Injection tokens: one symbol per service a node is made of. Every constructor parameter
 * names its token with `@inject(TOKEN)`, so nothing depends on emitted type metadata (which
 * tsx/esbuild drop silently) and an interface-typed parameter can never resolve to `Object`.
 */
export const CONFIG = Symbol.for('cairn.config');
export const CHAIN_PARAMS = Symbol.for('cairn.chainParams');
export const LOGGER = Symbol.for('cairn.logger');
export const CLOCK = Symbol.for('cairn.clock');
export const EVENTS = Symbol.for('cairn.events');
export const STORE = Symbol.for('cairn.store');
export const STORE_HEALTH = Symbol.for('cairn.storeHealth');
export const CONSENSUS = Symbol.for('cairn.consensus');
export const TRANSPORT = Symbol.for('cairn.transport');
export const DISCOVERY = Symbol.for('cairn.discovery');
export const APPS = Symbol.for('cairn.apps');
export const CHAIN = Symbol.for('cairn.chain');
/** The chain as readers see it (tip, blocks, headers, state): no way to change it. */
export const CHAIN_READER = Symbol.for('cairn.chainReader');
/** What a block must be to be admitted; a plugin may provide its own, else the kernel's. */
export const BLOCK_RULES = Symbol.for('cairn.blockRules');
/** What a transaction must be; a plugin may provide its own, else the kernel's. */
export const TX_RULES = Symbol.for('cairn.txRules');
/** Which blocks without a parent are kept, and how many; a plugin may provide its own. */
export const ORPHAN_POLICY = Symbol.for('cairn.orphanPolicy');
/** Peer slots, ban score and time, message and serving rates (PeerPolicy); a plugin may provide its own. */
export const PEER_POLICY = Symbol.for('cairn.peerPolicy');
export const MEMPOOL = Symbol.for('cairn.mempool');
export const MINER = Symbol.for('cairn.miner');
export const NETWORK = Symbol.for('cairn.network');
export const API = Symbol.for('cairn.api');

export type Token = symbol;

export function tokenName(token: Token): string {
  return token.description?.replace(/^cairn\./, '') ?? String(token);
}

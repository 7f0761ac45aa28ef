// Transactions waiting for a block, persisted so that an acknowledged one survives a restart.
export { Mempool } from './mempool.js';

// Mining: builds block templates from the mempool and hands them to the consensus to seal.
export { Miner } from './miner.js';

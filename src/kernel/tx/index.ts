// Transactions: the envelope, its signature, and the rules that admit one.
export * from './tx.js';
export { TxRules, TX_INDEX_APP, MAX_TX_BYTES, describeTxError, type AppEvent } from './tx-rules.js';
export { SignatureCache } from './signature-cache.js';

// The chain's records on a Store: key layout, batches, and whether the store takes writes.
export * from './chain-store.js';
export { StoreHealth, type StoreStatus } from './store-health.js';
export { checkedOps } from './store-ops.js';

export { MemoryStore } from './memory-store.js';
export { memoryStore, type MemoryStoreOptions } from './plugin.js';

export { LevelStore } from './level-store.js';
export { levelStore, type LevelStoreOptions } from './plugin.js';
export { DAMAGE_MARKER } from './recovery-check.js';
export { storeLocked } from './level-errors.js';
export { holdsStore, repairedCopy, storeInUse } from './repair.js';

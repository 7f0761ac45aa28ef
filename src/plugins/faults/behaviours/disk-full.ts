import { existsSync } from 'node:fs';
import { StoreError } from '../../../kernel/index.js';
import { FaultError } from '../errors.js';
import type { FaultBehaviour } from '../types.js';

/** Without a path the disk is full for good; with one, while that file exists. */
interface DiskFull {
  path?: string;
}

export const diskFull: FaultBehaviour<DiskFull> = {
  name: 'disk-full',
  group: 'crash',
  arg: '[PATH]',
  summary:
    'Its store refuses every write as a full disk does (ENOSPC), from its start on; with PATH, only while the file PATH exists (delete it to free the "disk"). Reads go on.',
  honestReaction:
    'Peers see a node that stops mining and stops asking for blocks, and go on; the node itself pauses (node status: store NOT WRITABLE, STORE_FULL), refuses new transactions with 503 STORE_FULL, keeps serving blocks, and resumes and catches up by itself once it can write.',
  codes: [],
  bans: false,
  needs: ['store'],
  parse(arg) {
    if (arg === undefined) return {};
    if (arg.trim() === '') throw new FaultError('FAULT_BAD_ARG', '--fault disk-full: PATH must not be empty', { fault: 'disk-full' });
    return { path: arg };
  },
  install(ctx, { path }) {
    const store = ctx.services.store!;
    let stopped = false;
    ctx.onStop(() => (stopped = true));
    store.gate(() => {
      if (stopped || (path !== undefined && !existsSync(path))) return undefined;
      return new StoreError('STORE_FULL', `the disk holding the store at ${store.location} is full (injected by the disk-full fault)`, {
        location: store.location,
        causeCode: 'ENOSPC',
        retryable: true,
      });
    });
  },
};

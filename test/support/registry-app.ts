import { AppRejection, defineApp } from '../../src/kernel/index.js';

/**
 * A small test-only chain app: names are claimed first-come, first-served. It exercises every
 * part of the ChainApp contract: a schema, a stateful check, a reducer, queries and events.
 */
export const registryApp = defineApp({
  id: 'registry',
  genesis: (params) => ({ claimed: (params as { preclaimed?: number } | undefined)?.preclaimed ?? 0 }),
  tx: {
    claim: {
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' } },
      },
      check(state, tx) {
        if (state.has(`name:${tx.payload.name}`)) throw new AppRejection('NAME_TAKEN', `'${tx.payload.name}' is already claimed`);
      },
      apply(state, tx, ctx) {
        state.put(`name:${tx.payload.name}`, { owner: tx.from, height: ctx.height });
        state.put('claimed', (state.get<number>('claimed') ?? 0) + 1);
        ctx.emit('claimed', { name: tx.payload.name });
      },
    },
  },
  queries: {
    owner: (state, args) => state.get(`name:${String(args.name)}`) ?? null,
    count: (state) => state.get<number>('claimed') ?? 0,
    names: (state) => state.entries('name:').map(([k]) => k.slice(5)),
  },
});

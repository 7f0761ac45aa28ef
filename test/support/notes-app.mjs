/**
 * A tiny chain app in plain JavaScript, for tests that run real `cairn node start` processes:
 * a child process loads apps by path with `--app`, and cannot load the TypeScript test apps.
 * Each `note` transaction records its text; the queries list what the chain holds.
 */
export default {
  id: 'notes',
  description: 'test app: append-only notes',
  tx: {
    note: {
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['text'],
        properties: { text: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      apply(state, tx, ctx) {
        state.put(`note:${ctx.txId}`, { text: tx.payload.text, height: ctx.height });
        state.put('count', (state.get('count') ?? 0) + 1);
      },
    },
  },
  queries: {
    count: (state) => state.get('count') ?? 0,
    texts: (state) =>
      state
        .entries('note:')
        .map(([, v]) => v.text)
        .sort(),
  },
};

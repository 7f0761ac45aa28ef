/**
 * A plain-JS chain app for `cairn tx` tests (a child process loads it with `--app PATH`): its
 * `post` payload has one property of each kind the command line maps to a flag, and its
 * `forbidden` type is always refused by the app's check.
 */
class AppRejection extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'AppRejection';
    this.code = code;
  }
}

export default {
  id: 'forms',
  description: 'test app: one payload of every kind',
  tx: {
    post: {
      schema: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'count', 'level'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 64 },
          count: { type: 'integer', minimum: 0, maximum: 1000 },
          draft: { type: 'boolean' },
          level: { enum: ['low', 'mid', 'high'] },
          tags: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 16 } },
          // Named like cairn's own --key: reachable through --payload only.
          key: { type: 'string', maxLength: 16 },
        },
      },
      apply(state, tx, ctx) {
        state.put(`post:${ctx.txId}`, tx.payload);
      },
    },
    forbidden: {
      schema: { type: 'object', additionalProperties: false, properties: {} },
      check() {
        throw new AppRejection('FORMS_FORBIDDEN', 'this app refuses every forbidden transaction');
      },
      apply() {},
    },
  },
  queries: {
    posts: (state) => state.entries('post:').map(([, v]) => v),
  },
};

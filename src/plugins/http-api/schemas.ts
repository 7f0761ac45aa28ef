/**
 * JSON Schemas of the node API's routes. Requests are refused before a handler runs when they
 * do not match; response schemas also make Fastify serialise only the listed fields.
 */

const hash = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const counters = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export const MAX_BLOCKS_PAGE = 500;

export const statusSchema = {
  response: {
    200: {
      type: 'object',
      required: ['chainId', 'height', 'tip', 'totalWork', 'mempool', 'peers', 'syncing', 'mining', 'store', 'rejections', 'uptime'],
      properties: {
        chainId: { type: 'string' },
        height: { type: 'integer' },
        tip: { type: 'string' },
        totalWork: { type: 'string' },
        mempool: { type: 'integer' },
        peers: { type: 'integer' },
        syncing: { type: 'boolean' },
        mining: { type: 'string' },
        store: {
          type: 'object',
          required: ['writable'],
          properties: {
            writable: { type: 'boolean' },
            code: { type: 'string' },
            message: { type: 'string' },
            since: { type: 'number' },
            retrying: { type: 'boolean' },
          },
        },
        rejections: counters,
        edge: counters,
        transport: counters,
        uptime: { type: 'number' },
      },
    },
  },
} as const;

export const peersSchema = {
  response: {
    200: {
      type: 'object',
      required: ['peers', 'banned'],
      properties: {
        peers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              peer: { type: 'string' },
              ready: { type: 'boolean' },
              origin: { enum: ['outbound', 'inbound'] },
              height: { type: 'integer' },
              score: { type: 'number' },
              rejections: counters,
            },
          },
        },
        banned: {
          type: 'array',
          items: {
            type: 'object',
            properties: { peer: { type: 'string' }, until: { type: 'number' }, reason: { type: 'string' }, rejections: counters },
          },
        },
      },
    },
  },
} as const;

const blockSummary = {
  type: 'object',
  properties: {
    hash: { type: 'string' },
    height: { type: 'integer' },
    time: { type: 'number' },
    target: { type: 'string' },
    txCount: { type: 'integer' },
    txIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const blocksSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { type: 'integer', minimum: 0, maximum: 0xffff_ffff },
      limit: { type: 'integer', minimum: 1, maximum: MAX_BLOCKS_PAGE, default: 20 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['height', 'blocks'],
      properties: { height: { type: 'integer' }, blocks: { type: 'array', items: blockSummary } },
    },
  },
} as const;

export const blockSchema = {
  params: { type: 'object', required: ['hash'], properties: { hash } },
} as const;

/**
 * The transaction envelope, as the kernel checks it. Extra fields are refused, not stripped: the
 * signature covers what the client sent, and a silently changed envelope would be another one.
 */
export const txBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['app', 'type', 'payload', 'from', 'nonce', 'sig'],
  properties: {
    app: { type: 'string', minLength: 1, maxLength: 64 },
    type: { type: 'string', minLength: 1, maxLength: 64 },
    payload: {},
    from: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    nonce: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    sig: { type: 'string', pattern: '^[0-9a-f]{128}$' },
  },
} as const;

export const submitTxSchema = {
  body: txBodySchema,
  response: {
    200: { type: 'object', required: ['id', 'known'], properties: { id: hash, known: { type: 'boolean' } } },
    202: { type: 'object', required: ['id'], properties: { id: hash } },
  },
} as const;

/** Most transactions one `POST /txs` may carry: 1,000 ballots are about 300 kB, within the body limit. */
export const MAX_TXS_PER_BATCH = 1000;

/**
 * A batch of envelopes. Items are checked one by one in the handler against `txBodySchema`, so
 * one malformed transaction is refused alone and the rest of the batch still counts.
 */
export const submitTxsSchema = {
  body: { type: 'array', minItems: 1, maxItems: MAX_TXS_PER_BATCH, items: {} },
  response: {
    200: {
      type: 'object',
      required: ['results'],
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: hash,
              known: { type: 'boolean' },
              error: {
                type: 'object',
                required: ['code', 'message'],
                properties: { code: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const txStatusSchema = {
  params: { type: 'object', required: ['id'], properties: { id: hash } },
} as const;

export const appsSchema = {
  response: {
    200: {
      type: 'object',
      required: ['apps'],
      properties: {
        apps: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              description: { type: 'string' },
              txTypes: { type: 'array', items: { type: 'string' } },
              queries: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;

export const querySchema = {
  params: {
    type: 'object',
    required: ['app', 'query'],
    properties: { app: { type: 'string', minLength: 1, maxLength: 64 }, query: { type: 'string', minLength: 1, maxLength: 64 } },
  },
  // Query arguments are free-form (each app defines its own); bounded in count and size.
  querystring: { type: 'object', maxProperties: 32, additionalProperties: { type: 'string', maxLength: 4096 } },
} as const;

export const eventsSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { types: { type: 'string', pattern: '^(block|reorg|app|rejected)(,(block|reorg|app|rejected))*$' } },
  },
} as const;

import type { FromSchema } from 'json-schema-to-ts';
import { HASH_SCHEMA as hash, TX_SCHEMA } from '../../kernel/index.js';

/**
 * JSON Schemas of the node API's routes. Requests are refused before a handler runs when they
 * do not match; response schemas also make Fastify serialise only the listed fields. What a
 * handler reads from a request is typed from the same schemas (below each one).
 */

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

export type BlocksQuery = FromSchema<typeof blocksSchema.querystring>;

/** Most digits of a height in a path: heights are uint32. */
export const BLOCK_ID_PATTERN = '^([0-9a-f]{64}|[0-9]{1,10})$';

/** `:hash` is a block hash or, all digits and shorter, a height of the best chain. */
export const blockSchema = {
  params: { type: 'object', required: ['hash'], properties: { hash: { type: 'string', pattern: BLOCK_ID_PATTERN } } },
} as const;

export type BlockParams = FromSchema<typeof blockSchema.params>;

/** The envelope is the kernel's own schema: the API refuses what the mempool would. */
export const submitTxSchema = {
  body: TX_SCHEMA,
  response: {
    200: { type: 'object', required: ['id', 'known'], properties: { id: hash, known: { type: 'boolean' } } },
    202: { type: 'object', required: ['id'], properties: { id: hash } },
  },
} as const;

/** Most transactions one `POST /txs` may carry: 1,000 ballots are about 300 kB, within the body limit. */
export const MAX_TXS_PER_BATCH = 1000;

/**
 * A batch of envelopes. Items are checked one by one in the handler against `TX_SCHEMA`, so
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

export type TxBody = FromSchema<typeof submitTxSchema.body>;
export type TxsBody = FromSchema<typeof submitTxsSchema.body>;

export const txStatusSchema = {
  params: { type: 'object', required: ['id'], properties: { id: hash } },
} as const;

export type TxStatusParams = FromSchema<typeof txStatusSchema.params>;

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
              // Each type's payload schema, as the app wrote it.
              txSchemas: { type: 'object', additionalProperties: {} },
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

export type QueryParams = FromSchema<typeof querySchema.params>;
export type QueryArgs = FromSchema<typeof querySchema.querystring>;

export const eventsSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { types: { type: 'string', pattern: '^(block|reorg|app|rejected)(,(block|reorg|app|rejected))*$' } },
  },
} as const;

export type EventsQuery = FromSchema<typeof eventsSchema.querystring>;

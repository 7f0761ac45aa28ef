import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { describeTxError, isAppRejection, StoreError, TX_INDEX_APP, TxRejection, txId, type Tx } from '../../../kernel/index.js';
import { ApiError } from '../errors.js';
import {
  MAX_TXS_PER_BATCH,
  submitTxSchema,
  submitTxsSchema,
  txStatusSchema,
  type TxBody,
  type TxsBody,
  type TxStatusParams,
} from '../schemas.js';
import type { TxStatusResponse, TxsSubmitResponse, TxSummary } from '../types.js';
import type { RouteContext } from './context.js';

type TxResult = TxsSubmitResponse['results'][number];

/** Ignore-verdict rejections that mean "already have it": the submitter's goal is met. */
const ALREADY_KNOWN = new Set(['TX_KNOWN', 'TX_ALREADY_IN_CHAIN']);

/** `POST /tx`, `POST /txs` (token required), `GET /tx/:id`. */
export function txRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const write = { onRequest: ctx.requireToken, attachValidation: true };
  server.post<{ Body: TxBody }>('/tx', { schema: submitTxSchema, ...write }, async (request, reply) => submitTx(ctx, request, reply));
  server.post<{ Body: TxsBody }>('/txs', { schema: submitTxsSchema, ...write }, async (request) => submitTxs(ctx, request));
  server.get<{ Params: TxStatusParams }>('/tx/:id', { schema: txStatusSchema }, async (request) => txStatus(ctx, request.params.id));
}

/** Why an envelope failed its schema, from the first error, in the words the mempool would use. */
function malformed(invalid: unknown, raw: unknown): string {
  return invalid ? describeTxError(invalid as ErrorObject, raw) : 'the transaction is invalid';
}

// With `attachValidation` the handler runs on an invalid body too: it is typed as valid only
// past the `validationError` check.
async function submitTx(ctx: RouteContext, request: FastifyRequest<{ Body: TxBody }>, reply: FastifyReply): Promise<FastifyReply> {
  if (request.validationError) throw new TxRejection('TX_MALFORMED', malformed(request.validationError.validation?.[0], request.body));
  const tx = request.body;
  try {
    const { id } = await ctx.mempool.add(tx);
    return reply.status(202).send({ id });
  } catch (err) {
    if (err instanceof TxRejection && ALREADY_KNOWN.has(err.code))
      return reply.status(200).send({ id: txId(ctx.chain.chainId, tx), known: true });
    throw err;
  }
}

/**
 * Each transaction of the batch is judged in order, as if posted alone; their mempool writes
 * share one store batch. The answer lists, per transaction, its id or why it was refused.
 */
async function submitTxs(ctx: RouteContext, request: FastifyRequest<{ Body: TxsBody }>): Promise<TxsSubmitResponse> {
  if (request.validationError) {
    const invalid = request.validationError.validation?.[0];
    throw new ApiError(
      'REQUEST_INVALID',
      `the body must be an array of 1 to ${MAX_TXS_PER_BATCH} transactions: ${invalid?.message ?? 'it is not'}`,
      400,
    );
  }
  // Refused whole while nothing can be saved: a 503 the client retries, not a page of errors.
  ctx.storeHealth.assertWritable();
  const results = await Promise.all(request.body.map(async (raw) => submitOne(ctx, raw)));
  return { results };
}

async function submitOne({ validateTx, mempool, chain }: RouteContext, raw: unknown): Promise<TxResult> {
  if (!validateTx(raw)) return { error: { code: 'TX_MALFORMED', message: malformed(validateTx.errors?.[0], raw) } };
  try {
    return await mempool.add(raw);
  } catch (err) {
    return refusal(err, chain.chainId, raw);
  }
}

/** A refusal of one batch item becomes its result; anything else fails the whole request. */
function refusal(err: unknown, chainId: string, tx: Tx): TxResult {
  if (err instanceof TxRejection && ALREADY_KNOWN.has(err.code)) return { id: txId(chainId, tx), known: true };
  if (err instanceof TxRejection || isAppRejection(err) || err instanceof StoreError)
    return { error: { code: err.code, message: err.message } };
  throw err;
}

async function txStatus({ mempool, chain, txIds }: RouteContext, id: string): Promise<TxStatusResponse> {
  const pending = mempool.get(id);
  if (pending) return { status: 'pending', tx: summary(pending) };
  const unknown = () => new ApiError('TX_UNKNOWN', `transaction ${id.slice(0, 16)}… is neither pending nor on the best chain`, 404);
  const height = chain.view(TX_INDEX_APP).get<number>(id);
  const blockHash = height === undefined ? undefined : chain.hashAt(height);
  if (height === undefined || !blockHash) throw unknown();
  // The index gives the height; the transaction itself is read from its block.
  const block = await chain.block(blockHash);
  const tx = block && block.txs[txIds.of(blockHash, block).indexOf(id)];
  // A reorg between the index read and the block read: the transaction is not where it was.
  if (!tx) throw unknown();
  return { status: 'confirmed', height, blockHash, confirmations: chain.tip().height - height + 1, tx: summary(tx) };
}

function summary({ app, type, from, payload, nonce }: Tx): TxSummary {
  return { app, type, from, payload, nonce };
}

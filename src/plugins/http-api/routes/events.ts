import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { eventsSchema, type EventsQuery } from '../schemas.js';
import { API_EVENT_TYPES, type ApiEventType } from '../types.js';
import { ApiError } from '../errors.js';
import type { RouteContext } from './context.js';

const MAX_STREAMS = 64;
/** A stream whose client reads slower than events arrive is dropped past this much unsent data. */
const MAX_STREAM_BUFFER = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

/** `GET /events`. */
export function eventRoutes(server: FastifyInstance, ctx: RouteContext): void {
  server.get<{ Querystring: EventsQuery }>('/events', { schema: eventsSchema }, async (request, reply) => stream(ctx, request, reply));
}

/** Server-Sent Events: one `event:` per node event, so a live tally follows the chain without polling. */
async function stream(ctx: RouteContext, request: FastifyRequest<{ Querystring: EventsQuery }>, reply: FastifyReply): Promise<void> {
  const { events, streams } = ctx;
  if (streams.size >= MAX_STREAMS) throw new ApiError('TOO_MANY_STREAMS', `the node already serves ${MAX_STREAMS} event streams`, 503);
  reply.hijack();
  const res = reply.raw;
  const send = sender(ctx, res);
  const listeners = new Map<ApiEventType, (data: unknown) => void>();
  const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS).unref();
  for (const type of wantedTypes(request.query)) {
    const listener = (data: unknown) => send(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    listeners.set(type, listener);
    events.on(type, listener);
  }
  streams.add(res);
  res.on('close', () => {
    clearInterval(heartbeat);
    for (const [type, listener] of listeners) events.off(type, listener);
    listeners.clear();
    streams.delete(res);
    // The client went away mid-stream: end our side too, or the server would count the socket as busy.
    if (!res.writableEnded) res.destroy();
  });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  // A first line flushes the headers, so a client knows it is subscribed before any event.
  res.write(': subscribed\n\n');
}

/** The schema's pattern admits only known types, so this keeps exactly those asked for. */
function wantedTypes(query: EventsQuery): readonly ApiEventType[] {
  const asked = query.types?.split(',');
  return asked ? API_EVENT_TYPES.filter((type) => asked.includes(type)) : API_EVENT_TYPES;
}

function sender({ log }: RouteContext, res: ServerResponse): (text: string) => void {
  return (text) => {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_STREAM_BUFFER) {
      log.debug('dropping a slow event stream');
      res.destroy();
      return;
    }
    res.write(text);
  };
}

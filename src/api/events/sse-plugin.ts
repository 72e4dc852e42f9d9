import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Logger } from 'pino';
import type { EventBus } from '../../scheduler/contracts.js';
import type { PacerMetrics } from '../metrics/registry.js';
import { EventStreamHub } from './event-stream-hub.js';
import { EVENT_STREAM_MEDIA_TYPE, acceptsEventStream, type SseLineEnding } from './sse-writer.js';

/**
 * `GET /v2/events`, Marathon's server-sent event stream (HttpEventStreamServlet on Jetty):
 *   - `?event_type=a&event_type=b` narrows the stream (none = every event);
 *   - a client must send `Accept: text/event-stream`, otherwise 405 as Jetty's servlet answers;
 *   - a non-leader answers 302 to the same URL on the leader (LeaderProxyFilter redirects this one
 *     path instead of proxying it), or 502 when no leader is known;
 *   - attach/detach are published on the bus as `event_stream_attached`/`event_stream_detached`.
 * The plugin is not encapsulated: it decorates the server it is registered on with `eventStream`
 * (the hub: `stats()`, `closeAll('standby')`), and closes every stream on `preClose` so
 * `app.close()` does not wait for clients that never hang up.
 */

export const EVENTS_PATH = '/v2/events';

export interface EventsPluginOptions {
  bus: EventBus;
  logger: Logger;
  /** Marathon's --event_stream_max_outstanding_messages (default 1024). */
  maxOutstandingMessages?: number;
  /** Blank-line keep-alive period, Jetty's 10 s by default; 0 turns it off. */
  heartbeatMs?: number;
  /** LF by default; 'crlf' writes Jetty's exact bytes. */
  lineEnding?: SseLineEnding;
  isLeader?: () => boolean;
  /** Base URL of the current leader, e.g. `http://10.0.0.2:8080`, when known. */
  leaderUrl?: () => string | undefined;
  metrics?: PacerMetrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    eventStream: EventStreamHub;
  }
}

const STREAM_HEADERS: OutgoingHttpHeaders = {
  'content-type': `${EVENT_STREAM_MEDIA_TYPE};charset=utf-8`,
  'cache-control': 'no-cache, no-store, must-revalidate',
  pragma: 'no-cache',
  expires: '0',
  // As Jetty's servlet: the connection ends with the stream, so a stream ended at shutdown or on
  // standby leaves no idle keep-alive socket behind for server.close() to wait on.
  connection: 'close',
  // Reverse proxies such as nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

/** Headers that describe a finite body; a stream must not inherit them from earlier hooks. */
const BODY_HEADERS = new Set(['content-length', 'transfer-encoding', 'content-encoding']);

const NOT_A_STREAM_REQUEST = `GET ${EVENTS_PATH} only serves ${EVENT_STREAM_MEDIA_TYPE}; send 'Accept: ${EVENT_STREAM_MEDIA_TYPE}'`;
const NO_LEADER = 'Could not determine the current leader';

const plugin: FastifyPluginCallback<EventsPluginOptions> = (app: FastifyInstance, options, done) => {
  const hub = new EventStreamHub({
    bus: options.bus,
    logger: options.logger,
    ...(options.maxOutstandingMessages !== undefined && { maxOutstandingMessages: options.maxOutstandingMessages }),
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
    ...(options.lineEnding !== undefined && { lineEnding: options.lineEnding }),
    ...(options.metrics !== undefined && { metrics: options.metrics }),
  });
  app.decorate('eventStream', hub);
  app.addHook('preClose', (hookDone) => {
    hub.close();
    hookDone();
  });
  app.addHook('onClose', (_instance, hookDone) => {
    hub.close();
    hookDone();
  });

  app.get(EVENTS_PATH, { exposeHeadRoute: false }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (options.isLeader !== undefined && !options.isLeader()) {
      const leader = options.leaderUrl?.();
      if (leader === undefined || leader === '') return reply.code(502).send({ message: NO_LEADER });
      return reply.redirect(`${leader.replace(/\/+$/, '')}${request.url}`, 302);
    }
    if (!acceptsEventStream(request.headers.accept)) {
      return reply.code(405).send({ message: NOT_A_STREAM_REQUEST });
    }
    const eventTypes = eventTypesOf(request.query);
    reply.hijack();
    const response = reply.raw;
    // setHeader (not writeHead's argument) keeps them readable to onResponse hooks.
    for (const [name, value] of Object.entries({ ...inheritedHeaders(reply), ...STREAM_HEADERS })) {
      if (value !== undefined) response.setHeader(name, value);
    }
    response.writeHead(200);
    response.flushHeaders();
    hub.attach(response, peerAddress(request.socket.remoteAddress), eventTypes);
    return undefined;
  });
  done();
};

/** Headers set by earlier hooks (e.g. X-Marathon-Leader); hijacking skips fastify's own header writing. */
function inheritedHeaders(reply: FastifyReply): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined && !BODY_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  }
  return out;
}

/** The peer as Java's getRemoteAddr shows it: IPv4 clients of a dual-stack socket without `::ffff:`. */
function peerAddress(address: string | undefined): string {
  if (address === undefined) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped === null ? address : mapped[1]!;
}

/** Repeated `event_type` values, exactly as given (Marathon does not split on commas). */
function eventTypesOf(query: unknown): string[] {
  if (typeof query !== 'object' || query === null) return [];
  const raw = (query as Record<string, unknown>).event_type;
  const values = Array.isArray(raw) ? raw : [raw];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Registered without encapsulation so `eventStream` and the route land on the caller's instance. */
export const eventsPlugin = fastifyPlugin(plugin, { name: 'pacer-events', fastify: '5.x' });

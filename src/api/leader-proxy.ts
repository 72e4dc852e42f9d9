/**
 * Marathon's leader proxy as a fastify plugin. On the leader it only stamps responses with
 * `X-Marathon-Leader`. On a standby it forwards each API request to the leader and streams the
 * answer back, marking the hop with `X-Marathon-Via: 1.1 <self>` (a request that already passed
 * through this node is a loop: 502) and `X-Forwarded-For`. `/v2/events` is redirected (302)
 * instead, since an event stream should not be relayed through a standby. While the leader is
 * unknown (or still believed to be this node) a request waits briefly, as Marathon does
 * (10 × 250 ms), then fails with 502 `Could not determine the current leader`.
 *
 * Register it on the root instance before the routes; it breaks fastify's encapsulation on
 * purpose so its hook sees every request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Logger } from 'pino';
import { errors as undiciErrors, request as undiciRequest, type Dispatcher } from 'undici';

/** What the proxy needs to know about the election (LeaderElection fits; so does a fixed stub for --disable_ha). */
export interface LeadershipView {
  isLeader(): boolean;
  /** The leader's `host:port`, or undefined when unknown. */
  leader(): string | undefined;
  /** The leader's base URL with the scheme it serves; `http://<leader()>` when not given. */
  leaderUrl?(): string | undefined;
}

export interface LeaderProxyOptions {
  election: LeadershipView;
  /** This node's `host:port` as it is published in the election. */
  selfId: string;
  /** The scheme this node serves (its own `X-Marathon-Leader`). Default `http`. */
  selfScheme?: 'http' | 'https';
  logger: Logger;
  /** Bound on waiting for the leader's response headers, and on each pause in its body. Default 30 s. */
  timeoutMs?: number;
  /** How often, and how far apart, a request re-checks an unknown leader. Default 10 × 250 ms (Marathon). */
  leaderWaitAttempts?: number;
  leaderWaitIntervalMs?: number;
  /** Connection pool for forwarded requests; undici's global one by default. */
  dispatcher?: Dispatcher;
}

export const HEADER_LEADER = 'x-marathon-leader';
export const HEADER_VIA = 'x-marathon-via';
export const HEADER_FORWARDED_FOR = 'x-forwarded-for';
export const NO_LEADER_MESSAGE = 'Could not determine the current leader';
export const LOOP_MESSAGE = 'Detected proxying loop.';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/** Served by every node itself: liveness, who-leads, metrics and the UI and its assets. */
function servedLocally(method: string, path: string): boolean {
  if (path === '/ping' || path === '/metrics' || path.startsWith('/metrics/')) return true;
  if (path === '/ui' || path.startsWith('/ui/') || path.startsWith('/public/') || path === '/favicon.ico') return true;
  return path === '/v2/leader' && (method === 'GET' || method === 'HEAD');
}

const plugin: FastifyPluginAsync<LeaderProxyOptions> = async (fastify: FastifyInstance, opts: LeaderProxyOptions) => {
  const { election, selfId } = opts;
  const logger = opts.logger.child({ component: 'leader-proxy' });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const attempts = opts.leaderWaitAttempts ?? 10;
  const intervalMs = opts.leaderWaitIntervalMs ?? 250;
  const via = `1.1 ${selfId}`;
  const selfUrl = `${opts.selfScheme ?? 'http'}://${selfId}`;
  const leaderBaseUrl = (leader: string): string => {
    const url = election.leaderUrl?.();
    // The URL belongs to the same reading of the election only if it names the same host:port.
    return url !== undefined && url.endsWith(`://${leader}`) ? url : `http://${leader}`;
  };

  /** 'self' when this node leads; the leader's host:port; undefined when none is known in time. */
  async function resolveLeader(): Promise<string | undefined> {
    for (let attempt = 0; ; attempt++) {
      if (election.isLeader()) return 'self';
      const leader = election.leader();
      // Believing ourselves leader without being it is a transition still under way: wait it out.
      if (leader !== undefined && leader !== selfId) return leader;
      if (attempt >= attempts) return undefined;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.raw.url ?? '/');
    if (election.isLeader()) {
      markLeader(reply, selfUrl);
      return;
    }
    if (servedLocally(request.method, path)) {
      // Answered here, yet like every answer it names the leader (when one is known).
      const leader = election.leader();
      if (leader !== undefined) markLeader(reply, leaderBaseUrl(leader));
      return;
    }

    const leader = await resolveLeader();
    if (leader === 'self') {
      markLeader(reply, selfUrl);
      return;
    }
    if (leader === undefined) {
      logger.warn({ method: request.method, url: request.url }, 'no leader known; refusing request');
      return reply.code(502).send({ message: NO_LEADER_MESSAGE });
    }
    const target = `${leaderBaseUrl(leader)}${request.raw.url ?? '/'}`;
    if (path === '/v2/events' || path.startsWith('/v2/events/')) return reply.redirect(target, 302);
    if (headerValues(request.headers[HEADER_VIA]).includes(via)) {
      logger.error({ method: request.method, url: request.url, via: request.headers[HEADER_VIA] }, 'proxy loop detected');
      return reply.code(502).send({ message: LOOP_MESSAGE });
    }
    return forward(request, reply, target, leader);
  });

  async function forward(request: FastifyRequest, reply: FastifyReply, target: string, leader: string): Promise<FastifyReply> {
    const hasBody =
      request.headers['content-length'] !== undefined ? request.headers['content-length'] !== '0' : request.headers['transfer-encoding'] !== undefined;
    const headers = forwardedRequestHeaders(request.headers, via, request.ip);
    logger.debug({ method: request.method, url: request.url, leader }, 'proxying request to the leader');
    try {
      const response = await undiciRequest(target, {
        method: request.method,
        headers,
        body: hasBody ? request.raw : undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      });
      reply.code(response.statusCode);
      for (const [name, value] of Object.entries(response.headers)) {
        if (value === undefined || isHopByHop(name, response.headers.connection)) continue;
        reply.header(name, value);
      }
      reply.header(HEADER_VIA, via);
      return reply.send(response.body);
    } catch (error) {
      request.raw.resume(); // drop whatever of the client's body was not sent
      const { status, message } = describeFailure(error);
      logger.error({ err: error, method: request.method, url: request.url, leader }, message);
      return reply.code(status).send({ message });
    }
  }
};

function markLeader(reply: FastifyReply, selfUrl: string): void {
  // Setting (not appending) keeps this idempotent with any other layer that stamps the header.
  reply.header(HEADER_LEADER, selfUrl);
}

function forwardedRequestHeaders(incoming: IncomingHttpHeaders, via: string, clientIp: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    // Host names the leader now; undici sets it from the target.
    if (value === undefined || name === 'host' || isHopByHop(name, incoming.connection)) continue;
    headers[name] = value;
  }
  headers[HEADER_VIA] = [...headerValues(incoming[HEADER_VIA]), via].join(', ');
  // The leader judges the request's origin against the host the client addressed (request-guard).
  if (incoming['x-forwarded-host'] === undefined && incoming.host !== undefined) headers['x-forwarded-host'] = incoming.host;
  headers[HEADER_FORWARDED_FOR] = [...headerValues(incoming[HEADER_FORWARDED_FOR]), clientIp].join(', ');
  return headers;
}

function isHopByHop(name: string, connection: string | string[] | undefined): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || headerValues(connection).some((token) => token.toLowerCase() === lower);
}

function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Marathon's answers when the leader cannot be reached. */
function describeFailure(error: unknown): { status: number; message: string } {
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return { status: 502, message: 'Connection to leader refused.' };
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return { status: 504, message: 'Connection to leader timed out.' };
  }
  return { status: 500, message: 'Failed to successfully establish a connection to the leader.' };
}

/** Not encapsulated: runs in the parent's scope, so the hook covers every route. */
export const leaderProxyPlugin = fastifyPlugin(plugin, { name: 'pacer-leader-proxy', fastify: '5.x' });

/** `/v2/queue` (api/v2/QueueResource.scala). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, notFound } from '../http/errors.js';
import { absoluteId } from '../http/paths.js';
import { queryValues, type Query } from '../http/query.js';
import { renderQueueEntry } from '../render/queue.js';
import type { RouteContext } from './context.js';

type Request = FastifyRequest<{ Querystring: Query; Params: { '*': string } }>;

export function registerQueueRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/v2/queue', (req: Request) => {
    const withOffers = queryValues(req.query, 'embed').includes('lastUnusedOffers');
    return { queue: ctx.service.queue(ctx.now()).map((e) => renderQueueEntry(e, withOffers)) };
  });
  app.delete('/v2/queue/*', (req: Request, reply) => resetDelay(ctx, req.params['*'], reply));
}

function resetDelay(ctx: RouteContext, rest: string, reply: FastifyReply): FastifyReply {
  const m = /^(.+)\/delay$/.exec(rest);
  if (m === null) throw new HttpError('PACER_API_METHOD_NOT_ALLOWED', 'Method Not Allowed');
  const id = absoluteId(m[1]!);
  const notQueued = notFound(`Application ${id} not found in tasks queue.`);
  // Marathon looks for an instance still waiting to be scheduled, not at the delay itself.
  const waiting = ctx.service.instances.ofApp(id).some((i) => i.condition === 'Scheduled');
  // Any run spec: an app or a pod (groupManager.runSpec).
  if (!waiting || (ctx.service.app(id) === undefined && ctx.service.pod(id) === undefined)) throw notQueued;
  if (!ctx.service.resetDelay(id)) throw notQueued;
  return reply.code(204).send();
}

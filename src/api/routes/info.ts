/** `/v2/info`, `/v2/leader`, `/ping` and `/` (InfoResource, LeaderResource, SystemResource). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../http/errors.js';
import { negotiatePing } from '../http/ping.js';
import { renderInfo } from '../render/info.js';
import type { RouteContext } from './context.js';

export function registerInfoRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/v2/info', () => {
    const leadership = ctx.leadership();
    return renderInfo(ctx.info, {
      elected: leadership.elected,
      leaderHostPort: leadership.leaderHostPort,
      framework: ctx.service.framework(),
    });
  });
  app.get('/v2/leader', () => {
    const { leaderHostPort } = ctx.leadership();
    if (leaderHostPort === undefined) throw notFound('There is no leader');
    return { leader: leaderHostPort };
  });
  app.get('/ping', (req: FastifyRequest, reply: FastifyReply) => {
    const answer = negotiatePing(req.headers.accept);
    if (answer === undefined) return reply.code(204).send();
    return reply.type(answer.contentType).send(answer.body);
  });
  app.get('/', (_req, reply) => reply.code(302).header('Location', '/ui/').send());
}

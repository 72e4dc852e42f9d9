/** `/v2/deployments` (api/v2/DeploymentsResource.scala). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../http/errors.js';
import { queryBool, type Query } from '../http/query.js';
import { renderDeployment } from '../render/deployment.js';
import { sendDeploymentResult, type RouteContext } from './context.js';

type Request = FastifyRequest<{ Querystring: Query; Params: { id: string } }>;

export function registerDeploymentRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/v2/deployments', () => ctx.service.deployments().map(renderDeployment));
  app.delete('/v2/deployments/:id', (req: Request, reply) => cancel(ctx, req, reply));
}

const unknownDeployment = (id: string) => notFound(`DeploymentPlan ${id} does not exist`);

async function cancel(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const { id } = req.params;
  if (!ctx.service.deployments().some((d) => d.id === id)) throw unknownDeployment(id);
  if (queryBool(req.query, 'force', false)) {
    // Stop it where it is; no deployment is started to undo its changes.
    await ctx.service.cancelDeployment(id, { force: true });
    return reply.code(202).send();
  }
  const revert = await ctx.service.cancelDeployment(id, { force: false });
  if (revert === undefined) throw unknownDeployment(id);
  return sendDeploymentResult(reply, revert);
}

/** `/v2/tasks` and `/v2/tasks/delete` (api/v2/TasksResource.scala). */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppValidationError } from '../../model/apps/index.js';
import { parseJsonBody } from '../../model/apps/parse.js';
import type { Condition, Instance } from '../../scheduler/contracts.js';
import { parseTaskId } from '../../scheduler/core/ids.js';
import { badRequest, HttpError } from '../http/errors.js';
import { jsonListStream } from '../http/json-stream.js';
import { killFlags, queryValues, type Query } from '../http/query.js';
import { renderTask, servicePortsOf, type TaskJson } from '../render/task.js';
import { checkKillFlags, renderKilled } from './app-tasks.js';
import { bodyText, sendDeploymentResult, type RouteContext } from './context.js';

type Request = FastifyRequest<{ Querystring: Query }>;

const STATUS_FILTERS: Readonly<Record<string, Condition>> = { running: 'Running', staging: 'Staging' };

const UUID = /^[0-9a-f]{1,8}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,12}$/i;

export function registerTaskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/v2/tasks', (req: Request, reply) => reply.type('application/json; charset=utf-8').send(listTasks(ctx, req.query)));
  app.post('/v2/tasks/delete', (req: Request, reply) => deleteTasks(ctx, req, reply));
}

function listTasks(ctx: RouteContext, query: Query): Readable {
  const { service } = ctx;
  const wanted = new Set<Condition>();
  for (const s of [...queryValues(query, 'status'), ...queryValues(query, 'status[]')]) {
    const condition = STATUS_FILTERS[s.toLowerCase()];
    if (condition !== undefined) wanted.add(condition);
  }
  // The instances as they are now; each is rendered only when its turn in the stream comes.
  return jsonListStream('tasks', service.instances.all(), (instance): TaskJson | undefined => {
    const app = service.app(instance.appId);
    if (app === undefined) return undefined;
    if (wanted.size > 0 && !wanted.has(instance.condition)) return undefined;
    return renderTask(instance, {
      healthResults: service.health.resultsOf(instance.instanceId),
      servicePorts: servicePortsOf(app),
      appRole: app.role,
    });
  });
}

/** `{"ids": [...]}`: the instance ids behind the task ids; malformed ids are a 400. */
function instanceIdsOf(body: string): string[] {
  const value = parseJsonBody(body);
  const ids = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { ids?: unknown }).ids : undefined;
  if (ids === undefined) {
    throw new AppValidationError(422, { message: 'Invalid JSON', details: [{ path: '/ids', errors: ['error.path.missing'] }] });
  }
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
    throw new AppValidationError(422, { message: 'Invalid JSON', details: [{ path: '/ids', errors: ['error.expected.jsarray'] }] });
  }
  return [...new Set(ids as string[])].map((id) => {
    const parsed = parseTaskId(id);
    const uuid = parsed === undefined ? undefined : /[._](?:instance-|marathon-)?([^._]+)$/.exec(parsed.instanceId)?.[1];
    if (parsed === undefined || uuid === undefined || !UUID.test(uuid)) {
      throw badRequest(`Invalid task id '${id}'. [taskId ${id} no valid identifier]`);
    }
    return parsed.instanceId;
  });
}

async function deleteTasks(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const flags = killFlags(req.query);
  checkKillFlags(flags);
  const instanceIds = instanceIdsOf(bodyText(req));
  // Well-formed ids of unknown instances are skipped silently, as Marathon does.
  const found = instanceIds.flatMap((id) => {
    const instance = ctx.service.instances.get(id);
    return instance === undefined || ctx.service.app(instance.appId) === undefined ? [] : [instance];
  });
  if (flags.scale) {
    const plan = await ctx.service.killInstances(
      found.map((i) => i.instanceId),
      flags,
    );
    if (plan === undefined) throw new HttpError('PACER_API_INTERNAL', 'killing tasks with scale=true started no deployment');
    return sendDeploymentResult(reply, plan);
  }
  if (found.length > 0)
    await ctx.service.killInstances(
      found.map((i: Instance) => i.instanceId),
      flags,
    );
  return reply.send({ tasks: renderKilled(ctx, found) });
}

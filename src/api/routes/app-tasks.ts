/**
 * `/v2/apps/{id}/tasks[/{taskId}]` (api/v2/AppTasksResource.scala, api/TaskKiller.scala).
 * Killing without `scale` leaves the instance's goal alone (it is relaunched); `wipe` also
 * forgets it; `scale` lowers the app's instance count in a deployment.
 */
import type { FastifyReply } from 'fastify';
import { ACTIVE_CONDITIONS, type Instance } from '../../scheduler/contracts.js';
import { parseTaskId } from '../../scheduler/core/ids.js';
import { badRequest, HttpError, unknownApp, unknownGroup, unknownTask } from '../http/errors.js';
import { absoluteId, groupWildcard } from '../http/paths.js';
import { killFlags, queryValue, type KillFlags, type Query } from '../http/query.js';
import { renderAppTasks } from '../render/app-info.js';
import { renderTask, type TaskJson } from '../render/task.js';
import { sendDeploymentResult, type RouteContext } from './context.js';
import { findGroup, transitiveAppIds } from './root-edits.js';

export const SCALE_AND_WIPE = 'You cannot use scale and wipe at the same time.';

export function checkKillFlags(flags: KillFlags): void {
  if (flags.scale && flags.wipe) throw badRequest(SCALE_AND_WIPE);
}

export function listAppTasks(ctx: RouteContext, rawId: string): { tasks: TaskJson[] } {
  const { service } = ctx;
  const groupId = groupWildcard(rawId);
  let appIds: string[];
  if (groupId !== undefined) {
    const group = findGroup(service.root().root, groupId);
    if (group === undefined) throw unknownGroup(groupId);
    appIds = transitiveAppIds(group);
  } else {
    const id = absoluteId(rawId);
    if (service.app(id) === undefined) throw unknownApp(id);
    appIds = [id];
  }
  const tasks = appIds.flatMap((id) => {
    const app = service.app(id);
    return app === undefined ? [] : renderAppTasks(app, service.instances.ofApp(id), service);
  });
  return { tasks };
}

/** Renders instances the way the kill endpoints answer (no service ports). */
export function renderKilled(ctx: RouteContext, instances: readonly Instance[]): TaskJson[] {
  return instances.flatMap((i) => {
    const task = renderTask(i, {
      healthResults: ctx.service.health.resultsOf(i.instanceId),
      appRole: ctx.service.app(i.appId)?.role,
    });
    return task === undefined ? [] : [task];
  });
}

async function kill(
  ctx: RouteContext,
  appId: string,
  found: readonly Instance[],
  flags: KillFlags,
  reply: FastifyReply,
  answer: (killed: readonly Instance[]) => unknown,
): Promise<FastifyReply> {
  if (flags.scale) {
    // Only active instances count towards the scale-down.
    const active = found.filter((i) => ACTIVE_CONDITIONS.has(i.condition));
    const plan = await ctx.service.killInstances(
      active.map((i) => i.instanceId),
      flags,
    );
    if (plan === undefined) throw new HttpError('PACER_API_INTERNAL', `killing tasks of ${appId} with scale=true started no deployment`);
    return sendDeploymentResult(reply, plan);
  }
  if (found.length > 0)
    await ctx.service.killInstances(
      found.map((i) => i.instanceId),
      flags,
    );
  return reply.send(answer(found));
}

export async function killAppTasks(ctx: RouteContext, rawId: string, query: Query, reply: FastifyReply): Promise<FastifyReply> {
  const flags = killFlags(query);
  checkKillFlags(flags);
  const appId = absoluteId(rawId);
  if (ctx.service.app(appId) === undefined) throw unknownApp(appId);
  const host = queryValue(query, 'host');
  const found = ctx.service.instances.ofApp(appId).filter((i) => host === undefined || host === '*' || i.hostname === host);
  return kill(ctx, appId, found, flags, reply, (killed) => ({ tasks: renderKilled(ctx, killed) }));
}

export async function killAppTask(ctx: RouteContext, rawId: string, taskId: string, query: Query, reply: FastifyReply): Promise<FastifyReply> {
  const flags = killFlags(query);
  checkKillFlags(flags);
  const appId = absoluteId(rawId);
  if (ctx.service.app(appId) === undefined) throw unknownApp(appId);
  const instanceId = parseTaskId(taskId)?.instanceId;
  const found = instanceId === undefined ? [] : ctx.service.instances.ofApp(appId).filter((i) => i.instanceId === instanceId);
  if (!flags.scale && found.length === 0) throw unknownTask(taskId);
  return kill(ctx, appId, found, flags, reply, (killed) => {
    const [task] = renderKilled(ctx, killed);
    if (task === undefined) throw unknownTask(taskId);
    return { task };
  });
}

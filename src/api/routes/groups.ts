/**
 * `/v2/groups` (api/v2/GroupsResource.scala, api/GroupApiService.scala). Group ids contain
 * slashes, so each method has one wildcard route; `…/apps`, `…/versions` and
 * `…/versions/{v}` are recognised by their last segments. History and reverts: group-versions.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseJsonBody } from '../../model/apps/parse.js';
import { ServiceError, type RootGroup, type Timestamp } from '../../scheduler/contracts.js';
import { groupEmbedsFromQuery } from '../http/embed.js';
import { HttpError, unknownGroup } from '../http/errors.js';
import { semanticError } from '../../model/apps/errors.js';
import { absoluteId } from '../http/paths.js';
import { queryBool, type Query } from '../http/query.js';
import { renderAppInfo } from '../render/app-info.js';
import { renderDeploymentSteps } from '../render/deployment.js';
import { renderGroup } from '../render/group.js';
import { bodyText, locationOf, sendDeploymentResult, type RouteContext } from './context.js';
import { groupFromUpdate, readGroupPatch, readGroupUpdate, scaledApps, type GroupUpdateTree } from './group-update.js';
import { isTopLevel } from '../../model/groups/root-group.js';
import { groupAtVersion, groupVersions, revertChange } from './group-versions.js';
import { findGroup, putApp, putGroup, removeGroup, transitiveAppIds } from './root-edits.js';

type Request = FastifyRequest<{ Querystring: Query; Params: { '*'?: string } }>;

const rest = (req: Request): string => req.params['*'] ?? '';

export function registerGroupRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const path of ['/v2/groups', '/v2/groups/*']) {
    app.get(path, (req: Request) => showGroup(ctx, rest(req), req.query));
    app.post(path, (req: Request, reply) => createGroup(ctx, req, reply));
    app.put(path, (req: Request, reply) => updateGroup(ctx, req, reply));
    app.delete(path, (req: Request, reply) => deleteGroup(ctx, req, reply));
    app.patch(path, (req: Request, reply) => patchGroup(ctx, req, reply));
  }
}

function sources(ctx: RouteContext) {
  return { service: ctx.service, now: ctx.now(), taskFailures: ctx.taskFailures };
}

async function showGroup(ctx: RouteContext, raw: string, query: Query): Promise<unknown> {
  const root = ctx.service.root();
  let m = /^(?:(.+)\/)?apps$/.exec(raw);
  if (m) {
    const group = findGroup(root.root, absoluteId(m[1] ?? '/'));
    if (group === undefined) throw unknownGroup(absoluteId(m[1] ?? '/'));
    const embeds = groupEmbedsFromQuery(query).app;
    return transitiveAppIds(group).flatMap((id) => {
      const def = root.apps.get(id);
      return def === undefined ? [] : [renderAppInfo(def, embeds, sources(ctx))];
    });
  }
  m = /^(?:(.+)\/)?versions$/.exec(raw);
  if (m) return groupVersions(ctx.service, absoluteId(m[1] ?? '/'));
  m = /^(?:(.+)\/)?versions\/([^/]+)$/.exec(raw);
  if (m) {
    const { group, root: then } = await groupAtVersion(ctx.service, absoluteId(m[1] ?? '/'), m[2]!);
    return renderGroup(group, then, groupEmbedsFromQuery(query), sources(ctx));
  }
  const id = absoluteId(raw);
  const group = findGroup(root.root, id);
  if (group === undefined) throw unknownGroup(id);
  return renderGroup(group, root, groupEmbedsFromQuery(query), sources(ctx));
}

function readUpdate(ctx: RouteContext, req: Request): { base: string; update: GroupUpdateTree } {
  const base = absoluteId(rest(req));
  const update = readGroupUpdate(parseJsonBody(bodyText(req)), base, base, { ...ctx.appParse, root: ctx.service.root() });
  return { base, update };
}

type RootChange = (root: RootGroup, version: Timestamp) => RootGroup;

/**
 * What a GroupUpdate does, in Marathon's order of precedence: a revert to `version`, else a scale
 * of every app below the group, else a structural change.
 */
async function changeOf(ctx: RouteContext, update: GroupUpdateTree): Promise<RootChange> {
  if (update.version !== undefined) return revertChange(ctx.service, update.id, update.version);
  return (root, version) => applyUpdate(root, update, version, ctx.appParse.newGroupEnforceRole);
}

function applyUpdate(root: RootGroup, update: GroupUpdateTree, version: Timestamp, newGroupEnforceRole = false): RootGroup {
  if (update.scaleBy !== undefined) {
    return scaledApps(root, update.id, update.scaleBy).reduce((r, app) => putApp(r, app, version), root);
  }
  const { group, apps } = groupFromUpdate(update, root, version);
  return putGroup(root, group, apps, version, newGroupEnforceRole);
}

async function createGroup(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const { update } = readUpdate(ctx, req);
  const change = await changeOf(ctx, update);
  const plan = await ctx.service.updateRoot(
    (root, version) => {
      if (findGroup(root.root, update.id) !== undefined) {
        throw new ServiceError(409, `Group ${update.id} is already created. Use PUT to change this group.`);
      }
      if (root.apps.has(update.id)) throw new ServiceError(409, `An app with the path ${update.id} already exists.`);
      return change(root, version);
    },
    { force },
  );
  void reply.header('Location', locationOf(req, update.id));
  return sendDeploymentResult(reply, plan, 201);
}

async function updateGroup(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const dryRun = queryBool(req.query, 'dryRun', false);
  const { update } = readUpdate(ctx, req);
  const change = await changeOf(ctx, update);
  if (dryRun) {
    const plan = await ctx.service.updateRoot(change, { force, dryRun: true });
    return reply.send({ steps: renderDeploymentSteps(plan) });
  }
  return sendDeploymentResult(reply, await ctx.service.updateRoot(change, { force }));
}

async function deleteGroup(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const id = absoluteId(rest(req));
  if (id !== '/' && findGroup(ctx.service.root().root, id) === undefined) throw unknownGroup(id);
  const plan = await ctx.service.updateRoot(
    (root, version) => {
      if (id !== '/' && findGroup(root.root, id) === undefined) throw new ServiceError(404, `Group '${id}' does not exist`);
      return removeGroup(root, id, version);
    },
    { force },
  );
  return sendDeploymentResult(reply, plan);
}

/**
 * PATCH `/v2/groups/{id}` (GroupPartialUpdate): sets `enforceRole` of an existing top-level group,
 * false when the body leaves it out; other fields are ignored. Answers 200 with an empty body.
 * Only the flag changes, so the new root starts no task.
 */
async function patchGroup(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const raw = rest(req);
  // Marathon declares PATCH for `/v2/groups/{id}` only.
  if (raw === '') throw new HttpError('PACER_API_METHOD_NOT_ALLOWED', 'Method Not Allowed');
  const enforceRole = readGroupPatch(parseJsonBody(bodyText(req))).enforceRole ?? false;
  const id = absoluteId(raw);
  if (!isTopLevel(id)) throw semanticError([{ path: '/', error: 'Path needs to be top-level' }]);
  if (findGroup(ctx.service.root().root, id) === undefined) throw unknownGroup(id);
  await ctx.service.updateRoot(
    (root, version) => {
      const group = findGroup(root.root, id);
      if (group === undefined) throw new ServiceError(404, `Group '${id}' does not exist`);
      const apps = new Map(
        transitiveAppIds(group).flatMap((appId) => {
          const app = root.apps.get(appId);
          return app === undefined ? [] : [[appId, app] as const];
        }),
      );
      return putGroup(root, { ...group, enforceRole }, apps, version);
    },
    { force: false, groupId: id },
  );
  return reply.code(200).send();
}

/**
 * `/v2/apps` (api/v2/AppsResource.scala, AppVersionsResource.scala). App ids may contain
 * slashes, so everything under `/v2/apps/` is one wildcard route per method, dispatched on
 * the reserved last segments `restart`, `tasks` and `versions`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppValidationError,
  normalizeAndValidateApp,
  parseAppCreate,
  parseAppUpdate,
  parsePathId,
  renderApp,
  type AppDefinition,
} from '../../model/apps/index.js';
import { parseJsonBody, type AppBodyOptions } from '../../model/apps/parse.js';
import { ServiceError } from '../../scheduler/contracts.js';
import { appEmbedsFromQuery, type AppEmbed } from '../http/embed.js';
import { HttpError, unknownApp, unknownGroup, unprocessable } from '../http/errors.js';
import { LabelSelectorSyntaxError, matchesLabels, parseLabelSelector } from '../http/label-selector.js';
import { absoluteId, groupWildcard } from '../http/paths.js';
import { queryBool, queryValue, type Query } from '../http/query.js';
import { renderAppInfo } from '../render/app-info.js';
import { killAppTask, killAppTasks, listAppTasks } from './app-tasks.js';
import { bodyText, locationOf, publishApiPost, sendDeploymentResult, type RouteContext } from './context.js';
import { serviceRoleSettings } from './group-update.js';
import { findGroup, putApp, removeApp, transitiveAppIds } from './root-edits.js';

type Request = FastifyRequest<{ Querystring: Query; Params: { '*': string } }>;

const LIST_EMBEDS: AppEmbed[] = ['counts', 'deployments'];
const SHOW_EMBEDS: AppEmbed[] = ['counts', 'tasks', 'lastTaskFailure', 'deployments'];

export function registerAppRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/v2/apps', (req: Request) => listApps(ctx, req.query));
  app.post('/v2/apps', (req: Request, reply) => createApp(ctx, req, reply));
  app.put('/v2/apps', (req: Request, reply) => updateMany(ctx, req, reply, true));
  app.patch('/v2/apps', (req: Request, reply) => updateMany(ctx, req, reply, false));

  app.get('/v2/apps/*', (req: Request, reply) => {
    const rest = req.params['*'];
    if (rest === '') return listApps(ctx, req.query);
    let m = /^(.+)\/tasks$/.exec(rest);
    if (m) return listAppTasks(ctx, m[1]!);
    m = /^(.+)\/versions$/.exec(rest);
    if (m) return listVersions(ctx, m[1]!);
    m = /^(.+)\/versions\/([^/]+)$/.exec(rest);
    if (m) return showVersion(ctx, m[1]!, m[2]!);
    return showApp(ctx, rest, req.query, reply);
  });
  app.post('/v2/apps/*', (req: Request, reply) => {
    const rest = req.params['*'];
    if (rest === '') return createApp(ctx, req, reply);
    const m = /^(.+)\/restart$/.exec(rest);
    if (m) return restartApp(ctx, m[1]!, req.query, reply);
    throw new HttpError('PACER_API_METHOD_NOT_ALLOWED', 'Method Not Allowed');
  });
  app.put('/v2/apps/*', (req: Request, reply) => (req.params['*'] === '' ? updateMany(ctx, req, reply, true) : updateOne(ctx, req, reply, true)));
  app.patch('/v2/apps/*', (req: Request, reply) => (req.params['*'] === '' ? updateMany(ctx, req, reply, false) : updateOne(ctx, req, reply, false)));
  app.delete('/v2/apps/*', (req: Request, reply) => {
    const rest = req.params['*'];
    let m = /^(.+)\/tasks\/([^/]+)$/.exec(rest);
    if (m) return killAppTask(ctx, m[1]!, m[2]!, req.query, reply);
    m = /^(.+)\/tasks$/.exec(rest);
    if (m) return killAppTasks(ctx, m[1]!, req.query, reply);
    return deleteApp(ctx, rest, req.query, reply);
  });
}

/** Parse options with RoleSettings read from the current root (top-level `enforceRole`, stored roles). */
function appBodyOptions(ctx: RouteContext): AppBodyOptions {
  return { ...ctx.appParse, roleSettings: serviceRoleSettings(ctx.service.root(), ctx.appParse.mesosRole, ctx.appParse.newGroupEnforceRole) };
}

function sources(ctx: RouteContext) {
  return { service: ctx.service, now: ctx.now(), taskFailures: ctx.taskFailures };
}

function listApps(ctx: RouteContext, query: Query): { apps: Array<Record<string, unknown>> } {
  const cmd = queryValue(query, 'cmd')?.toLowerCase();
  const id = queryValue(query, 'id')?.toLowerCase();
  const label = queryValue(query, 'label');
  let selector: ReturnType<typeof parseLabelSelector> | undefined;
  try {
    selector = label === undefined ? undefined : parseLabelSelector(label);
  } catch (err) {
    if (err instanceof LabelSelectorSyntaxError) throw err.toHttpError();
    throw err;
  }
  const embeds = appEmbedsFromQuery(query, LIST_EMBEDS);
  const src = sources(ctx);
  const apps = [...ctx.service.root().apps.values()]
    .filter((a) => cmd === undefined || (a.cmd !== undefined && a.cmd.toLowerCase().includes(cmd)))
    .filter((a) => id === undefined || a.id.toLowerCase().includes(id))
    .filter((a) => selector === undefined || matchesLabels(selector, a.labels))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { apps: apps.map((a) => renderAppInfo(a, embeds, src)) };
}

function showApp(ctx: RouteContext, rawId: string, query: Query, reply: FastifyReply): FastifyReply {
  const embeds = appEmbedsFromQuery(query, SHOW_EMBEDS);
  const groupId = groupWildcard(rawId);
  if (groupId !== undefined) {
    const root = ctx.service.root();
    const group = findGroup(root.root, groupId);
    if (group === undefined) throw unknownGroup(groupId);
    const src = sources(ctx);
    const apps = transitiveAppIds(group).flatMap((id) => {
      const def = root.apps.get(id);
      return def === undefined ? [] : [renderAppInfo(def, embeds, src)];
    });
    return reply.send({ '*': apps });
  }
  const id = absoluteId(rawId);
  const def = ctx.service.app(id);
  if (def === undefined) throw unknownApp(id);
  return reply.send({ app: renderAppInfo(def, embeds, sources(ctx)) });
}

async function createApp(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const parsed = parseAppCreate(bodyText(req), appBodyOptions(ctx));
  const plan = await ctx.service.updateRoot(
    (root, version) => {
      if (root.apps.has(parsed.id)) throw new ServiceError(409, `An app with id [${parsed.id}] already exists.`);
      return putApp(root, parsed, version, ctx.appParse.newGroupEnforceRole);
    },
    { force },
  );
  const stored = ctx.service.app(parsed.id) ?? parsed;
  publishApiPost(ctx, req, stored);
  const body = {
    ...renderApp(stored),
    tasksStaged: 0,
    tasksRunning: 0,
    tasksHealthy: 0,
    tasksUnhealthy: 0,
    deployments: [{ id: plan.id }],
  };
  return reply.code(201).header('Location', locationOf(req, stored.id)).header('Marathon-Deployment-Id', plan.id).send(body);
}

/** PUT (upsert, `partialUpdate` default true) and PATCH (partial, existing apps only). */
async function updateOne(ctx: RouteContext, req: Request, reply: FastifyReply, isPut: boolean): Promise<FastifyReply> {
  const rawId = req.params['*'];
  const force = queryBool(req.query, 'force', false);
  const partial = isPut ? queryBool(req.query, 'partialUpdate', true) : true;
  const id = parsePathId(rawId);
  const existing = ctx.service.app(id);
  if (!isPut && existing === undefined) throw unknownApp(id);
  const target = await resolveUpdate(ctx, bodyText(req), id, existing, partial);
  // Set inside the updateRoot callback; `as boolean` keeps the compiler from narrowing it to false.
  let created = false as boolean;
  const plan = await ctx.service.updateRoot(
    (root, version) => {
      created = !root.apps.has(id);
      if (created && !isPut) throw new ServiceError(404, `App '${id}' does not exist`);
      return putApp(root, target, version, ctx.appParse.newGroupEnforceRole);
    },
    { force },
  );
  publishApiPost(ctx, req, ctx.service.app(id) ?? target);
  if (created) void reply.header('Location', locationOf(req, id));
  return sendDeploymentResult(reply, plan, created ? 201 : 200);
}

/** The app an update body asks for: merged/replaced definition, or a stored version for a rollback. */
async function resolveUpdate(ctx: RouteContext, body: string, id: string, existing: AppDefinition | undefined, partial: boolean): Promise<AppDefinition> {
  const result = parseAppUpdate(body, { ...appBodyOptions(ctx), existing, partial, idFromPath: id });
  if (!('rollbackTo' in result)) return result;
  const old = await ctx.service.appVersion(id, result.rollbackTo);
  if (old === undefined) throw unknownApp(id);
  return old;
}

/** Batch PUT/PATCH `/v2/apps`: one deployment for all listed apps. */
async function updateMany(ctx: RouteContext, req: Request, reply: FastifyReply, isPut: boolean): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const partial = isPut ? queryBool(req.query, 'partialUpdate', true) : true;
  const value = parseJsonBody(bodyText(req));
  if (!Array.isArray(value)) {
    throw new AppValidationError(422, { message: 'Invalid JSON', details: [{ path: '/', errors: ['error.expected.jsarray'] }] });
  }
  const targets: AppDefinition[] = [];
  for (const [index, element] of value.entries()) {
    targets.push(await withIndexedPaths(index, () => resolveBatchElement(ctx, element, partial, isPut)));
  }
  const plan = await ctx.service.updateRoot(
    (root, version) => targets.reduce((r, target) => putApp(r, target, version, ctx.appParse.newGroupEnforceRole), root),
    { force },
  );
  return sendDeploymentResult(reply, plan);
}

async function resolveBatchElement(ctx: RouteContext, element: unknown, partial: boolean, allowCreation: boolean): Promise<AppDefinition> {
  if (!partial) return normalizeAndValidateApp(element, appBodyOptions(ctx));
  const rawId = typeof element === 'object' && element !== null ? (element as { id?: unknown }).id : undefined;
  if (typeof rawId !== 'string') throw unprocessable('requirement failed: App Update must have app id set');
  const id = parsePathId(rawId);
  const existing = ctx.service.app(id);
  if (!allowCreation && existing === undefined) throw unknownApp(id);
  return resolveUpdate(ctx, JSON.stringify(element), id, existing, true);
}

/** Type errors inside a JSON array carry the element index in their path, as Play writes `(0)/cmd`. */
async function withIndexedPaths<T>(index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppValidationError && err.body.message === 'Invalid JSON' && Array.isArray(err.body.details)) {
      const details = err.body.details.map((d) => ({ path: `(${index})${d.path === '/' ? '' : d.path}`, errors: d.errors }));
      throw new AppValidationError(err.status, { message: err.body.message, details });
    }
    throw err;
  }
}

async function deleteApp(ctx: RouteContext, rawId: string, query: Query, reply: FastifyReply): Promise<FastifyReply> {
  const id = absoluteId(rawId);
  // Marathon's code defaults force to true here (its docs say false).
  const force = queryBool(query, 'force', true);
  if (ctx.service.app(id) === undefined) throw unknownApp(id);
  const plan = await ctx.service.updateRoot(
    (root, version) => {
      if (!root.apps.has(id)) throw new ServiceError(404, `App '${id}' does not exist`);
      return removeApp(root, id, version);
    },
    { force },
  );
  return sendDeploymentResult(reply, plan);
}

async function restartApp(ctx: RouteContext, rawId: string, query: Query, reply: FastifyReply): Promise<FastifyReply> {
  const id = absoluteId(rawId);
  if (ctx.service.app(id) === undefined) throw unknownApp(id);
  const plan = await ctx.service.restartApp(id, { force: queryBool(query, 'force', false) });
  return sendDeploymentResult(reply, plan);
}

function listVersions(ctx: RouteContext, rawId: string): { versions: string[] } {
  const id = absoluteId(rawId);
  if (ctx.service.app(id) === undefined) throw unknownApp(id);
  return { versions: [...ctx.service.appVersions(id)] };
}

async function showVersion(ctx: RouteContext, rawId: string, version: string): Promise<Record<string, unknown>> {
  const id = absoluteId(rawId);
  const def = await ctx.service.appVersion(id, version);
  if (def === undefined) throw unknownApp(id, version);
  return renderApp(def);
}

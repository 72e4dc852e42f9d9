/**
 * `/v2/pods` (api/v2/PodsResource.scala, core/pod/impl/PodManagerImpl.scala, api/TaskKiller.scala).
 * Pod ids contain slashes and Marathon's sub-resources are written `{id}::status`,
 * `{id}::versions[/{version}]` and `{id}::instances[/{instanceId}]`, so each method has one
 * wildcard route dispatched on those suffixes. Statuses, headers and bodies are Marathon's,
 * including its odd ones (a 404 whose message is itself JSON, DELETE answering 202 with the
 * deployment as `Location`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { semanticError } from '../../model/apps/errors.js';
import { parseJsonBody } from '../../model/apps/parse.js';
import { PATH_MESSAGES, pathIdProblems } from '../../model/apps/path-id.js';
import { AppValidationError } from '../../model/apps/index.js';
import { parsePodBody, renderPod, type PodDefinition, type PodParseOptions } from '../../model/pods/index.js';
import { roleSettingsFor } from '../../model/apps/validate.js';
import { ServiceError, timestamp, type Instance } from '../../scheduler/contracts.js';
import { DEPLOYMENT_HEADER } from '../http/headers.js';
import { notFound, unknownPod, unknownTask } from '../http/errors.js';
import { absoluteId } from '../http/paths.js';
import { queryBool, type Query } from '../http/query.js';
import { renderPodInstance } from '../render/pod-instance.js';
import type { PodStatusJson } from '../render/pod-status.js';
import { podStatusOf } from '../render/pods.js';
import { bodyText, locationOf, requestPath, type RouteContext } from './context.js';
import { topLevelGroupOf } from './group-update.js';
import { canonicalVersion } from './group-versions.js';

type Request = FastifyRequest<{ Querystring: Query; Params: { '*'?: string } }>;

/** Instance.Id.InstanceIdRegex, quoted verbatim in the 422 Marathon answers for a malformed id. */
const INSTANCE_ID_PATTERN_SOURCE = '^(.+)\\.(instance-|marathon-)([^\\.]+)$';
const INSTANCE_ID = new RegExp(INSTANCE_ID_PATTERN_SOURCE);
const INSTANCE_ID_MESSAGE = `must fully match regular expression '${INSTANCE_ID_PATTERN_SOURCE}'`;

/**
 * `GET /v2/pods/{id}` of a missing pod: Marathon passes a JSON text as the message of its error
 * body, so the message is that text, quotes and all.
 */
const missingPod = (id: string) => notFound(`{"message": "pod with ${id} does not exist"}`);

export function registerPodRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // The capability probe: 200 with no body (authentication applies, as everywhere).
  app.head('/v2/pods', (_req, reply) => reply.code(200).send());
  app.get('/v2/pods', () => listPods(ctx));
  app.post('/v2/pods', (req: Request, reply) => createPod(ctx, req, reply));

  app.get('/v2/pods/*', (req: Request) => {
    const rest = req.params['*'] ?? '';
    if (rest === '') return listPods(ctx);
    if (rest === '::status') return allStatuses(ctx);
    let m = /^(.+)::status$/.exec(rest);
    if (m) return podStatus(ctx, m[1]!);
    m = /^(.+)::versions$/.exec(rest);
    if (m) return podVersions(ctx, m[1]!);
    m = /^(.+)::versions\/([^/]+)$/.exec(rest);
    if (m) return podVersion(ctx, m[1]!, m[2]!);
    return showPod(ctx, rest);
  });
  app.put('/v2/pods/*', (req: Request, reply) => updatePod(ctx, req, reply));
  app.delete('/v2/pods/*', (req: Request, reply) => {
    const rest = req.params['*'] ?? '';
    let m = /^(.+)::instances\/([^/]+)$/.exec(rest);
    if (m) return killInstance(ctx, m[1]!, m[2]!, req.query, reply);
    m = /^(.+)::instances$/.exec(rest);
    if (m) return killInstances(ctx, m[1]!, req, reply);
    return deletePod(ctx, req, rest, reply);
  });
}

/** Marathon's `validateOrThrow(id)` for a bare path id: 422 `Object is not valid` on `/`. */
function validPodId(raw: string): string {
  const id = absoluteId(raw);
  const problems = id === '/' ? [PATH_MESSAGES.empty] : pathIdProblems(id);
  if (problems.length > 0) throw semanticError(problems.map((error) => ({ path: '/', error })));
  return id;
}

function listPods(ctx: RouteContext): Array<Record<string, unknown>> {
  return ctx.service.pods().map((p) => renderPod(p));
}

function showPod(ctx: RouteContext, raw: string): Record<string, unknown> {
  const id = validPodId(raw);
  const pod = ctx.service.pod(id);
  if (pod === undefined) throw missingPod(id);
  return renderPod(pod);
}

function podStatus(ctx: RouteContext, raw: string): PodStatusJson {
  const id = validPodId(raw);
  const pod = ctx.service.pod(id);
  if (pod === undefined) throw unknownPod(id);
  return podStatusOf(pod, { service: ctx.service, now: ctx.now(), taskFailures: ctx.taskFailures });
}

function allStatuses(ctx: RouteContext): PodStatusJson[] {
  const sources = { service: ctx.service, now: ctx.now(), taskFailures: ctx.taskFailures };
  return ctx.service.pods().map((p) => podStatusOf(p, sources));
}

function podVersions(ctx: RouteContext, raw: string): string[] {
  const id = validPodId(raw);
  if (ctx.service.pod(id) === undefined) throw unknownPod(id);
  return [...ctx.service.podVersions(id)];
}

async function podVersion(ctx: RouteContext, raw: string, version: string): Promise<Record<string, unknown>> {
  const id = validPodId(raw);
  // Any spelling of the same instant names the version, as Marathon's Timestamp parsing does.
  const pod = await ctx.service.podVersion(id, canonicalVersion(version) ?? version);
  if (pod === undefined) throw unknownPod(id);
  return renderPod(pod);
}

/**
 * Parse options with RoleSettings.forService read from the current root: a pod below a top-level
 * group that enforces its role gets that group's role; the pod's stored role stays valid.
 */
function podParseOptions(ctx: RouteContext, update?: { podId: string; force: boolean }): PodParseOptions {
  const root = ctx.service.root();
  const { mesosRole, features, defaultNetworkName, newGroupEnforceRole } = ctx.appParse;
  return {
    mesosRole,
    ...(features !== undefined ? { features } : {}),
    ...(defaultNetworkName !== undefined ? { defaultNetworkName } : {}),
    roleSettings: (podId) =>
      roleSettingsFor(podId, mesosRole, {
        enforceRole: podId.lastIndexOf('/') === 0 ? false : (topLevelGroupOf(root, podId)?.enforceRole ?? newGroupEnforceRole) === true,
        existingRole: root.pods.get(podId)?.role,
      }),
    // A PUT may move a stored resident pod to another role only with ?force=true.
    ...(update !== undefined ? { existingRole: root.pods.get(update.podId)?.role, force: update.force } : {}),
  };
}

/** The pod a body describes, normalised and validated as Marathon does (400/422 answers otherwise). */
function readPod(ctx: RouteContext, body: string, update?: { podId: string; force: boolean }): PodDefinition {
  const result = parsePodBody(body, podParseOptions(ctx, update));
  if (!result.ok) throw result.failure;
  return result.pod;
}

function publishPodEvent(ctx: RouteContext, request: FastifyRequest, kind: 'created' | 'updated' | 'deleted'): void {
  // Key order of Marathon's PodEventWrites.
  ctx.service.events.publish({
    clientIp: request.ip,
    uri: requestPath(request),
    eventType: `pod_${kind}_event`,
    timestamp: timestamp(ctx.now()),
  });
}

async function createPod(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const pod = readPod(ctx, bodyText(req));
  // PodManager.create's ConflictingChangeException, checked here so the message is Marathon's.
  if (ctx.service.pod(pod.id) !== undefined) throw new ServiceError(409, `A pod with id [${pod.id}] already exists.`);
  const plan = await ctx.service.createPod(pod, { force });
  publishPodEvent(ctx, req, 'created');
  const stored = ctx.service.pod(pod.id) ?? pod;
  return reply.code(201).header('Location', locationOf(req, stored.id)).header(DEPLOYMENT_HEADER, plan.id).send(renderPod(stored));
}

async function updatePod(ctx: RouteContext, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const podId = absoluteId(req.params['*'] ?? '');
  const pod = readPod(ctx, bodyText(req), { podId, force });
  // Checked after validation, as Marathon does; the message quotes the body's id as written.
  const bodyId = rawIdOf(bodyText(req));
  if (pod.id !== podId) {
    return reply.code(400).send({ message: `'${podId}' does not match definition's id ('${bodyId}')` });
  }
  // PodManager.update replaces or creates: PUT is an upsert that answers 200 either way, without Location.
  const plan = await ctx.service.updatePod(pod, { force });
  publishPodEvent(ctx, req, 'updated');
  const stored = ctx.service.pod(pod.id) ?? pod;
  return reply.code(200).header(DEPLOYMENT_HEADER, plan.id).send(renderPod(stored));
}

/** The `id` of a body that already parsed as a pod, as the client wrote it. */
function rawIdOf(body: string): string {
  const value = parseJsonBody(body) as { id?: unknown };
  return typeof value.id === 'string' ? value.id : '';
}

async function deletePod(ctx: RouteContext, req: Request, raw: string, reply: FastifyReply): Promise<FastifyReply> {
  const force = queryBool(req.query, 'force', false);
  const id = validPodId(raw);
  if (ctx.service.pod(id) === undefined) throw unknownPod(id);
  const plan = await ctx.service.deletePod(id, { force });
  publishPodEvent(ctx, req, 'deleted');
  // Marathon names the deployment (not the pod) in Location, resolved against the server.
  return reply
    .code(202)
    .header('Location', locationOf(req, `/${plan.id}`))
    .header(DEPLOYMENT_HEADER, plan.id)
    .send();
}

/** TaskKiller.kill: a missing pod is `Path '…' does not exist`; wipe forgets the instances too. */
async function killFound(ctx: RouteContext, podId: string, wanted: ReadonlySet<string>, wipe: boolean): Promise<{ pod: PodDefinition; killed: Instance[] }> {
  const pod = ctx.service.pod(podId);
  if (pod === undefined) throw notFound(`Path '${podId}' does not exist`);
  const found = ctx.service.podInstances(podId).filter((i) => wanted.has(i.instanceId));
  if (found.length === 0) return { pod, killed: [] };
  const killed = await ctx.service.killPodInstances(
    podId,
    found.map((i) => i.instanceId),
    { wipe },
  );
  return { pod, killed: [...killed] };
}

async function killInstance(ctx: RouteContext, raw: string, instanceId: string, query: Query, reply: FastifyReply): Promise<FastifyReply> {
  const podId = validPodId(raw);
  if (!INSTANCE_ID.test(instanceId)) throw semanticError([{ path: '/', error: INSTANCE_ID_MESSAGE }]);
  const { pod, killed } = await killFound(ctx, podId, new Set([instanceId]), queryBool(query, 'wipe', false));
  const [first] = killed;
  if (first === undefined) throw unknownTask(instanceId);
  return reply.send(renderPodInstance(first, pod));
}

async function killInstances(ctx: RouteContext, raw: string, req: Request, reply: FastifyReply): Promise<FastifyReply> {
  const podId = validPodId(raw);
  const value = parseJsonBody(bodyText(req));
  if (!Array.isArray(value)) {
    throw new AppValidationError(422, { message: 'Invalid JSON', details: [{ path: '', errors: ['error.expected.jsarray'] }] });
  }
  const ids: string[] = [];
  const typeErrors: Array<{ path: string; errors: string[] }> = [];
  value.forEach((v: unknown, i) => {
    if (typeof v === 'string') ids.push(v);
    else typeErrors.push({ path: `(${i})`, errors: ['error.expected.jsstring'] });
  });
  if (typeErrors.length > 0) throw new AppValidationError(422, { message: 'Invalid JSON', details: typeErrors });
  const unique = [...new Set(ids)];
  const bad = unique.flatMap((id, i) => (INSTANCE_ID.test(id) ? [] : [{ path: `/(${i})`, error: INSTANCE_ID_MESSAGE }]));
  if (bad.length > 0) throw semanticError(bad);
  const { pod, killed } = await killFound(ctx, podId, new Set(unique), queryBool(req.query, 'wipe', false));
  return reply.send(killed.map((i) => renderPodInstance(i, pod)));
}

/** What every route module gets from `buildApiServer`, plus small reply helpers they share. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AppParseOptions } from '../../model/apps/index.js';
import type { AppDefinition, DeploymentPlan, PacerService } from '../../scheduler/contracts.js';
import { timestamp } from '../../scheduler/contracts.js';
import { renderApp } from '../../model/apps/index.js';
import { DEPLOYMENT_HEADER, type LeadershipView } from '../http/headers.js';
import type { TaskFailureSource } from '../render/app-info.js';
import { renderDeploymentResult } from '../render/deployment.js';
import type { InfoOptions } from '../render/info.js';

export interface RouteContext {
  service: PacerService;
  logger: Logger;
  appParse: AppParseOptions;
  info: InfoOptions;
  now(): number;
  leadership(): LeadershipView;
  taskFailures?: TaskFailureSource | undefined;
}

/** The raw request body as text; every body is read as a string so JSON errors get Marathon's answers. */
export function bodyText(request: FastifyRequest): string {
  return typeof request.body === 'string' ? request.body : '';
}

/** Path of the request without its query string (Marathon's `getRequestURI`). */
export function requestPath(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}

/** `Location` for a created resource: the id resolved against this server, as JAX-RS does. */
export function locationOf(request: FastifyRequest, id: string): string {
  return `${request.protocol}://${request.host}${id}`;
}

export function sendDeploymentResult(reply: FastifyReply, plan: DeploymentPlan, status = 200): FastifyReply {
  return reply.code(status).header(DEPLOYMENT_HEADER, plan.id).send(renderDeploymentResult(plan));
}

/** Marathon's `api_post_event` for a POST/PUT/PATCH that changed an app. */
export function publishApiPost(ctx: RouteContext, request: FastifyRequest, app: AppDefinition): void {
  ctx.service.events.publish({
    eventType: 'api_post_event',
    timestamp: timestamp(ctx.now()),
    clientIp: request.ip,
    uri: requestPath(request),
    appDefinition: renderApp(app),
  });
}

/**
 * The Marathon REST facade as a Fastify instance (not listening; the caller decides where).
 * Every body is read as text so app bodies reach Marathon's parser unchanged, `//` in paths is
 * collapsed, and every answer carries Marathon's cache and leader headers. `/v2/events` and
 * `/metrics` are plugins registered by the caller on the returned instance.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppParseOptions } from '../model/apps/index.js';
import type { PacerService } from '../scheduler/contracts.js';
import { errorHandler } from './http/errors.js';
import { requireBasicAuth, type BasicCredentials } from './http/auth.js';
import { applyCommonHeaders, type LeadershipView } from './http/headers.js';
import { trackRoutesForMethodNotAllowed } from './http/method-not-allowed.js';
import { collapseSlashes } from './http/paths.js';
import { registerRequestGuards } from './http/request-guard.js';
import type { TaskFailureSource } from './render/app-info.js';
import type { InfoOptions } from './render/info.js';
import { registerAppRoutes } from './routes/apps.js';
import type { RouteContext } from './routes/context.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerGroupRoutes } from './routes/groups.js';
import { registerInfoRoutes } from './routes/info.js';
import { registerPodRoutes } from './routes/pods.js';
import { registerQueueRoutes } from './routes/queue.js';
import { registerTaskRoutes } from './routes/tasks.js';

export type { InfoOptions } from './render/info.js';
export type { LeadershipView } from './http/headers.js';
export type { TaskFailureJson, TaskFailureSource } from './render/app-info.js';

export interface ApiServerOptions {
  service: PacerService;
  logger: Logger;
  appParse: AppParseOptions;
  info: InfoOptions;
  /** Epoch milliseconds; defaults to Date.now. */
  clock?: () => number;
  /**
   * Current leadership, read per request. Defaults to "this instance leads at
   * `info.leaderHostPort`", right for a single scheduler.
   */
  leadership?: () => LeadershipView;
  /** Last task failure per app (`lastTaskFailure` embed); without it the field is never shown. */
  taskFailures?: TaskFailureSource;
  /** Largest accepted request body in bytes (default 10 MiB: group bodies get big). */
  bodyLimit?: number;
  /** `--http_credentials`: HTTP Basic on every route but /ping. */
  credentials?: BasicCredentials;
  /** Serve the API over TLS with this key and certificate (PEM). */
  tls?: { key: Buffer; cert: Buffer };
  /** `--access_control_allow_origin`, parsed: origins besides our own that may change state and read answers. */
  allowedOrigins?: readonly string[];
  /** `--http_realm` of the Basic challenge. */
  realm?: string;
}

export function buildApiServer(opts: ApiServerOptions): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? 10 * 1024 * 1024;
  const app = Fastify({
    loggerInstance: opts.logger,
    // Per-request lines would drown the scheduler's own logs; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    rewriteUrl: (req) => collapseSlashes(req.url ?? '/'),
    ...(opts.tls ? { https: opts.tls } : {}),
  }) as unknown as FastifyInstance;
  // Before authentication: a preflight carries no credentials, and a forged request is refused
  // whether or not the browser holds them.
  registerRequestGuards(app, { allowedOrigins: opts.allowedOrigins ?? [] });
  if (opts.credentials) requireBasicAuth(app, opts.credentials, opts.realm);
  const notFoundHandler = trackRoutesForMethodNotAllowed(app);

  const leadership = opts.leadership ?? ((): LeadershipView => ({ elected: true, leaderHostPort: opts.info.leaderHostPort }));
  const ctx: RouteContext = {
    service: opts.service,
    logger: opts.logger,
    appParse: opts.appParse,
    info: opts.info,
    now: opts.clock ?? Date.now,
    leadership,
    taskFailures: opts.taskFailures,
  };

  // Bodies stay text: the app parser gives Marathon's answers for empty and malformed JSON. The
  // request guard has already refused bodies that are not JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (_req, reply) => {
    applyCommonHeaders(reply, leadership());
  });
  app.setErrorHandler(errorHandler(opts.logger, { bodyLimit }));
  app.setNotFoundHandler(notFoundHandler);

  registerAppRoutes(app, ctx);
  registerTaskRoutes(app, ctx);
  registerDeploymentRoutes(app, ctx);
  registerQueueRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerPodRoutes(app, ctx);
  registerInfoRoutes(app, ctx);
  return app;
}

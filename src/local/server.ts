/**
 * The HTTP face of the embedded master, on node:http because SUBSCRIBE answers are long-lived
 * chunked streams whose bytes must be exactly what a Mesos master sends.
 *
 * The server listens before the master exists (an ephemeral port must be known to build the
 * MasterInfo); until `attach` it answers 503 as a master that has not finished recovery does.
 *
 * Alone, the master always leads. Given a LeadershipSource (ZooKeeper), it serves only while
 * elected: otherwise scheduler calls, state and the operator API are redirected to the leader
 * (307) or refused while none is known (503), as upstream's Master::Http does. A master that
 * loses the lead ends its subscription streams, so its frameworks go find the new leader and its
 * agents offer to no one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import {
  authenticatedPrincipal,
  READONLY_REALM,
  READWRITE_REALM,
  realmProtected,
  SCHEDULER_REALM,
  type AuthRealm,
  type MasterAuthentication,
} from './http-auth.js';
import { isFilesPath, type SandboxFiles } from './files.js';
import { replyEmpty, replyJsonp, replyNotFound, replyText } from './http-replies.js';
import { replyLeaderRedirect } from './leader-redirect.js';
import type { Leadership, LeadershipSource } from './master-leadership.js';
import { ALWAYS_LEADING, handleOperatorRequest, type BuildInfo, type MasterView } from './operator-endpoints.js';
import { SchedulerEndpoint, type SchedulerCallHandler } from './scheduler-endpoint.js';

const CLOSE_GRACE_MS = 200;
const IDLE_KEEP_ALIVE_MS = 10 * 60 * 1000;
const SCHEDULER_PATHS = new Set(['/api/v1/scheduler', '/master/api/v1/scheduler']);

export type EmbeddedMaster = SchedulerCallHandler & MasterView;

export interface MesosLocalServerOptions {
  readonly ip: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** HEARTBEAT period on every subscription stream; 0 leaves heartbeats to the master. */
  readonly heartbeatIntervalMs: number;
  readonly build: BuildInfo;
  /** `--credentials` and the `--authenticate_*` switches; none: every endpoint is open. */
  readonly authentication?: MasterAuthentication;
  /**
   * The agents' files API. The in-process agents have no listener of their own: their pid names
   * this server's address, so `/files/*` is served here, where upstream's clients look for it.
   */
  readonly files?: SandboxFiles;
  /** The agents' `/slave(1)/state` document (executors with their sandbox `directory`). */
  readonly agentState?: () => object;
}

const AGENT_STATE_PATHS = new Set(['/slave(1)/state', '/slave(1)/state.json']);

const READONLY_PATHS = new Set([
  '/state',
  '/state.json',
  '/master/state',
  '/master/state.json',
  '/state-summary',
  '/master/state-summary',
  '/frameworks',
  '/master/frameworks',
  '/slaves',
  '/master/slaves',
  '/tasks',
  '/master/tasks',
  '/roles',
  '/master/roles',
  '/metrics/snapshot',
]);
const READWRITE_PATHS = new Set([
  '/api/v1',
  '/master/api/v1',
  '/teardown',
  '/master/teardown',
  '/reserve',
  '/master/reserve',
  '/unreserve',
  '/master/unreserve',
]);

/** Upstream's realm of an endpoint; undefined for those upstream leaves open (/health, /version, /redirect). */
function realmOf(pathname: string): AuthRealm | undefined {
  if (SCHEDULER_PATHS.has(pathname)) return SCHEDULER_REALM;
  if (READONLY_PATHS.has(pathname) || isFilesPath(pathname) || AGENT_STATE_PATHS.has(pathname)) return READONLY_REALM;
  if (READWRITE_PATHS.has(pathname)) return READWRITE_REALM;
  return undefined;
}

export class MesosLocalServerError extends Error {
  readonly code = 'PACER_MESOS_LOCAL_SERVER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MesosLocalServerError';
  }
}

export class MesosLocalServer {
  readonly #opts: MesosLocalServerOptions;
  readonly #logger: Logger;
  readonly #server: Server;
  #master: EmbeddedMaster | undefined;
  #scheduler: SchedulerEndpoint | undefined;
  #port: number | undefined;
  // Read on every request; kept as a plain boolean so a master without ZooKeeper pays one check.
  #elected = true;
  #leadership: Leadership = ALWAYS_LEADING;
  #stopFollowing: (() => void) | undefined;

  constructor(opts: MesosLocalServerOptions) {
    this.#opts = opts;
    this.#logger = opts.logger;
    this.#server = createServer((req, res) => this.#route(req, res));
    // Subscription streams stay open for hours, and libprocess never drops idle keep-alive
    // sockets; Node's 5 s default would race clients that keep pooled sockets much longer.
    this.#server.requestTimeout = 0;
    this.#server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
  }

  /** The bound port (after listen). */
  get port(): number {
    if (this.#port === undefined) throw new MesosLocalServerError('server is not listening');
    return this.#port;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new MesosLocalServerError(`cannot listen on ${this.#opts.ip}:${this.#opts.port}: ${err.message}`, { cause: err }));
      };
      this.#server.once('error', onError);
      this.#server.listen(this.#opts.port, this.#opts.ip, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#server.on('error', (err) => this.#logger.error({ err }, 'master HTTP server error'));
    return this.#port;
  }

  /** Starts serving the master's endpoints. */
  attach(master: EmbeddedMaster): void {
    this.#master = master;
    this.#scheduler = new SchedulerEndpoint({
      master,
      logger: this.#logger,
      heartbeatIntervalMs: this.#opts.heartbeatIntervalMs,
    });
  }

  /**
   * Serves only while `source` says this master is elected, from now on. Call before `attach`
   * so that no request is served before the first election result.
   */
  followLeadership(source: LeadershipSource): void {
    this.#stopFollowing?.();
    this.#stopFollowing = source.onChange((leadership) => this.#applyLeadership(leadership));
    this.#applyLeadership(source.current());
  }

  /** Whether this master serves scheduler calls now. */
  get elected(): boolean {
    return this.#elected;
  }

  /** Open subscription streams (for diagnostics and tests). */
  get subscriptionCount(): number {
    return this.#scheduler?.connections.size ?? 0;
  }

  /** Ends every subscription stream and closes every socket. */
  async close(): Promise<void> {
    this.#stopFollowing?.();
    this.#stopFollowing = undefined;
    this.#scheduler?.closeAll();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Ended streams get a moment to send their last chunk; then every socket goes.
    const force = setTimeout(() => this.#server.closeAllConnections(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(force);
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    const master = this.#master;
    const scheduler = this.#scheduler;
    if (master === undefined || scheduler === undefined) {
      replyText(res, 503, 'Master has not finished recovery');
      return;
    }
    const realm = realmOf(pathname);
    let principal: string | undefined;
    if (realm !== undefined && realmProtected(this.#opts.authentication, realm)) {
      principal = authenticatedPrincipal(req, this.#opts.authentication!);
      if (principal === undefined) {
        this.#logger.debug({ path: pathname, realm }, 'unauthenticated request refused');
        req.resume();
        replyEmpty(res, 401, { 'WWW-Authenticate': `Basic realm="${realm}"` });
        return;
      }
    }
    // The agents' files answer on every master, elected or not: the sandboxes are on this machine.
    if (this.#opts.files?.handle(req, res, pathname) === true) return;
    if (AGENT_STATE_PATHS.has(pathname) && this.#opts.agentState !== undefined) {
      replyJsonp(res, this.#opts.agentState(), new URL(req.url ?? pathname, 'http://agent').searchParams.get('jsonp'));
      return;
    }
    if (SCHEDULER_PATHS.has(pathname)) {
      if (!this.#elected) {
        replyLeaderRedirect(res, this.#leadership.leader, pathname, req.url ?? pathname);
        return;
      }
      scheduler.handle(req, res, principal).catch((err: unknown) => {
        // A client that hangs up mid-request is routine; anything else is a bug worth an error.
        if (req.destroyed) this.#logger.debug({ err }, 'scheduler request aborted by the client');
        else this.#logger.error({ err }, 'scheduler endpoint failed');
        if (!res.headersSent) replyText(res, 500, '500 Internal Server Error.');
        else res.destroy();
      });
      return;
    }
    try {
      if (!handleOperatorRequest(req, res, pathname, master, this.#opts.build, this.#leadership)) replyNotFound(res);
    } catch (err) {
      this.#logger.error({ err, path: pathname }, 'operator endpoint failed');
      if (!res.headersSent) replyText(res, 500, '500 Internal Server Error.');
    }
  }

  #applyLeadership(leadership: Leadership): void {
    const wasElected = this.#elected;
    this.#leadership = leadership;
    this.#elected = leadership.elected;
    if (wasElected && !leadership.elected) this.#standDown();
  }

  /**
   * Upstream's deposed master exits; this one keeps its in-process agents (and their tasks) and
   * only lets go of its frameworks: each is disconnected as if its stream broke, so its
   * failover timeout runs and it gets no offers, and the closed stream sends it to the leader.
   */
  #standDown(): void {
    const scheduler = this.#scheduler;
    const master = this.#master;
    if (scheduler === undefined || master === undefined) return;
    const streams = [...scheduler.connections];
    this.#logger.info({ streams: streams.length }, 'no longer the leading master; ending subscription streams');
    for (const connection of streams) {
      master.connectionClosed(connection);
      connection.close();
    }
  }
}

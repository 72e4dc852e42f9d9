/**
 * The scheduler process, assembled: embedded master (with `--master local`), state store,
 * orchestrator core, groups and deployments, and the Marathon REST facade with events,
 * metrics and the UI. With `--zk` and HA on, only the elected leader runs the orchestrator;
 * standbys serve the API by proxying to the leader.
 */
import type { FastifyInstance } from 'fastify';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { eventsPlugin } from './api/events/index.js';
import { leaderProxyPlugin } from './api/leader-proxy.js';
import { metricsPlugin } from './api/metrics/index.js';
import { taskFilesRoutes } from './api/routes/task-files.js';
import { PacerMetrics } from './api/metrics/registry.js';
import type { BasicCredentials } from './api/http/auth.js';
import { buildApiServer, type InfoOptions } from './api/server.js';
import { startEmbeddedMaster, type EmbeddedMaster } from './local/embedded-master.js';
import type { MediaType } from './mesos/codec.js';
import type { TaskState } from './mesos/types.js';
import { createMasterDetector, type MasterDetector } from './mesos/detector.js';
import { buildFrameworkInfo } from './mesos/framework-info.js';
import type { AppLookup, MarathonEvent, PacerService } from './scheduler/contracts.js';
import { SchedulerCore } from './scheduler/core/index.js';
import { LocalEventBus } from './scheduler/event-bus.js';
import { ConcurrencyLimiter } from './scheduler/concurrency-limiter.js';
import { DEFAULT_MAX_CONCURRENT_PROBES, MarathonHealthChecks, ReadinessChecker } from './scheduler/health/index.js';
import { PacerServiceImpl } from './scheduler/service.js';
import { TaskFailureRepository } from './scheduler/task-failures.js';
import { LeaderElection } from './zk/leader-election.js';
import { openStore, type StoreLocation } from './state/open-store.js';
import type { Store } from './state/store.js';
import { zkStoreOpener, type ZkStoreOptions } from './state/zk-store.js';
import { uiPlugin } from './ui/plugin.js';
import { PACER_VERSION } from './version.js';

export interface LocalMasterSettings {
  agents: number;
  simulatedAgents: number;
  agentResources: string;
  agentAttributes?: string;
  workDir?: string;
  /** `--gc_delay` (ms): sandboxes of ended tasks are removed this long after. */
  gcDelayMs?: number;
}

export type ZkTimeouts = Pick<ZkStoreOptions, 'sessionTimeoutMs' | 'operationTimeoutMs' | 'connectTimeoutMs'>;
/** Marathon's `--[disable_]zk_compression`, `--zk_compression_threshold` and `--zk_max_node_size`. */
export type ZkStorageLimits = Pick<ZkStoreOptions, 'compressionThresholdBytes' | 'maxNodeBytes'>;

export interface PacerSettings {
  /** `local`, `host:port[,…]` or `zk://…/mesos`. */
  master: string;
  zk?: string;
  disableHa: boolean;
  httpAddress: string;
  httpPort: number;
  hostname: string;
  webuiUrl?: string;
  frameworkName: string;
  mesosRole: string;
  mesosUser: string;
  failoverTimeoutSeconds: number;
  checkpoint: boolean;
  mesosCredentials?: { principal: string; secret: string };
  mesosContentType: MediaType;
  reconciliationIntervalMs: number;
  taskLaunchTimeoutMs: number;
  local: LocalMasterSettings;
  /** Where the state lives (`--zk`, `--data_dir`). */
  store: StoreLocation;
  /** ZooKeeper timeouts (`--zk_session_timeout`, `--zk_timeout`, `--zk_connection_timeout`), for the store and the election alike. */
  zkTimeouts: ZkTimeouts;
  zkStorage?: ZkStorageLimits;
  /** `--http_credentials`. */
  httpCredentials?: BasicCredentials;
  /**
   * `--ssl_cert_file` / `--ssl_key_file`: the API speaks HTTPS. `ca` (`--ssl_ca_file`) is what a
   * standby trusts when it proxies to an HTTPS leader; without it, the shared certificate itself
   * (leaders of one cluster serve the operator's certificate) and the system CAs.
   */
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer };
  /** `--https_port` (default 8443; 0 picks a free port): the HTTPS listener, served when `tls` is given. */
  httpsPort?: number;
  /** `--https_address` (default: `httpAddress`). */
  httpsAddress?: string;
  /** `--disable_http`: no plain HTTP listener on `httpPort` (only with `tls`). */
  disableHttp?: boolean;
  /** `--http_realm`. */
  httpRealm?: string;
  /** `--access_control_allow_origin`, parsed. */
  allowedOrigins?: string[];
  /** Marathon's `--enable_features`. */
  features?: ReadonlySet<string>;
  /** `--default_network_name`. */
  defaultNetworkName?: string;
  /** `--decline_offer_duration` (ms). */
  declineOfferDurationMs?: number;
  /** `--max_instances_per_offer`. */
  maxInstancesPerOffer?: number;
  /** `--local_port_min` / `--local_port_max`: service ports. */
  localPortRange?: { min: number; max: number };
  /** `--max_running_deployments`. */
  maxRunningDeployments?: number;
  /** `--zk_max_versions`. */
  zkMaxVersions?: number;
  acceptedResourceRolesDefault?: 'any' | 'reserved' | 'unreserved';
  gpuSchedulingBehavior?: 'restricted' | 'unrestricted';
  /** `--[disable_]maintenance_mode`. */
  maintenanceMode?: boolean;
  drainingSeconds?: number;
  /** `--kill_retry_timeout` (ms). */
  killRetryTimeoutMs?: number;
  /** `--metrics_name_prefix`: first part of every metric name (default `pacer`). */
  metricsNamePrefix?: string;
  /** `--[disable_]metrics_prometheus`: serve /metrics/prometheus. */
  metricsPrometheus?: boolean;
  /** `--new_group_enforce_role top` (true) or `off`. */
  newGroupEnforceRole?: boolean;
  /** `--env_vars_prefix`. */
  envVarsPrefix?: string;
  /** `--min_revive_offers_interval` (ms). */
  minReviveOffersIntervalMs?: number;
  /** `--mesos_leader_ui_url`; default: the master Pacer is subscribed to. */
  mesosLeaderUiUrl?: string;
  /** Flag values /v2/info shows, by section (`marathon_config`, …) and key. */
  infoConfig?: Record<string, Record<string, unknown>>;
}

export interface PacerHandle {
  /** Base URL of the API this node advertises, e.g. http://127.0.0.1:8080 (the HTTPS one when HTTPS is served). */
  readonly url: string;
  /** The plain HTTP listener, unless `--disable_http`. */
  readonly httpUrl: string | undefined;
  /** The HTTPS listener, with `tls`. */
  readonly httpsUrl: string | undefined;
  /** The embedded master, with `--master local`. */
  readonly localMaster: EmbeddedMaster | undefined;
  /** What the REST facade calls, for callers embedding Pacer (answers 503 while this node is not the leader). */
  readonly service: PacerService;
  close(): Promise<void>;
  /** Resolves when the process should exit on its own (e.g. leadership lost beyond repair). */
  readonly finished: Promise<string>;
}

/** The orchestrator half that only the leader runs. */
class Orchestrator {
  readonly core: SchedulerCore;
  readonly service: PacerServiceImpl;
  readonly taskFailures: TaskFailureRepository;
  readonly #events: LocalEventBus;
  readonly #healthChecks: MarathonHealthChecks;
  readonly #readiness: ReadinessChecker;
  #stateLoaded = false;

  constructor(
    store: Store,
    detector: MasterDetector,
    settings: PacerSettings,
    events: LocalEventBus,
    metrics: PacerMetrics,
    logger: Logger,
    onFatal: (reason: string) => void,
  ) {
    this.#events = events;
    let service: PacerServiceImpl | undefined;
    // The core reads apps and pods (as run specs) through one lookup.
    const apps: AppLookup = {
      app: (id) => service?.runSpec(id),
      appVersion: async (id, version) => service?.runSpecVersion(id, version),
      pod: (id) => service?.pod(id),
      podVersion: async (id, version) => service?.podVersion(id, version),
    };
    this.taskFailures = new TaskFailureRepository(store, logger);
    // One cap on sockets for health and readiness probes together.
    const probes = new ConcurrencyLimiter(DEFAULT_MAX_CONCURRENT_PROBES);
    this.#healthChecks = new MarathonHealthChecks({
      instances: () => this.core.instances,
      apps,
      events,
      logger,
      killInstance: (id, reason) => this.core.killTasks([id], reason),
      limiter: probes,
    });
    this.#readiness = new ReadinessChecker({
      instances: () => this.core.instances,
      apps,
      logger,
      limiter: probes,
    });
    this.core = new SchedulerCore({
      store,
      apps,
      events,
      logger,
      driver: {
        detector,
        frameworkInfo: buildFrameworkInfo({
          name: settings.frameworkName,
          user: settings.mesosUser,
          hostname: settings.hostname,
          webuiUrl: settings.webuiUrl ?? `${advertisedBase(settings)}/ui/`,
          failoverTimeoutSeconds: settings.failoverTimeoutSeconds,
          checkpoint: settings.checkpoint,
          roles: [settings.mesosRole],
          taskKilling: settings.features?.has('task_killing') ?? false,
          gpuResources: settings.features?.has('gpu_resources') ?? false,
          principal: settings.mesosCredentials?.principal,
        }),
        mediaType: settings.mesosContentType,
        credentials: settings.mesosCredentials,
      },
      marathonHealthChecks: this.#healthChecks,
      reconciliationIntervalMs: settings.reconciliationIntervalMs,
      taskLaunchTimeoutMs: settings.taskLaunchTimeoutMs,
      // The embedded master and its agents live in region `local`; a real master names its own.
      matchOptions: {
        defaultRole: settings.mesosRole,
        localRegion: 'local',
        ...(settings.declineOfferDurationMs !== undefined ? { declineRefuseSeconds: settings.declineOfferDurationMs / 1000 } : {}),
        ...(settings.maxInstancesPerOffer !== undefined ? { maxLaunchesPerAgent: settings.maxInstancesPerOffer } : {}),
        ...(settings.acceptedResourceRolesDefault !== undefined ? { acceptedResourceRolesDefault: settings.acceptedResourceRolesDefault } : {}),
        ...(settings.gpuSchedulingBehavior !== undefined ? { gpuSchedulingBehavior: settings.gpuSchedulingBehavior } : {}),
        ...(settings.maintenanceMode !== undefined ? { maintenanceMode: settings.maintenanceMode } : {}),
        ...(settings.drainingSeconds !== undefined ? { drainingSeconds: settings.drainingSeconds } : {}),
      },
      ...(settings.killRetryTimeoutMs !== undefined ? { killRetryIntervalMs: settings.killRetryTimeoutMs } : {}),
      ...(settings.envVarsPrefix !== undefined ? { envVarsPrefix: settings.envVarsPrefix } : {}),
      ...(settings.minReviveOffersIntervalMs !== undefined ? { minReviveIntervalMs: settings.minReviveOffersIntervalMs } : {}),
      metrics: {
        offersReceived: (n) => metrics.offersReceived.inc(n),
        offersDeclined: (n) => metrics.offersDeclined.inc(n),
        offersUsed: (n) => metrics.offersUsed.inc(n),
        matched: (seconds, placements) => {
          metrics.matcherDuration.observe(seconds);
          metrics.placements.inc(placements);
        },
        launched: (n) => metrics.launches.inc(n),
        launchesPaused: (paused) => {
          metrics.launchesPaused.set(paused ? 1 : 0);
          if (paused) metrics.launchPauses.inc();
        },
      },
      onDisconnected: () => metrics.streamReconnects.inc(),
      // Like Marathon, give up the process rather than linger unsubscribed: a supervisor
      // restarts it, and a restart re-subscribes with the stored framework id.
      onDriverStopped: (error) => onFatal(`Mesos driver stopped: ${error?.message ?? 'no reason given'}`),
    });
    this.service = new PacerServiceImpl({
      store,
      core: this.core,
      events,
      readiness: this.#readiness,
      logger: logger.child({ component: 'deployments' }),
      ...(settings.maxRunningDeployments !== undefined ? { maxRunningDeployments: settings.maxRunningDeployments } : {}),
      ...(settings.localPortRange !== undefined ? { localPortRange: settings.localPortRange } : {}),
      ...(settings.zkMaxVersions !== undefined ? { maxVersions: settings.zkMaxVersions } : {}),
    });
    service = this.service;
  }

  /**
   * True once instances, apps and deployments are loaded. Until then the service holds an empty
   * root, so the API must not answer as leader (it would list no apps after a failover).
   */
  get stateLoaded(): boolean {
    return this.#stateLoaded;
  }

  /** Instances first, then apps and deployments, and only then Mesos: nothing acts on half a state. */
  async start(): Promise<void> {
    await this.taskFailures.load();
    this.taskFailures.attach(this.#events);
    await this.core.load();
    await this.service.start();
    this.#stateLoaded = true;
    await this.core.start();
    this.#healthChecks.start();
  }

  async stop(): Promise<void> {
    this.#stateLoaded = false;
    await this.service.stop();
    await this.#readiness.close();
    await this.#healthChecks.stop();
    await this.core.stop();
  }
}

export async function startPacer(settings: PacerSettings, logger: Logger): Promise<PacerHandle> {
  const cleanups: Array<() => Promise<void>> = [];
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err }, 'shutdown step failed');
      }
    }
  };
  let finish!: (reason: string) => void;
  const finished = new Promise<string>((resolve) => (finish = resolve));

  try {
    let localMaster: EmbeddedMaster | undefined;
    let masterSpec = settings.master;
    if (settings.master === 'local') {
      localMaster = await startEmbeddedMaster(
        {
          ip: '127.0.0.1',
          port: 0,
          agents: settings.local.agents,
          simulatedAgents: settings.local.simulatedAgents,
          agentResources: settings.local.agentResources,
          agentAttributes: settings.local.agentAttributes,
          workDir: settings.local.workDir,
          ...(settings.local.gcDelayMs !== undefined ? { gcDelayMs: settings.local.gcDelayMs } : {}),
        },
        logger,
      );
      const handle = localMaster;
      cleanups.push(() => handle.close());
      void handle.failed.then(() => finish('embedded master failed'));
      masterSpec = localMaster.url;
      logger.info({ master: masterSpec }, 'embedded Mesos-compatible master started');
    }

    const ha = settings.zk !== undefined && !settings.disableHa;
    let election: LeaderElection | undefined;
    const store = await openStore(settings.store, {
      logger,
      openZkStore: zkStoreOpener({ ...settings.zkTimeouts, ...settings.zkStorage, ...(ha ? { writeGuard: () => election?.fencingPath() } : {}) }),
    });
    cleanups.push(() => store.close());

    const detector = await createMasterDetector(masterSpec, logger);
    cleanups.push(() => detector.close());

    const events = new LocalEventBus((err, event) => logger.error({ err, eventType: event.eventType }, 'event listener failed'));
    const metrics = new PacerMetrics(settings.metricsNamePrefix !== undefined ? { namePrefix: settings.metricsNamePrefix } : {});
    observeEvents(events, metrics);

    // Port 0 means "any free port". It is chosen before the API is built because /v2/info, the
    // leader id and the framework's webui_url all name it; another process may take it in the
    // moment between, so a chosen port that turns out busy is simply chosen again.
    const requestedHttpPort = settings.httpPort;
    const requestedHttpsPort = settings.httpsPort ?? DEFAULT_HTTPS_PORT;
    const httpsAddress = settings.httpsAddress ?? settings.httpAddress;
    const servesHttp = settings.tls === undefined || settings.disableHttp !== true;
    let orchestrator: Orchestrator | undefined;
    let api: FastifyInstance | undefined;
    let plain: HttpServer | undefined;
    for (let attempt = 1; api === undefined; attempt++) {
      const httpPort = servesHttp && requestedHttpPort === 0 ? await freePort(settings.httpAddress) : requestedHttpPort;
      const httpsPort = settings.tls !== undefined && requestedHttpsPort === 0 ? await freePort(httpsAddress) : requestedHttpsPort;
      settings = { ...settings, httpPort, httpsPort, httpsAddress };
      const candidate = new Orchestrator(store, detector, settings, events, metrics, logger, finish);
      const server = buildApi(settings, candidate, events, metrics, logger, () => election, finish, localMaster?.url);
      let secondary: HttpServer | undefined;
      try {
        if (settings.tls === undefined) {
          await server.listen({ host: settings.httpAddress, port: httpPort });
        } else {
          // One Fastify instance, two listeners: its own server speaks HTTPS, and a plain HTTP
          // server hands every request to the same router, so routes, guards and auth are one.
          await server.listen({ host: httpsAddress, port: httpsPort });
          if (servesHttp) secondary = await listenPlainHttp(server, settings.httpAddress, httpPort);
        }
        orchestrator = candidate;
        api = server;
        plain = secondary;
      } catch (err) {
        await server.close();
        const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        const pickedFreely = (servesHttp && requestedHttpPort === 0) || (settings.tls !== undefined && requestedHttpsPort === 0);
        if (!busy || !pickedFreely || attempt >= 5) throw err;
      }
    }
    const active = orchestrator!;
    const listening = api;
    cleanups.push(() => listening.close());
    if (plain !== undefined) {
      const server = plain;
      cleanups.push(() => closePlainHttp(server));
    }
    if (settings.tls !== undefined && servesHttp) {
      // Marathon's HttpModule says the same when both connectors are configured.
      logger.warn(
        { httpPort: settings.httpPort, httpsPort: settings.httpsPort },
        'Both HTTP and HTTPS are served. Consider disabling HTTP with --disable_http',
      );
    }
    const httpUrl = servesHttp ? `http://${settings.httpAddress}:${settings.httpPort}` : undefined;
    const httpsUrl = settings.tls !== undefined ? `https://${httpsAddress}:${settings.httpsPort}` : undefined;
    const url = httpsUrl ?? httpUrl!;
    const selfId = `${settings.hostname}:${advertisedPort(settings)}`;

    if (ha) {
      let running: Promise<void> | undefined;
      let defeated = false;
      election = await LeaderElection.start(settings.zk!, selfId, logger, {
        scheme: advertisedScheme(settings),
        // The store gets the same timeout (settings.zkTimeouts), so both sessions expire alike.
        sessionTimeoutMs: settings.zkTimeouts.sessionTimeoutMs,
        onElected: () => {
          // After a defeat this process is on its way out; a brief re-election of a doomed
          // session must not start the orchestrator again.
          if (defeated) return;
          logger.info({ selfId }, 'elected leader: starting the orchestrator');
          running = active.start().catch((err: unknown) => {
            logger.fatal({ err }, 'orchestrator failed to start as leader');
            finish('orchestrator failed');
          });
        },
        onDefeated: (reason) => {
          if (defeated) return;
          defeated = true;
          // A deposed leader must stop acting at once; a fresh process is the only clean
          // way back to standby, as with Marathon, so we exit and let the supervisor restart.
          logger.warn({ reason }, 'leadership lost: stopping');
          void (running ?? Promise.resolve()).then(() => active.stop()).finally(() => finish(`leadership lost (${reason})`));
        },
      });
      const current = election;
      cleanups.push(() => current.close());
    } else {
      await active.start();
    }
    cleanups.push(() => active.stop());

    logger.info({ url, httpUrl, httpsUrl, selfId, master: masterSpec, ha }, 'Pacer API listening');
    return {
      url,
      httpUrl,
      httpsUrl,
      localMaster,
      service: active.service,
      finished,
      close: runCleanups,
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

function buildApi(
  settings: PacerSettings,
  orchestrator: Orchestrator,
  events: LocalEventBus,
  metrics: PacerMetrics,
  logger: Logger,
  election: () => LeaderElection | undefined,
  exit: (reason: string) => void,
  embeddedMasterUrl: string | undefined,
): FastifyInstance {
  const selfHostPort = `${settings.hostname}:${advertisedPort(settings)}`;
  const info: InfoOptions = {
    version: PACER_VERSION,
    leaderHostPort: selfHostPort,
    httpPort: settings.httpPort,
    ...(settings.tls !== undefined ? { httpsPort: settings.httpsPort ?? DEFAULT_HTTPS_PORT } : {}),
    frameworkName: settings.frameworkName,
    master: settings.master,
    zk: settings.zk,
    hostname: settings.hostname,
    webuiUrl: settings.webuiUrl,
    failoverTimeout: settings.failoverTimeoutSeconds,
    checkpoint: settings.checkpoint,
    mesosRole: settings.mesosRole,
    mesosUser: settings.mesosUser,
    reconciliationInterval: settings.reconciliationIntervalMs,
    taskLaunchTimeout: settings.taskLaunchTimeoutMs,
    ha: settings.zk !== undefined && !settings.disableHa,
    allowedOrigins: settings.allowedOrigins,
    features: [...(settings.features ?? [])],
    defaultNetworkName: settings.defaultNetworkName,
    ...(settings.mesosLeaderUiUrl !== undefined ? { mesosLeaderUiUrl: settings.mesosLeaderUiUrl } : {}),
    ...(settings.infoConfig !== undefined ? { config: settings.infoConfig } : {}),
  };
  const selfScheme = advertisedScheme(settings);
  const leadership = {
    // Elected is not enough: until its state is loaded the leader waits, like a leader in
    // transition (the proxy holds requests briefly, then answers 502), instead of serving an empty root.
    isLeader: (): boolean => (election()?.isLeader() ?? true) && orchestrator.stateLoaded,
    leader: (): string | undefined => {
      const current = election();
      return current === undefined ? selfHostPort : current.leader();
    },
    leaderUrl: (): string | undefined => {
      const current = election();
      return current === undefined ? `${selfScheme}://${selfHostPort}` : current.leaderUrl();
    },
  };
  const api = buildApiServer({
    service: orchestrator.service,
    logger: logger.child({ component: 'api' }),
    appParse: {
      mesosRole: settings.mesosRole,
      ...(settings.features !== undefined ? { features: settings.features } : {}),
      ...(settings.defaultNetworkName !== undefined ? { defaultNetworkName: settings.defaultNetworkName } : {}),
      ...(settings.newGroupEnforceRole !== undefined ? { newGroupEnforceRole: settings.newGroupEnforceRole } : {}),
      ...(settings.acceptedResourceRolesDefault !== undefined ? { acceptedResourceRolesDefault: settings.acceptedResourceRolesDefault } : {}),
    },
    info,
    taskFailures: orchestrator.taskFailures,
    ...(settings.httpCredentials ? { credentials: settings.httpCredentials } : {}),
    ...(settings.tls ? { tls: { key: settings.tls.key, cert: settings.tls.cert } } : {}),
    ...(settings.allowedOrigins ? { allowedOrigins: settings.allowedOrigins } : {}),
    ...(settings.httpRealm !== undefined ? { realm: settings.httpRealm } : {}),
    leadership: () => {
      const leader = leadership.leader();
      return { elected: leadership.isLeader(), leaderHostPort: leader, leaderScheme: leadership.leaderUrl()?.startsWith('https:') ? 'https' : 'http' };
    },
  });
  void api.register(leaderProxyPlugin, {
    election: leadership,
    selfId: selfHostPort,
    selfScheme,
    logger,
    ...(settings.tls ? { dispatcher: leaderDispatcher(settings.tls) } : {}),
  });
  void api.register(eventsPlugin, {
    bus: events,
    logger,
    metrics,
    isLeader: leadership.isLeader,
    leaderUrl: leadership.leaderUrl,
  });
  void api.register(metricsPlugin, { registry: metrics, prometheus: settings.metricsPrometheus ?? true });
  void api.register(taskFilesRoutes, {
    framework: () => orchestrator.service.framework(),
    embeddedUrl: embeddedMasterUrl,
    credentials: settings.mesosCredentials,
    logger: logger.child({ component: 'task-files' }),
  });
  // Marathon's abdication: with an election, hand leadership over (this process then exits
  // through onDefeated and is restarted as a standby by its supervisor); without one, exit.
  api.delete('/v2/leader', async (_request, reply) => {
    const current = election();
    if (current !== undefined && !current.isLeader()) return reply.code(404).send({ message: 'There is no leader' });
    setImmediate(() => {
      if (current !== undefined) void current.abdicate();
      else exit('leadership abdicated');
    });
    return reply.code(200).send({ message: 'Leadership abdicated' });
  });
  void api.register(uiPlugin, {});
  return api;
}

/** Marathon's default `--https_port`. */
const DEFAULT_HTTPS_PORT = 8443;

/**
 * Every URL that names this node (leader record and id in ZooKeeper, X-Marathon-Leader, the
 * standbys' proxy and /v2/events redirect, the framework's webui_url) names its HTTPS listener
 * when it serves one, else its HTTP listener. Marathon names HTTPS only with --disable_http; Pacer
 * prefers it whenever it exists, so a standby never forwards Basic credentials in the clear.
 */
function advertisedScheme(settings: PacerSettings): 'http' | 'https' {
  return settings.tls ? 'https' : 'http';
}

function advertisedPort(settings: PacerSettings): number {
  return settings.tls ? (settings.httpsPort ?? DEFAULT_HTTPS_PORT) : settings.httpPort;
}

function advertisedBase(settings: PacerSettings): string {
  return `${advertisedScheme(settings)}://${settings.hostname}:${advertisedPort(settings)}`;
}

/** The plain HTTP listener beside HTTPS: same router (`routing` runs Fastify's whole request path). */
async function listenPlainHttp(api: FastifyInstance, host: string, port: number): Promise<HttpServer> {
  const server = createHttpServer((req, res) => api.routing(req, res));
  server.keepAliveTimeout = api.server.keepAliveTimeout;
  server.requestTimeout = api.server.requestTimeout;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Event streams never end by themselves: close their connections with the server. */
function closePlainHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Task-state and deployment counters come from the event bus, so no layer needs to know. */
function observeEvents(events: LocalEventBus, metrics: PacerMetrics): void {
  const running = new Set<string>();
  const planId = (event: MarathonEvent): string | undefined => {
    const plan = event.plan as { id?: unknown } | undefined;
    const id = typeof event.id === 'string' ? event.id : plan?.id;
    return typeof id === 'string' ? id : undefined;
  };
  events.subscribe((event) => {
    const id = planId(event);
    switch (event.eventType) {
      case 'status_update_event':
        if (typeof event.taskStatus === 'string') metrics.recordTaskState(event.taskStatus as TaskState);
        return;
      case 'deployment_info':
        if (id !== undefined && !running.has(id)) {
          running.add(id);
          metrics.deploymentsStarted.inc();
          metrics.deploymentsRunning.set(running.size);
        }
        return;
      case 'deployment_success':
      case 'deployment_failed':
        (event.eventType === 'deployment_success' ? metrics.deploymentsSucceeded : metrics.deploymentsFailed).inc();
        if (id !== undefined) running.delete(id);
        metrics.deploymentsRunning.set(running.size);
        return;
    }
  });
}

/**
 * How a standby reaches an HTTPS leader: certificates verified (never switched off) against
 * `--ssl_ca_file` when given, else against the certificate the leaders share plus the system CAs.
 */
function leaderDispatcher(tls: { cert: Buffer; ca?: Buffer }): Agent {
  const ca = tls.ca !== undefined ? [tls.ca] : [...rootCertificates, tls.cert];
  return new Agent({ connect: { ca, rejectUnauthorized: true } });
}

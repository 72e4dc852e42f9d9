/**
 * The facade as production builds it (buildApiServer) over the real PacerServiceImpl. Only what is
 * outside the service is stood in for: the store (the in-memory Store with the contract's
 * semantics) and the core's cluster (the scheduler tests' FakeCluster: instances move one stage per
 * `tick()`, launched ones get task ids and agents). The cluster's clock starts at NOW and is the
 * clock of both the service and the facade.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApiServer, type ApiServerOptions, type InfoOptions } from '../../src/api/server.js';
import { EMPTY_QUEUE_OFFER_STATS } from '../../src/matching/index.js';
import { timestamp, type FrameworkStatus, type Instance, type QueueEntry } from '../../src/scheduler/contracts.js';
import { LocalEventBus } from '../../src/scheduler/event-bus.js';
import { PacerServiceImpl, type PacerServiceOptions } from '../../src/scheduler/service.js';
import { FakeCluster, runUntil } from '../scheduler/fakes/fake-cluster.js';
import { MemoryStore } from '../scheduler/fakes/memory-store.js';

export const NOW = Date.parse('2024-05-01T12:00:00.000Z');

export const INFO: InfoOptions = {
  version: '1.11.0',
  leaderHostPort: '127.0.0.1:8080',
  httpPort: 8080,
  frameworkName: 'marathon',
  master: 'zk://user:secret@127.0.0.1:2181/mesos',
  zk: 'zk://127.0.0.1:2181/pacer',
  hostname: 'pacer-host',
  webuiUrl: 'http://pacer-host:8080',
  failoverTimeout: 604800,
  checkpoint: true,
  mesosRole: '*',
  mesosUser: 'root',
  reconciliationInterval: 600000,
  taskLaunchTimeout: 300000,
  ha: false,
};

export const FRAMEWORK: FrameworkStatus = { frameworkId: 'fw-0000', master: 'http://127.0.0.1:5050/api/v1/scheduler', subscribed: true };

export interface Harness {
  app: FastifyInstance;
  service: PacerServiceImpl;
  cluster: FakeCluster;
  store: MemoryStore;
  /** Task kills without scale or wipe that the service asked the core for. */
  killedTasks: string[][];
  /**
   * The core's launch queue as the facade reads it. By default one entry per app with Scheduled
   * instances and empty offer statistics; a test sets entries to show the matcher's statistics.
   */
  queueEntries: QueueEntry[] | undefined;
  /** Ticks the cluster until the deployment has finished. */
  finish(deploymentId: string): Promise<void>;
}

export interface HarnessOptions extends Partial<ApiServerOptions> {
  cluster?: { hosts?: readonly string[] };
  /** The store to start from (a restart on the same store); a new empty one by default. */
  store?: MemoryStore;
  serviceOptions?: Partial<PacerServiceOptions>;
  /** Registers more of production's plugins (e.g. the event stream) before the server is ready. */
  register?: (app: FastifyInstance, service: PacerServiceImpl) => Promise<void>;
}

export async function harness(extra: HarnessOptions = {}): Promise<Harness> {
  const { cluster: clusterOpts, store = new MemoryStore(), serviceOptions, register, ...serverOpts } = extra;
  const killedTasks: string[][] = [];
  let service: PacerServiceImpl | undefined;
  const cluster = new FakeCluster({ appOf: (id) => service?.app(id), podOf: (id) => service?.pod(id), startMs: NOW, hosts: clusterOpts?.hosts });
  const h = { store, cluster, killedTasks, queueEntries: undefined } as Partial<Harness> & { queueEntries: QueueEntry[] | undefined };
  const waiting = (): QueueEntry[] => {
    const byApp = new Map<string, Instance[]>();
    for (const i of cluster.tracker.all()) if (i.condition === 'Scheduled') byApp.set(i.appId, [...(byApp.get(i.appId) ?? []), i]);
    return [...byApp].flatMap(([appId, instances]) => {
      // A pod waits as its run-spec view, with the pod itself (Marathon's QueuePod).
      const app = service?.runSpec(appId);
      if (app === undefined) return [];
      const pod = service?.pod(appId);
      const since = timestamp(Math.min(...instances.map((i) => i.since)));
      return [
        {
          app,
          ...(pod !== undefined ? { pod } : {}),
          count: instances.length,
          delay: { timeLeftSeconds: 0, overdue: true },
          since,
          processedOffersSummary: EMPTY_QUEUE_OFFER_STATS,
          lastUnusedOffers: [],
        },
      ];
    });
  };
  service = new PacerServiceImpl({
    store,
    core: {
      instances: cluster.tracker,
      launchQueue: cluster.queue,
      health: cluster.health,
      framework: () => FRAMEWORK,
      queue: () => h.queueEntries ?? waiting(),
      killTasks: async (ids) => {
        killedTasks.push([...ids]);
        // The core kills the current tasks and relaunches them: the instances start over.
        for (const id of ids) {
          const instance = cluster.tracker.get(id);
          if (instance !== undefined) cluster.tracker.put({ ...instance, condition: 'Killed', status: { state: 'TASK_KILLED', timestamp: cluster.now() } });
        }
      },
    },
    events: new LocalEventBus(),
    logger: pino({ level: 'silent' }),
    clock: { now: cluster.now },
    recheckIntervalMs: 0,
    ...serviceOptions,
  });
  await service.start();
  const app = buildApiServer({
    service,
    logger: pino({ level: 'silent' }),
    appParse: { mesosRole: '*' },
    info: INFO,
    clock: cluster.now,
    ...serverOpts,
  });
  const svc = service;
  app.addHook('onClose', async () => svc.stop());
  if (register !== undefined) await register(app, svc);
  await app.ready();
  h.app = app;
  h.service = svc;
  h.finish = async (deploymentId) => {
    await runUntil(cluster, () => !svc.deployments().some((d) => d.id === deploymentId));
  };
  return h as Harness;
}

export type Json = Record<string, any>;

export function json(res: LightMyRequestResponse): Json {
  return JSON.parse(res.body) as Json;
}

export const SLEEP_APP = { id: '/sleep', cmd: 'sleep 1000', cpus: 0.1, mem: 32, instances: 2 };

/** POSTs an app and runs its deployment to the end on the fake cluster. */
export async function createApp(h: Harness, body: Json = SLEEP_APP): Promise<Json> {
  const res = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: body });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  const created = json(res);
  for (const d of created.deployments as Array<{ id: string }>) await h.finish(d.id);
  return created;
}

/** The app's instances on the fake cluster, in id order. */
export function instancesOf(h: Harness, appId: string): Instance[] {
  return [...h.cluster.tracker.ofApp(appId)].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

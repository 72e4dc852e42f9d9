/** A PacerServiceImpl wired to the fake cluster, recording every event it publishes. */
import { pino } from 'pino';
import type { AppDefinition, DeploymentPlan, MarathonEvent, RootGroup } from '../../../src/scheduler/contracts.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';
import { putApp } from '../../../src/model/groups/root-group.js';
import { PacerServiceImpl, type PacerServiceOptions } from '../../../src/scheduler/service.js';
import type { Store } from '../../../src/state/store.js';
import { FakeCluster, runUntil } from './fake-cluster.js';
import { MemoryStore } from './memory-store.js';

export interface Harness {
  service: PacerServiceImpl;
  cluster: FakeCluster;
  store: Store;
  events: MarathonEvent[];
  killedTasks: string[][];
  deploy(app: AppDefinition, opts?: { force?: boolean }): Promise<DeploymentPlan>;
  change(fn: (root: RootGroup) => RootGroup, opts?: { force?: boolean }): Promise<DeploymentPlan>;
  /** Ticks the cluster until the deployment is gone from the running set. */
  finish(plan: DeploymentPlan, check?: () => void, maxTicks?: number): Promise<number>;
  eventTypes(): string[];
}

export async function startHarness(opts: { store?: Store; cluster?: FakeCluster; service?: Partial<PacerServiceOptions> } = {}): Promise<Harness> {
  const store = opts.store ?? new MemoryStore();
  const events: MarathonEvent[] = [];
  const killedTasks: string[][] = [];
  const bus = new LocalEventBus();
  bus.subscribe((e) => events.push(e));
  let service: PacerServiceImpl | undefined;
  const cluster = opts.cluster ?? new FakeCluster({ appOf: (id) => service?.app(id) });
  service = new PacerServiceImpl({
    store,
    core: {
      instances: cluster.tracker,
      launchQueue: cluster.queue,
      health: cluster.health,
      framework: () => ({ frameworkId: 'fw-1', master: undefined, subscribed: true }),
      queue: () => [],
      killTasks: async (ids) => {
        killedTasks.push([...ids]);
      },
    },
    events: bus,
    logger: pino({ level: 'silent' }),
    clock: { now: cluster.now },
    recheckIntervalMs: 0,
    ...opts.service,
  });
  await service.start();
  const svc = service;
  const harness: Harness = {
    service: svc,
    cluster,
    store,
    events,
    killedTasks,
    deploy: (app, o = {}) => svc.updateRoot((root) => putApp(root, app), { force: o.force ?? false }),
    change: (fn, o = {}) => svc.updateRoot((root) => fn(root), { force: o.force ?? false }),
    finish: (plan, check, maxTicks) => runUntil(cluster, () => !svc.deployments().some((p) => p.id === plan.id), check, maxTicks),
    eventTypes: () => events.map((e) => e.eventType),
  };
  return harness;
}

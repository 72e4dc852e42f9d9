/**
 * In-memory stand-ins for the core's InstanceTracker, LaunchQueue and HealthView, driven by a
 * simulated cluster on a controllable clock: each `tick()` moves every instance one stage along
 * (Scheduled -> Staging -> Running -> healthy; killed instances -> Killed -> expunged; failed
 * instances with goal Running are relaunched). Tests call `tick()` and then `settle()` so the
 * deployment logic reacts, and can inspect the cluster between any two stages.
 */
import type {
  AppDefinition,
  Goal,
  HealthCheckResult,
  HealthView,
  Instance,
  InstanceChange,
  InstanceTracker,
  LaunchQueue,
  PodDefinition,
  QueueDelay,
} from '../../../src/scheduler/contracts.js';
import { TERMINAL_CONDITIONS, timestamp } from '../../../src/scheduler/contracts.js';
import { taskIdOf } from '../../../src/scheduler/core/ids.js';

/**
 * Instance ids in Marathon's shape (`<safePath>.instance-<uuid>`) that sort in creation order:
 * the sequence number is the uuid's first group. Seeded instances sort after launched ones.
 */
export function fakeInstanceId(appId: string, sequence: number, kind: 'launched' | 'seed' = 'launched'): string {
  const safe = appId.slice(1).replaceAll('/', '_');
  const n = sequence.toString(16);
  return kind === 'seed'
    ? `${safe}.instance-f0000000-0000-1000-8000-${n.padStart(12, '0')}`
    : `${safe}.instance-${n.padStart(8, '0')}-0000-1000-8000-000000000000`;
}

export class FakeInstanceTracker implements InstanceTracker {
  readonly #instances = new Map<string, Instance>();
  readonly #listeners = new Set<(change: InstanceChange) => void>();
  readonly goalChanges: Array<{ ids: string[]; goal: Goal; reason: string }> = [];

  all(): readonly Instance[] {
    return [...this.#instances.values()];
  }

  ofApp(appId: string): readonly Instance[] {
    return this.all().filter((i) => i.appId === appId);
  }

  get(instanceId: string): Instance | undefined {
    return this.#instances.get(instanceId);
  }

  onChange(listener: (change: InstanceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async setGoal(instanceIds: readonly string[], goal: Goal, reason: string): Promise<void> {
    this.goalChanges.push({ ids: [...instanceIds], goal, reason });
    for (const id of instanceIds) {
      const instance = this.#instances.get(id);
      if (instance === undefined) continue;
      if (goal !== 'Running' && instance.condition === 'Scheduled') this.expunge(id);
      else this.put({ ...instance, goal });
    }
  }

  put(instance: Instance): void {
    const previous = this.#instances.get(instance.instanceId);
    this.#instances.set(instance.instanceId, instance);
    this.#emit({ instance, previous, expunged: false });
  }

  expunge(instanceId: string): void {
    const instance = this.#instances.get(instanceId);
    if (instance === undefined) return;
    this.#instances.delete(instanceId);
    this.#emit({ instance, previous: instance, expunged: true });
  }

  #emit(change: InstanceChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }
}

export class FakeHealthView implements HealthView {
  readonly #healthy = new Map<string, boolean>();
  readonly #listeners = new Set<(instanceId: string, healthy: boolean | undefined) => void>();

  healthOf(instance: Instance, app: AppDefinition): boolean | undefined {
    // A pod's health is its checked containers' (the run-spec view of a pod lists no checks).
    if (app.healthChecks.length === 0 && !(instance.podTasks?.some((t) => t.healthChecked) ?? false)) return undefined;
    return this.#healthy.get(instance.instanceId) ?? false;
  }

  /** Health check results by instance, as the health checkers would report them. */
  readonly results = new Map<string, HealthCheckResult[]>();

  resultsOf(instanceId: string): readonly HealthCheckResult[] {
    return this.results.get(instanceId) ?? [];
  }

  onChange(listener: (instanceId: string, healthy: boolean | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  set(instanceId: string, healthy: boolean | undefined): void {
    if (healthy === undefined) this.#healthy.delete(instanceId);
    else this.#healthy.set(instanceId, healthy);
    for (const listener of [...this.#listeners]) listener(instanceId, healthy);
  }

  known(instanceId: string): boolean | undefined {
    return this.#healthy.get(instanceId);
  }
}

export class FakeLaunchQueue implements LaunchQueue {
  readonly resets: string[] = [];
  readonly purges: string[] = [];
  readonly added: Array<{ appId: string; version: string | undefined; count: number }> = [];
  #sequence = 0;

  constructor(
    private readonly tracker: FakeInstanceTracker,
    private readonly clock: () => number,
  ) {}

  async add(app: AppDefinition, count: number): Promise<readonly Instance[]> {
    this.added.push({ appId: app.id, version: app.version, count });
    const created: Instance[] = [];
    for (let i = 0; i < count; i++) {
      const instance: Instance = {
        instanceId: fakeInstanceId(app.id, ++this.#sequence),
        appId: app.id,
        runSpecVersion: app.version ?? timestamp(0),
        goal: 'Running',
        condition: 'Scheduled',
        since: this.clock(),
        incarnation: 0,
        hostPorts: [],
        ipAddresses: [],
      };
      this.tracker.put(instance);
      created.push(instance);
    }
    return created;
  }

  async purge(appId: string): Promise<void> {
    this.purges.push(appId);
    for (const instance of this.tracker.ofApp(appId)) if (instance.condition === 'Scheduled') this.tracker.expunge(instance.instanceId);
  }

  resetDelay(appId: string): void {
    this.resets.push(appId);
  }

  delayOf(): QueueDelay | undefined {
    return undefined;
  }
}

export interface FakeClusterOptions {
  /** App definitions by id, so health checks are known when instances start. */
  appOf: (appId: string) => AppDefinition | undefined;
  /** Instances become healthy one tick after Running when true (default). */
  autoHealthy?: boolean;
  startMs?: number;
  tickMs?: number;
  /** Agents tasks are placed on, round robin (default one agent, `agent-1`). */
  hosts?: readonly string[];
  /**
   * Pod definitions by id: a pod's instance then gets one task per container (`podTasks`), following
   * the instance's condition, with a host port per endpoint that asks for one and the health of
   * its checked containers.
   */
  podOf?: (podId: string) => PodDefinition | undefined;
}

export class FakeCluster {
  readonly tracker = new FakeInstanceTracker();
  readonly health = new FakeHealthView();
  readonly queue: FakeLaunchQueue;
  nowMs: number;
  readonly #opts: FakeClusterOptions;
  /** Instances for which this returns true do not become healthy (a failing check). */
  blockHealth: (instance: Instance) => boolean = () => false;
  #placements = 0;

  constructor(opts: FakeClusterOptions) {
    this.#opts = opts;
    this.nowMs = opts.startMs ?? Date.parse('2024-01-01T00:00:00.000Z');
    this.queue = new FakeLaunchQueue(this.tracker, () => this.nowMs);
  }

  now = (): number => this.nowMs;

  /** Moves every instance one stage along; returns true when anything changed. */
  tick(): boolean {
    this.nowMs += this.#opts.tickMs ?? 1000;
    let changed = false;
    for (const instance of [...this.tracker.all()].sort((a, b) => a.instanceId.localeCompare(b.instanceId))) {
      changed = this.#advance(instance) || changed;
    }
    return changed;
  }

  #advance(instance: Instance): boolean {
    const now = this.nowMs;
    const set = (patch: Partial<Instance>): true => {
      this.tracker.put(this.#withPodTasks({ ...instance, ...patch, since: patch.condition !== undefined ? now : instance.since }));
      return true;
    };
    if (instance.goal !== 'Running') {
      if (TERMINAL_CONDITIONS.has(instance.condition)) {
        this.tracker.expunge(instance.instanceId);
        return true;
      }
      return set({ condition: 'Killed', status: { state: 'TASK_KILLED', timestamp: now } });
    }
    switch (instance.condition) {
      case 'Scheduled': {
        // A launch, as the core does it: a task id per incarnation, placed on an agent.
        const incarnation = instance.incarnation + 1;
        const hosts = this.#opts.hosts ?? ['agent-1'];
        const placement = this.#placements++;
        const host = hosts[placement % hosts.length]!;
        const pod = this.#opts.podOf?.(instance.appId);
        const ports = pod === undefined ? 0 : pod.containers.flatMap((c) => c.endpoints.filter((e) => e.hostPort !== undefined)).length;
        return set({
          ...(ports > 0 ? { hostPorts: Array.from({ length: ports }, (_, k) => 31000 + placement * 10 + k) } : {}),
          condition: 'Staging',
          incarnation,
          taskId: taskIdOf(instance.instanceId, incarnation),
          agentId: `${host}-S0`,
          hostname: host,
          stagedAt: timestamp(now),
          status: { state: 'TASK_STAGING', timestamp: now },
        });
      }
      case 'Staging':
        return set({ condition: 'Running', startedAt: timestamp(now), status: { state: 'TASK_RUNNING', timestamp: now } });
      case 'Running': {
        const app = this.#opts.appOf(instance.appId);
        const pod = this.#opts.podOf?.(instance.appId);
        const wantsHealth = (app !== undefined && app.healthChecks.length > 0) || (pod?.containers.some((c) => c.healthCheck !== undefined) ?? false);
        if (wantsHealth && (this.#opts.autoHealthy ?? true) && !this.blockHealth(instance)) {
          if (this.health.known(instance.instanceId) !== true) {
            this.health.set(instance.instanceId, true);
            if (pod !== undefined) this.tracker.put(this.#withPodTasks(instance));
            return true;
          }
        }
        return false;
      }
      default:
        if (TERMINAL_CONDITIONS.has(instance.condition)) {
          this.health.set(instance.instanceId, undefined);
          return set({ condition: 'Scheduled' });
        }
        return false;
    }
  }

  /** A launched pod instance's container tasks, mirroring its condition, status and health. */
  #withPodTasks(instance: Instance): Instance {
    const pod = this.#opts.podOf?.(instance.appId);
    if (pod === undefined || instance.taskId === undefined) return instance;
    const healthy = this.health.known(instance.instanceId);
    let port = 0;
    const podTasks = pod.containers.map((c) => {
      const count = c.endpoints.filter((e) => e.hostPort !== undefined).length;
      const hostPorts = instance.hostPorts.slice(port, port + count);
      port += count;
      const checked = c.healthCheck !== undefined;
      return {
        containerName: c.name,
        taskId: `${instance.instanceId}.${c.name}.${instance.incarnation}`,
        condition: instance.condition,
        healthChecked: checked,
        hostPorts,
        ...(instance.startedAt !== undefined ? { startedAt: instance.startedAt } : {}),
        ...(instance.status !== undefined ? { status: { ...instance.status, ...(checked && healthy !== undefined ? { healthy } : {}) } } : {}),
      };
    });
    return { ...instance, podTasks };
  }

  /** Puts an instance straight into Running (and healthy, if the app has health checks). */
  seedRunning(app: AppDefinition, count: number): Instance[] {
    const out: Instance[] = [];
    for (let i = 0; i < count; i++) {
      const id = fakeInstanceId(app.id, this.tracker.all().length + 1, 'seed');
      this.nowMs += 10;
      const instance: Instance = {
        instanceId: id,
        appId: app.id,
        runSpecVersion: app.version ?? timestamp(0),
        goal: 'Running',
        condition: 'Running',
        since: this.nowMs,
        incarnation: 1,
        taskId: taskIdOf(id, 1),
        agentId: 'agent-1-S0',
        hostname: 'agent-1',
        hostPorts: [],
        ipAddresses: [],
        stagedAt: timestamp(this.nowMs - 5),
        startedAt: timestamp(this.nowMs),
        status: { state: 'TASK_RUNNING', timestamp: this.nowMs },
      };
      this.tracker.put(instance);
      if (app.healthChecks.length > 0) this.health.set(id, true);
      out.push(instance);
    }
    return out;
  }

  fail(instanceId: string): void {
    const instance = this.tracker.get(instanceId);
    if (instance !== undefined) this.tracker.put({ ...instance, condition: 'Failed', since: this.nowMs });
  }
}

/** Lets pending promise chains and reactions run (bounded). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Ticks the cluster until `done()` holds, calling `check` after every settled tick; fails after
 * `maxTicks` so a stuck deployment cannot hang the test.
 */
export async function runUntil(cluster: FakeCluster, done: () => boolean, check: () => void = () => {}, maxTicks = 200): Promise<number> {
  await settle();
  check();
  for (let ticks = 0; ticks < maxTicks; ticks++) {
    if (done()) return ticks;
    cluster.tick();
    await settle();
    check();
  }
  if (done()) return maxTicks;
  throw new Error(`condition not reached within ${maxTicks} ticks`);
}

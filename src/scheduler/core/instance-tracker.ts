/**
 * The instances Pacer knows, in memory and in the Store's `instances` collection. Every change
 * is committed to the Store first; only then is the in-memory view updated and are listeners
 * told, so nothing downstream (events, LAUNCH, ACK) acts on state a crash could lose.
 *
 * All mutations run one at a time (`exclusive`), so a read-decide-write step such as an offer
 * round never interleaves with a goal change.
 */
import type { Logger } from 'pino';
import type { Store, StoreWrite } from '../../state/store.js';
import type { Goal, Instance, InstanceChange, InstanceTracker } from '../contracts.js';
import { isWaitingForLaunch } from './conditions.js';

const LAUNCHING: ReadonlySet<Instance['condition']> = new Set<Instance['condition']>(['Provisioned', 'Staging', 'Starting']);

/** Instance writes per store batch: 200 instances of about 1 KiB each stay far below ZooKeeper's 1 MiB request limit. */
export const INSTANCE_WRITES_PER_BATCH = 200;

export type InstanceWrite = { put: Instance } | { expunge: string };

/** Called after a goal change was persisted, for each instance that now needs its task killed. */
export type KillRequester = (instance: Instance, reason: string) => void;

export class StoredInstanceTracker implements InstanceTracker {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #instances = new Map<string, Instance>();
  readonly #byApp = new Map<string, Map<string, Instance>>();
  /**
   * Instances waiting for an offer (Scheduled, goal Running) per app, and those launched but not
   * yet running or away: kept up to date on every change so an offer round, /v2/queue and the
   * supervisor's tick cost what waits or launches, not every instance known.
   */
  readonly #waiting = new Map<string, Map<string, Instance>>();
  /** Per app: how many waiting instances each run-spec version has (launch keys without a scan). */
  readonly #waitingVersions = new Map<string, Map<string, number>>();
  readonly #launching = new Map<string, Instance>();
  readonly #unreachable = new Map<string, Instance>();
  /** Instances handed to readers (see `takeInstancesRead`). */
  #instancesRead = 0;
  readonly #listeners = new Set<(change: InstanceChange) => void>();
  #tail: Promise<unknown> = Promise.resolve();
  #kill: KillRequester = () => undefined;

  constructor(opts: { store: Store; logger: Logger }) {
    this.#store = opts.store;
    this.#logger = opts.logger;
  }

  /** Wires the kill service (it is built after the tracker). */
  setKillRequester(kill: KillRequester): void {
    this.#kill = kill;
  }

  async load(): Promise<void> {
    const entries = await this.#store.list<Instance>('instances');
    this.#instances.clear();
    this.#byApp.clear();
    this.#waiting.clear();
    this.#waitingVersions.clear();
    this.#launching.clear();
    this.#unreachable.clear();
    for (const { value } of entries) this.#index(value);
  }

  all(): readonly Instance[] {
    this.#instancesRead += this.#instances.size;
    return [...this.#instances.values()];
  }

  /** Apps with instances waiting for an offer, and those instances (live views: do not keep them across a commit). */
  *waitingByApp(): Generator<[appId: string, waiting: ReadonlyMap<string, Instance>]> {
    for (const entry of this.#waiting) {
      this.#instancesRead += entry[1].size;
      yield entry;
    }
  }

  /** The app's instances waiting for an offer, in the order they began to wait; only what the caller reads is counted. */
  *waitingOf(appId: string): Generator<Instance> {
    const waiting = this.#waiting.get(appId);
    if (waiting === undefined) return;
    for (const instance of waiting.values()) {
      this.#instancesRead++;
      yield instance;
    }
  }

  /** Per app, the run-spec versions its waiting instances have. */
  *waitingVersionsByApp(): Generator<[appId: string, versions: Iterable<string>]> {
    for (const [appId, versions] of this.#waitingVersions) yield [appId, versions.keys()];
  }

  /** Whether any instance waits for an offer. */
  get hasWaiting(): boolean {
    return this.#waiting.size > 0;
  }

  /** Instances Provisioned, Staging or Starting (a live view). */
  launching(): Iterable<Instance> {
    return this.#launching.values();
  }

  /** Instances with `unreachableSince` set (a live view). */
  unreachable(): Iterable<Instance> {
    return this.#unreachable.values();
  }

  /**
   * How many instances `all`, `ofApp`, `waitingByApp` and `waitingOf` handed out since the last
   * call (then starts again at 0): what an offer round costs is asserted on this, not on timing.
   */
  takeInstancesRead(): number {
    const read = this.#instancesRead;
    this.#instancesRead = 0;
    return read;
  }

  ofApp(appId: string): readonly Instance[] {
    const forApp = this.#byApp.get(appId);
    this.#instancesRead += forApp?.size ?? 0;
    return forApp ? [...forApp.values()] : [];
  }

  get(instanceId: string): Instance | undefined {
    return this.#instances.get(instanceId);
  }

  onChange(listener: (change: InstanceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Runs `step` after every earlier step has finished; steps may `commit` inside. */
  exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(step, step);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Persists instance writes (plus `extra` writes, with the last of them), then updates the
   * in-memory view and notifies listeners in write order. Call from inside `exclusive`.
   *
   * Instances are independent of each other, so a large commit (an offer round over thousands
   * of agents, a group of 100 apps × 1,000) goes to the store as several atomic batches of at
   * most INSTANCE_WRITES_PER_BATCH: one ZooKeeper multi must fit jute.maxbuffer (1 MiB), which
   * 2,500 provisioned instances do not. The batches are queued at once, so the store still
   * groups them into as few round trips as fit. When one fails, the batches that did commit are
   * applied to the in-memory view (it never differs from the store) and the first error is thrown.
   */
  async commit(writes: readonly InstanceWrite[], extra: readonly StoreWrite[] = []): Promise<InstanceChange[]> {
    if (writes.length === 0 && extra.length === 0) return [];
    const chunks: (readonly InstanceWrite[])[] = [];
    for (let i = 0; i < writes.length; i += INSTANCE_WRITES_PER_BATCH) chunks.push(writes.slice(i, i + INSTANCE_WRITES_PER_BATCH));
    if (chunks.length === 0) chunks.push([]);
    const outcomes = await Promise.allSettled(
      chunks.map((chunk, index) => {
        const batch: StoreWrite[] = chunk.map((w) =>
          'put' in w ? { op: 'put', collection: 'instances', key: w.put.instanceId, value: w.put } : { op: 'delete', collection: 'instances', key: w.expunge },
        );
        if (index === chunks.length - 1) batch.push(...extra);
        return this.#store.apply(batch);
      }),
    );
    const changes: InstanceChange[] = [];
    let failure: PromiseRejectedResult | undefined;
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected') failure ??= outcome;
      else this.#applyInMemory(chunks[index]!, changes);
    });
    for (const change of changes) this.#emit(change);
    // The store rejects with StoreErrors only.
    if (failure !== undefined) throw failure.reason as Error;
    return changes;
  }

  #applyInMemory(writes: readonly InstanceWrite[], changes: InstanceChange[]): void {
    for (const w of writes) {
      if ('put' in w) {
        const previous = this.#instances.get(w.put.instanceId);
        this.#index(w.put);
        changes.push({ instance: w.put, previous, expunged: false });
      } else {
        const previous = this.#instances.get(w.expunge);
        if (!previous) continue;
        this.#unindex(previous);
        changes.push({ instance: previous, previous, expunged: true });
      }
    }
  }

  async setGoal(instanceIds: readonly string[], goal: Goal, reason: string): Promise<void> {
    const toKill = await this.exclusive(async () => {
      const writes: InstanceWrite[] = [];
      const kill: Instance[] = [];
      for (const id of new Set(instanceIds)) {
        const instance = this.#instances.get(id);
        if (!instance || instance.goal === goal) continue;
        if (instance.condition === 'Scheduled' && goal !== 'Running') {
          // Nothing was launched: forgetting it is all a kill would achieve.
          writes.push({ expunge: id });
          continue;
        }
        const updated: Instance = { ...instance, goal };
        writes.push({ put: updated });
        if (goal !== 'Running' && updated.taskId !== undefined) kill.push(updated);
      }
      await this.commit(writes);
      return kill;
    });
    for (const instance of toKill) {
      this.#logger.info(
        { instanceId: instance.instanceId, taskId: instance.taskId, appId: instance.appId, goal, reason },
        'instance goal changed; killing its task',
      );
      this.#kill(instance, reason);
    }
  }

  #index(instance: Instance): void {
    const previous = this.#instances.get(instance.instanceId);
    if (previous && previous.appId !== instance.appId) this.#unindex(previous);
    this.#instances.set(instance.instanceId, instance);
    let forApp = this.#byApp.get(instance.appId);
    if (!forApp) {
      forApp = new Map();
      this.#byApp.set(instance.appId, forApp);
    }
    forApp.set(instance.instanceId, instance);
    this.#classify(previous, instance);
  }

  /** Moves the instance between the condition indexes; `instance` undefined when it is gone. */
  #classify(previous: Instance | undefined, instance: Instance | undefined): void {
    const id = (instance ?? previous)!.instanceId;
    if (
      previous !== undefined &&
      isWaitingForLaunch(previous) &&
      (instance === undefined || !isWaitingForLaunch(instance) || instance.appId !== previous.appId)
    ) {
      const waiting = this.#waiting.get(previous.appId);
      if (waiting?.delete(id) === true) this.#countVersion(previous, -1);
      if (waiting?.size === 0) this.#waiting.delete(previous.appId);
    }
    if (instance !== undefined && isWaitingForLaunch(instance)) {
      let waiting = this.#waiting.get(instance.appId);
      if (!waiting) {
        waiting = new Map();
        this.#waiting.set(instance.appId, waiting);
      }
      const before = waiting.get(id);
      if (before !== undefined) this.#countVersion(before, -1);
      waiting.set(id, instance);
      this.#countVersion(instance, 1);
    }
    if (instance !== undefined && LAUNCHING.has(instance.condition)) this.#launching.set(id, instance);
    else this.#launching.delete(id);
    if (instance?.unreachableSince !== undefined) this.#unreachable.set(id, instance);
    else this.#unreachable.delete(id);
  }

  #countVersion(instance: Instance, delta: 1 | -1): void {
    let versions = this.#waitingVersions.get(instance.appId);
    if (!versions) {
      versions = new Map();
      this.#waitingVersions.set(instance.appId, versions);
    }
    const count = (versions.get(instance.runSpecVersion) ?? 0) + delta;
    if (count > 0) versions.set(instance.runSpecVersion, count);
    else versions.delete(instance.runSpecVersion);
    if (versions.size === 0) this.#waitingVersions.delete(instance.appId);
  }

  #unindex(instance: Instance): void {
    this.#instances.delete(instance.instanceId);
    const forApp = this.#byApp.get(instance.appId);
    forApp?.delete(instance.instanceId);
    if (forApp?.size === 0) this.#byApp.delete(instance.appId);
    this.#classify(instance, undefined);
  }

  #emit(change: InstanceChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.#logger.error({ err, instanceId: change.instance.instanceId }, 'instance change listener failed');
      }
    }
  }
}

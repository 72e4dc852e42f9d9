/**
 * Status handling in isolation: a recording driver and a store that logs every batch into the
 * same journal, so the tests see whether the ACK came after the write it depends on.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../../src/mesos/types.js';
import type { Instance, MarathonEvent } from '../../../src/scheduler/contracts.js';
import type { DriverPort } from '../../../src/scheduler/core/driver-port.js';
import { MesosHealthView } from '../../../src/scheduler/core/health-view.js';
import { newInstanceId, taskIdOf } from '../../../src/scheduler/core/ids.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { KillService } from '../../../src/scheduler/core/kill-service.js';
import { OfferDemand } from '../../../src/scheduler/core/offer-demand.js';
import { RateLimiter } from '../../../src/scheduler/core/rate-limiter.js';
import { StatusProcessor } from '../../../src/scheduler/core/status-processor.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';
import type { Collection, Store, StoreEntry, StoreWrite } from '../../../src/state/store.js';
import { appOf, MapAppLookup } from './fixtures.js';

const logger = pino({ level: 'silent' });

type Entry = { kind: 'store'; writes: StoreWrite[] } | { kind: 'call'; type: string; args: unknown[] };

class JournalStore implements Store {
  readonly data = new Map<string, unknown>();
  failNext = false;
  constructor(readonly journal: Entry[]) {}
  get<T>(collection: Collection, key: string): Promise<T | undefined> {
    return Promise.resolve(this.data.get(`${collection}/${key}`) as T | undefined);
  }
  list<T>(collection: Collection): Promise<Array<StoreEntry<T>>> {
    const prefix = `${collection}/`;
    return Promise.resolve([...this.data].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => ({ key: k.slice(prefix.length), value: v as T })));
  }
  async apply(writes: readonly StoreWrite[]): Promise<void> {
    await new Promise((r) => setImmediate(r)); // durable "later", as a real store is
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.journal.push({ kind: 'store', writes: [...writes] });
    for (const w of writes) {
      if (w.op === 'put') this.data.set(`${w.collection}/${w.key}`, structuredClone(w.value));
      else this.data.delete(`${w.collection}/${w.key}`);
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function recordingDriver(journal: Entry[]): DriverPort {
  const record = (type: string) => (...args: unknown[]) => {
    journal.push({ kind: 'call', type, args });
    return Promise.resolve();
  };
  return {
    frameworkId: 'fw-1',
    master: 'http://127.0.0.1:5050/api/v1/scheduler',
    state: 'subscribed',
    start: () => undefined,
    close: () => Promise.resolve(),
    events: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<never>>(() => undefined) }) }),
    accept: record('ACCEPT'),
    decline: record('DECLINE'),
    suppress: record('SUPPRESS'),
    revive: record('REVIVE'),
    kill: record('KILL'),
    acknowledge: record('ACKNOWLEDGE'),
    reconcile: record('RECONCILE'),
  };
}

async function setup(initial: (app: ReturnType<typeof appOf>) => Instance[]) {
  const journal: Entry[] = [];
  const store = new JournalStore(journal);
  const app = appOf({ id: '/web', cmd: 'sleep 1000' });
  const apps = new MapAppLookup([app]);
  const driver = recordingDriver(journal);
  const tracker = new StoredInstanceTracker({ store, logger });
  for (const instance of initial(app)) store.data.set(`instances/${instance.instanceId}`, instance);
  await tracker.load();
  const events: MarathonEvent[] = [];
  const bus = new LocalEventBus();
  bus.subscribe((e) => events.push(e));
  const kills = new KillService({ driver: () => driver, apps, instances: tracker, logger, retryIntervalMs: 60_000 });
  const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => new Set() });
  const processor = new StatusProcessor({
    tracker, apps, rateLimiter: new RateLimiter(), kills, health: new MesosHealthView(), events: bus, demand, driver: () => driver, clock: () => 1_700_000_000_000, logger,
  });
  return { journal, store, app, tracker, events, processor, close: () => { kills.close(); demand.close(); } };
}

function provisioned(app: ReturnType<typeof appOf>): Instance {
  const instanceId = newInstanceId(app.id);
  return {
    instanceId, appId: app.id, runSpecVersion: app.version!, goal: 'Running', condition: 'Provisioned', since: 0,
    taskId: taskIdOf(instanceId, 1), incarnation: 1, agentId: 'agent-1', hostname: 'node-1', hostPorts: [], ipAddresses: [],
  };
}

function status(taskId: string, state: TaskStatus['state'], extra: Partial<TaskStatus> = {}): TaskStatus {
  return { task_id: { value: taskId }, agent_id: { value: 'agent-1' }, state, uuid: 'dXVpZC0x', ...extra };
}

const kinds = (journal: Entry[]) => journal.map((e) => (e.kind === 'store' ? 'store' : e.type));

describe('StatusProcessor', () => {
  it('persists the new condition before acknowledging, copying the uuid verbatim', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', {
      container_status: { network_infos: [{ ip_addresses: [{ ip_address: '10.0.0.7' }] }] },
    }));
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE']);
    expect(t.journal[1]).toMatchObject({ args: [{ value: 'agent-1' }, { value: instance!.taskId }, 'dXVpZC0x'] });
    expect(t.tracker.get(instance!.instanceId)).toMatchObject({ condition: 'Running', ipAddresses: [{ ipAddress: '10.0.0.7', protocol: 'IPv4' }] });
    expect(t.events.map((e) => e.eventType)).toEqual(['status_update_event', 'instance_changed_event']);
    expect(t.events[0]).toMatchObject({ taskStatus: 'TASK_RUNNING', appId: '/web', slaveId: 'agent-1', host: 'node-1' });
    t.close();
  });

  it('never acknowledges an update without a uuid (reconciliation answers)', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', { uuid: undefined, reason: 'REASON_RECONCILIATION' }));
    expect(kinds(t.journal)).toEqual(['store']);
    t.close();
  });

  it('does not acknowledge when the write fails, so the agent resends', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    t.store.failNext = true;
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING'));
    expect(kinds(t.journal)).toEqual([]);
    expect(t.tracker.get(instance!.instanceId)?.condition).toBe('Provisioned');
    t.close();
  });

  it('expunges a failed instance and schedules its replacement with backoff in one batch, then acks', async () => {
    const t = await setup((app) => [{ ...provisioned(app), condition: 'Running' }]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_FAILED'));
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE']);
    const batch = (t.journal[0] as { writes: StoreWrite[] }).writes;
    expect(batch.map((w) => `${w.op}:${w.collection}`)).toEqual(['delete:instances', 'put:instances', 'put:launchDelays']);
    expect(t.tracker.get(instance!.instanceId)).toBeUndefined();
    const [replacement] = t.tracker.ofApp('/web');
    expect(replacement).toMatchObject({ condition: 'Scheduled', goal: 'Running', runSpecVersion: t.app.version });
    t.close();
  });

  it('forgets a killed decommissioned instance without replacing it', async () => {
    const t = await setup((app) => [{ ...provisioned(app), condition: 'Killing', goal: 'Decommissioned' }]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_KILLED'));
    expect(t.tracker.all()).toEqual([]);
    expect((t.journal[0] as { writes: StoreWrite[] }).writes).toEqual([{ op: 'delete', collection: 'instances', key: instance!.instanceId }]);
    t.close();
  });

  it('kills a live task it does not know, persisting nothing', async () => {
    const t = await setup(() => []);
    await t.processor.process(status('stranger.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1', 'TASK_RUNNING'));
    expect(kinds(t.journal)).toEqual(['KILL', 'ACKNOWLEDGE']);
    t.close();
  });

  it('reports a terminal unknown task as unknown_instance_terminated_event and only acks', async () => {
    const t = await setup(() => []);
    await t.processor.process(status('ghost.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1', 'TASK_FAILED'));
    expect(kinds(t.journal)).toEqual(['ACKNOWLEDGE']);
    expect(t.events).toEqual([expect.objectContaining({
      eventType: 'unknown_instance_terminated_event',
      instanceId: 'ghost.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
      runSpecId: '/ghost',
      condition: 'Failed',
    })]);
    t.close();
  });
});

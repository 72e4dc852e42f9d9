/**
 * Status handling in isolation: a recording driver and a store that logs every batch into the
 * same journal, so the tests see whether the ACK came after the write it depends on.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../../src/mesos/types.js';
import type { Instance, MarathonEvent } from '../../../src/scheduler/contracts.js';
import { MesosHealthView } from '../../../src/scheduler/core/health-view.js';
import { newInstanceId, taskIdOf } from '../../../src/scheduler/core/ids.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { KillService } from '../../../src/scheduler/core/kill-service.js';
import { OfferDemand } from '../../../src/scheduler/core/offer-demand.js';
import { RateLimiter } from '../../../src/scheduler/core/rate-limiter.js';
import { StatusProcessor } from '../../../src/scheduler/core/status-processor.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';
import type { StoreWrite } from '../../../src/state/store.js';
import { appOf, MapAppLookup } from './fixtures.js';
import { JournalStore, kinds, recordingDriver, type Entry } from './recording-doubles.js';

const logger = pino({ level: 'silent' });

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
    tracker,
    apps,
    rateLimiter: new RateLimiter(),
    kills,
    health: new MesosHealthView(),
    events: bus,
    demand,
    driver: () => driver,
    clock: () => 1_700_000_000_000,
    logger,
  });
  return {
    journal,
    store,
    app,
    tracker,
    events,
    processor,
    close: () => {
      kills.close();
      demand.close();
    },
  };
}

function provisioned(app: ReturnType<typeof appOf>): Instance {
  const instanceId = newInstanceId(app.id);
  return {
    instanceId,
    appId: app.id,
    runSpecVersion: app.version!,
    goal: 'Running',
    condition: 'Provisioned',
    since: 0,
    taskId: taskIdOf(instanceId, 1),
    incarnation: 1,
    agentId: 'agent-1',
    hostname: 'node-1',
    hostPorts: [],
    ipAddresses: [],
  };
}

function status(taskId: string, state: TaskStatus['state'], extra: Partial<TaskStatus> = {}): TaskStatus {
  return { task_id: { value: taskId }, agent_id: { value: 'agent-1' }, state, uuid: 'dXVpZC0x', ...extra };
}

describe('StatusProcessor', () => {
  it('persists the new condition before acknowledging, copying the uuid verbatim', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    await t.processor.process(
      status(instance!.taskId!, 'TASK_RUNNING', {
        container_status: { network_infos: [{ ip_addresses: [{ ip_address: '10.0.0.7' }] }] },
      }),
    );
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE']);
    expect(t.journal[1]).toMatchObject({ args: [{ value: 'agent-1' }, { value: instance!.taskId }, 'dXVpZC0x'] });
    expect(t.tracker.get(instance!.instanceId)).toMatchObject({ condition: 'Running', ipAddresses: [{ ipAddress: '10.0.0.7', protocol: 'IPv4' }] });
    expect(t.events.map((e) => e.eventType)).toEqual(['status_update_event', 'instance_changed_event']);
    expect(t.events[0]).toMatchObject({ taskStatus: 'TASK_RUNNING', appId: '/web', slaveId: 'agent-1', host: 'node-1' });
    t.close();
  });

  it('publishes status_update_event for a change of state only: a repeated state (a reconciliation answer, a resent update) publishes nothing', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING'));
    expect(t.events.map((e) => e.eventType)).toEqual(['status_update_event', 'instance_changed_event']);
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', { uuid: undefined, reason: 'REASON_RECONCILIATION' }));
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING'));
    expect(t.events).toHaveLength(2);
    await t.processor.process(status(instance!.taskId!, 'TASK_KILLING'));
    expect(t.events.slice(2).map((e) => `${e.eventType}:${String((e as { taskStatus?: string }).taskStatus)}`)).toEqual([
      'status_update_event:TASK_KILLING',
      'instance_changed_event:undefined',
    ]);
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

  it('relaunches a launch the master never saw without growing the backoff', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    // Reconciliation after a crash between the Provisioned commit and the ACCEPT reaching Mesos.
    await t.processor.process(status(instance!.taskId!, 'TASK_GONE', { uuid: undefined, source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' }));
    const batch = (t.journal[0] as { writes: StoreWrite[] }).writes;
    expect(batch.map((w) => `${w.op}:${w.collection}`)).toEqual(['delete:instances', 'put:instances']);
    expect(t.tracker.ofApp('/web')).toEqual([expect.objectContaining({ condition: 'Scheduled', goal: 'Running' })]);
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

  it('kills a task back from a partition after its replacement was launched, and replaces it no second time', async () => {
    const t = await setup((app) => [
      { ...provisioned(app), condition: 'UnreachableInactive', unreachableSince: 1, status: { state: 'TASK_UNREACHABLE', timestamp: 1 } },
    ]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', { reason: 'REASON_AGENT_REREGISTERED' }));
    expect(t.tracker.get(instance!.instanceId)).toMatchObject({ condition: 'Running', goal: 'Decommissioned' });
    expect(kinds(t.journal)).toEqual(['store', 'KILL', 'ACKNOWLEDGE']);
    await t.processor.process(status(instance!.taskId!, 'TASK_KILLED'));
    // Gone, and nothing scheduled in its place: the replacement launched while it was away stands.
    expect(t.tracker.all()).toEqual([]);
    t.close();
  });

  it('kills a live task it does not know, persisting nothing', async () => {
    const t = await setup(() => []);
    await t.processor.process(status('stranger.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1', 'TASK_RUNNING'));
    expect(kinds(t.journal)).toEqual(['KILL', 'ACKNOWLEDGE']);
    t.close();
  });

  // Issue #14 item 2: after a restart with the embedded master, the old tasks answer TASK_UNKNOWN.
  for (const [state, reason] of [
    ['TASK_UNKNOWN', 'REASON_RECONCILIATION'],
    ['TASK_LOST', 'REASON_TASK_UNKNOWN'],
    ['TASK_GONE', 'REASON_RECONCILIATION'],
    ['TASK_GONE_BY_OPERATOR', 'REASON_RECONCILIATION'],
    ['TASK_DROPPED', 'REASON_RECONCILIATION'],
  ] as const) {
    it(`ends the kill of a decommissioned instance whose task answers ${state}: expunged, no KILL`, async () => {
      const t = await setup((app) => [{ ...provisioned(app), condition: 'Running', goal: 'Decommissioned' }]);
      const [instance] = t.tracker.all();
      await t.processor.process(status(instance!.taskId!, state, { reason, source: 'SOURCE_MASTER', uuid: undefined }));
      expect(t.tracker.all()).toEqual([]);
      expect(kinds(t.journal)).toEqual(['store']);
      t.close();
    });
  }

  it('replaces a running instance whose task the master no longer knows (TASK_UNKNOWN)', async () => {
    const t = await setup((app) => [{ ...provisioned(app), condition: 'Running' }]);
    const [instance] = t.tracker.all();
    await t.processor.process(status(instance!.taskId!, 'TASK_UNKNOWN', { reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', uuid: undefined }));
    const left = t.tracker.all();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ condition: 'Scheduled', goal: 'Running' });
    expect(left[0]!.instanceId).not.toBe(instance!.instanceId);
    expect(t.events.find((e) => e.eventType === 'instance_changed_event')).toMatchObject({ condition: 'Unknown' });
    t.close();
  });

  it('sends no KILL for a task it does not know that answers TASK_UNKNOWN', async () => {
    const t = await setup(() => []);
    await t.processor.process(
      status('old.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1', 'TASK_UNKNOWN', {
        reason: 'REASON_RECONCILIATION',
        source: 'SOURCE_MASTER',
        uuid: undefined,
      }),
    );
    expect(kinds(t.journal)).toEqual([]);
    expect(t.events).toEqual([expect.objectContaining({ eventType: 'unknown_instance_terminated_event', condition: 'Unknown' })]);
    t.close();
  });

  it('publishes health_status_changed_event whenever a Mesos-native check flips the health', async () => {
    const t = await setup((app) => [{ ...provisioned(app), condition: 'Running' }]);
    const [instance] = t.tracker.all();
    const health = () => t.events.filter((e) => e.eventType === 'health_status_changed_event');
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', { healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' }));
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', { healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' }));
    await t.processor.process(status(instance!.taskId!, 'TASK_RUNNING', { healthy: false, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' }));
    expect(health()).toEqual([
      {
        eventType: 'health_status_changed_event',
        timestamp: '2023-11-14T22:13:20.000Z',
        appId: '/web',
        instanceId: instance!.instanceId,
        version: instance!.runSpecVersion,
        alive: true,
      },
      {
        eventType: 'health_status_changed_event',
        timestamp: '2023-11-14T22:13:20.000Z',
        appId: '/web',
        instanceId: instance!.instanceId,
        version: instance!.runSpecVersion,
        alive: false,
      },
    ]);
    expect(t.events.filter((e) => e.eventType === 'instance_health_changed_event')).toHaveLength(2);
    t.close();
  });

  it('reports a terminal unknown task as unknown_instance_terminated_event and only acks', async () => {
    const t = await setup(() => []);
    await t.processor.process(status('ghost.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6._app.1', 'TASK_FAILED'));
    expect(kinds(t.journal)).toEqual(['ACKNOWLEDGE']);
    expect(t.events).toEqual([
      expect.objectContaining({
        eventType: 'unknown_instance_terminated_event',
        instanceId: 'ghost.instance-b6ff5fa5-7714-11e7-a55c-5ecf1c4671f6',
        runSpecId: '/ghost',
        condition: 'Failed',
      }),
    ]);
    t.close();
  });
});

describe('StatusProcessor batches', () => {
  const storeEntries = (journal: Entry[]) => journal.filter((e): e is Extract<Entry, { kind: 'store' }> => e.kind === 'store');
  const ackedTaskIds = (journal: Entry[]) =>
    journal.filter((e) => e.kind === 'call' && e.type === 'ACKNOWLEDGE').map((e) => ((e as { args: unknown[] }).args[1] as { value: string }).value);

  it('persists a whole batch in one commit before the first of its ACKs', async () => {
    const t = await setup((app) => [provisioned(app), provisioned(app), provisioned(app), provisioned(app)]);
    const taskIds = t.tracker.all().map((i) => i.taskId!);
    const outcome = await t.processor.processBatch(taskIds.map((id, n) => status(id, 'TASK_RUNNING', { uuid: `dXVpZC0${n}` })));
    expect(outcome.persisted).toBe(true);
    await outcome.acknowledged;
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE', 'ACKNOWLEDGE', 'ACKNOWLEDGE', 'ACKNOWLEDGE']);
    // Every acknowledged update is in the batch committed before it.
    const [batch] = storeEntries(t.journal);
    const persisted = new Map(batch!.writes.map((w) => [w.key, (w as { value: Instance }).value]));
    for (const taskId of ackedTaskIds(t.journal)) {
      const instance = [...persisted.values()].find((i) => i.taskId === taskId);
      expect(instance?.condition).toBe('Running');
    }
    expect(new Set(ackedTaskIds(t.journal))).toEqual(new Set(taskIds));
    t.close();
  });

  it('applies two updates of one task in arrival order within one commit; the last write wins', async () => {
    const t = await setup((app) => [provisioned(app)]);
    const [instance] = t.tracker.all();
    const outcome = await t.processor.processBatch([
      status(instance!.taskId!, 'TASK_STARTING', { uuid: 'c3RhcnRpbmc=' }),
      status(instance!.taskId!, 'TASK_RUNNING', { uuid: 'cnVubmluZw==' }),
    ]);
    await outcome.acknowledged;
    const [batch] = storeEntries(t.journal);
    expect(batch!.writes.map((w) => (w as { value: Instance }).value.condition)).toEqual(['Starting', 'Running']);
    expect(t.store.data.get(`instances/${instance!.instanceId}`)).toMatchObject({ condition: 'Running' });
    expect(t.tracker.get(instance!.instanceId)?.condition).toBe('Running');
    expect(t.events.map((e) => `${e.eventType}:${String(e.taskStatus ?? e.condition)}`)).toEqual([
      'status_update_event:TASK_STARTING',
      'instance_changed_event:Starting',
      'status_update_event:TASK_RUNNING',
      'instance_changed_event:Running',
    ]);
    expect(t.journal.slice(1).map((e) => (e as { args: unknown[] }).args[2])).toEqual(['c3RhcnRpbmc=', 'cnVubmluZw==']);
    t.close();
  });

  it('sees its own earlier decisions: a failure then a stale duplicate of the same task', async () => {
    const t = await setup((app) => [{ ...provisioned(app), condition: 'Running' }]);
    const [instance] = t.tracker.all();
    await (
      await t.processor.processBatch([
        status(instance!.taskId!, 'TASK_FAILED', { uuid: 'ZmFpbGVk' }),
        status(instance!.taskId!, 'TASK_FAILED', { uuid: 'ZmFpbGVk' }),
      ])
    ).acknowledged;
    // One expunge and one replacement, not two; the duplicate is an unknown terminal task.
    const [batch] = storeEntries(t.journal);
    expect(batch!.writes.filter((w) => w.collection === 'instances').map((w) => w.op)).toEqual(['delete', 'put']);
    expect(t.tracker.ofApp('/web')).toHaveLength(1);
    expect(t.events.map((e) => e.eventType)).toContain('unknown_instance_terminated_event');
    // The resent update is acknowledged once.
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE']);
    t.close();
  });

  it('acts on and acknowledges nothing of a batch whose commit fails; the resent batch goes through', async () => {
    const t = await setup((app) => [provisioned(app), provisioned(app), { ...provisioned(app), condition: 'Running' }]);
    const [a, b, c] = t.tracker.all();
    const batch = [status(a!.taskId!, 'TASK_RUNNING'), status(b!.taskId!, 'TASK_RUNNING'), status(c!.taskId!, 'TASK_FAILED')];
    t.store.failNext = true;
    const failed = await t.processor.processBatch(batch);
    expect(failed.persisted).toBe(false);
    await failed.acknowledged;
    expect(kinds(t.journal)).toEqual([]);
    expect(t.events).toEqual([]);
    expect(t.tracker.all().map((i) => i.condition)).toEqual(['Provisioned', 'Provisioned', 'Running']);

    await (
      await t.processor.processBatch(batch)
    ).acknowledged;
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE', 'ACKNOWLEDGE', 'ACKNOWLEDGE']);
    expect(t.tracker.get(c!.instanceId)).toBeUndefined();
    t.close();
  });

  it('judges the kill of a decommissioned task on what the whole batch left', async () => {
    const t = await setup((app) => [{ ...provisioned(app), goal: 'Decommissioned' }]);
    const [instance] = t.tracker.all();
    await (
      await t.processor.processBatch([
        status(instance!.taskId!, 'TASK_RUNNING', { uuid: 'cnVubmluZw==' }),
        status(instance!.taskId!, 'TASK_KILLED', { uuid: 'a2lsbGVk' }),
      ])
    ).acknowledged;
    expect(kinds(t.journal)).toEqual(['store', 'ACKNOWLEDGE', 'ACKNOWLEDGE']);
    expect(t.tracker.all()).toEqual([]);
    t.close();
  });
});

/**
 * Pod instances through the real SchedulerCore with a recording driver standing in for the
 * master: an offer becomes one LAUNCH_GROUP per instance, persisted before the ACCEPT; status
 * updates per container task drive the instance's condition; a failed container ends the
 * instance as a whole (the others are killed) and a replacement is scheduled.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverEvent } from '../../../src/mesos/driver-types.js';
import { EventQueue } from '../../../src/mesos/event-queue.js';
import type { Offer, OfferOperation, TaskState } from '../../../src/mesos/types.js';
import type { Instance } from '../../../src/scheduler/contracts.js';
import { SchedulerCore } from '../../../src/scheduler/core/scheduler-core.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';
import { podRunSpec } from '../../../src/scheduler/pods/run-spec.js';
import { offer } from '../../matching/fixtures.js';
import { JournalStore, recordingDriver, type Entry } from '../core/recording-doubles.js';
import { podOf, PodLookup, WEB_AND_SIDECAR } from './fixtures.js';

const logger = pino({ level: process.env.T_LOG ?? 'silent' });
const MAX_TURNS = 500;

let core: SchedulerCore | undefined;
let queue: EventQueue<DriverEvent> | undefined;

afterEach(async () => {
  queue?.push({ kind: 'stopped', error: undefined });
  queue?.end();
  await core?.stop();
  core = undefined;
  queue = undefined;
});

async function until(what: string, done: () => boolean): Promise<void> {
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${what}: not reached within ${MAX_TURNS} turns`);
}

async function start() {
  const journal: Entry[] = [];
  const store = new JournalStore(journal);
  const pod = podOf(WEB_AND_SIDECAR);
  queue = new EventQueue<DriverEvent>(1024);
  const driver = recordingDriver(journal, { events: queue });
  const events = new LocalEventBus();
  const published: string[] = [];
  events.subscribe((e) => published.push(e.eventType));
  core = new SchedulerCore({
    store,
    apps: new PodLookup([pod]),
    events,
    logger,
    driverFactory: () => driver,
    reconciliationIntervalMs: 3_600_000,
    reconcileInitialBackoffMs: 3_600_000,
    supervisionIntervalMs: 3_600_000,
    matchOptions: { localRegion: 'local' },
  });
  await core.start();
  queue.push({
    kind: 'subscribed',
    frameworkId: 'fw-1',
    master: driver.master!,
    streamId: 's-1',
    heartbeatIntervalSeconds: 15,
    masterInfo: undefined,
    resubscribed: false,
  });
  const c = core;
  const q = queue;
  return { journal, store, pod, core: c, queue: q, published };
}

function calls(journal: Entry[], type: string): unknown[][] {
  return journal.flatMap((e) => (e.kind === 'call' && e.type === type ? [e.args] : []));
}

function update(taskId: string, agentId: string, state: TaskState, uuid: string, healthy?: boolean): DriverEvent {
  return {
    kind: 'event',
    event: {
      type: 'UPDATE',
      update: { status: { task_id: { value: taskId }, agent_id: { value: agentId }, state, uuid, ...(healthy !== undefined ? { healthy } : {}) } },
    },
  };
}

describe('pod instances in the core', () => {
  it('launches each instance as one LAUNCH_GROUP, persisted before the ACCEPT', async () => {
    const t = await start();
    await t.core.launchQueue.add(podRunSpec(t.pod), 2);
    t.queue.push({ kind: 'event', event: { type: 'OFFERS', offers: { offers: [offer({ id: 'o1', agent: 'a1', cpus: 4, mem: 4096, disk: 1000 }) as Offer] } } });
    await until('ACCEPT sent', () => calls(t.journal, 'ACCEPT').length === 1);

    const operations = calls(t.journal, 'ACCEPT')[0]![1] as OfferOperation[];
    expect(operations.map((o) => o.type)).toEqual(['LAUNCH_GROUP', 'LAUNCH_GROUP']);
    const instances = t.core.instances.ofApp('/web/pod');
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(instance.condition).toBe('Provisioned');
      expect(instance.podTasks!.map((p) => p.taskId)).toEqual([`${instance.instanceId}.web.1`, `${instance.instanceId}.sidecar.1`]);
      expect(instance.taskId).toBe(`${instance.instanceId}.web.1`);
      const op = operations.find((o) => o.launch_group!.task_group.tasks![0]!.task_id.value === instance.taskId)!;
      expect(op.launch_group!.executor.executor_id.value).toBe(instance.executorId);
      expect(op.launch_group!.task_group.tasks!.map((task) => task.name)).toEqual(['web', 'sidecar']);
      expect(instance.hostPorts).toHaveLength(1);
      expect(instance.podTasks![0]!.hostPorts).toEqual(instance.hostPorts);
    }
    // Write-ahead: the Provisioned instances were stored before the ACCEPT went out.
    const acceptAt = t.journal.findIndex((e) => e.kind === 'call' && e.type === 'ACCEPT');
    const storedAt = t.journal.findIndex(
      (e) => e.kind === 'store' && e.writes.some((w) => w.op === 'put' && (w.value as Instance).condition === 'Provisioned'),
    );
    expect(storedAt).toBeGreaterThanOrEqual(0);
    expect(storedAt).toBeLessThan(acceptAt);
  });

  it('derives the condition and health from the container tasks, and replaces the whole instance when one container fails', async () => {
    const t = await start();
    await t.core.launchQueue.add(podRunSpec(t.pod), 1);
    t.queue.push({ kind: 'event', event: { type: 'OFFERS', offers: { offers: [offer({ id: 'o1', agent: 'a1', cpus: 4, mem: 4096, disk: 1000 }) as Offer] } } });
    await until('ACCEPT sent', () => calls(t.journal, 'ACCEPT').length === 1);
    const [instance] = t.core.instances.ofApp('/web/pod');
    const [web, sidecar] = instance!.podTasks!.map((p) => p.taskId);

    t.queue.push(update(web!, 'a1', 'TASK_RUNNING', 'dTE='));
    await until('web running', () => t.core.instances.get(instance!.instanceId)?.podTasks![0]!.condition === 'Running');
    // One container not yet running: the instance is not either (Marathon’s hierarchy).
    expect(t.core.instances.get(instance!.instanceId)!.condition).toBe('Provisioned');
    t.queue.push(update(sidecar!, 'a1', 'TASK_RUNNING', 'dTI='));
    await until('instance running', () => t.core.instances.get(instance!.instanceId)?.condition === 'Running');
    const podSpec = podRunSpec(t.pod);
    expect(t.core.health.healthOf(t.core.instances.get(instance!.instanceId)!, podSpec)).toBeUndefined();
    t.queue.push(update(web!, 'a1', 'TASK_RUNNING', 'dTM=', true));
    await until('instance healthy', () => t.core.health.healthOf(t.core.instances.get(instance!.instanceId)!, podSpec) === true);
    expect(t.published).toContain('instance_health_changed_event');

    t.queue.push(update(sidecar!, 'a1', 'TASK_FAILED', 'dTQ='));
    await until('instance replaced', () => t.core.instances.get(instance!.instanceId) === undefined);
    const left = t.core.instances.ofApp('/web/pod');
    expect(left).toHaveLength(1);
    expect(left[0]!.condition).toBe('Scheduled');
    expect(left[0]!.instanceId).not.toBe(instance!.instanceId);
    // The container still running goes with its instance.
    await until('KILL of the other container', () => calls(t.journal, 'KILL').length > 0);
    expect(calls(t.journal, 'KILL').map((args) => (args[0] as { value: string }).value)).toEqual([web]);
    expect(calls(t.journal, 'ACKNOWLEDGE')).toHaveLength(4);
    // The failure backs the pod off (its scheduling.backoff: 1 s by default).
    expect(t.core.launchQueue.delayOf('/web/pod', Date.now())!.timeLeftSeconds).toBeGreaterThan(0);
  });

  it('kills a pod instance as a whole and reconciles every container task', async () => {
    const t = await start();
    await t.core.launchQueue.add(podRunSpec(t.pod), 1);
    t.queue.push({ kind: 'event', event: { type: 'OFFERS', offers: { offers: [offer({ id: 'o1', agent: 'a1', cpus: 4, mem: 4096, disk: 1000 }) as Offer] } } });
    await until('ACCEPT sent', () => calls(t.journal, 'ACCEPT').length === 1);
    const [instance] = t.core.instances.ofApp('/web/pod');
    const taskIds = instance!.podTasks!.map((p) => p.taskId);
    // A new subscription reconciles every container task of the instance.
    t.queue.push({
      kind: 'subscribed',
      frameworkId: 'fw-1',
      master: 'm',
      streamId: 's-2',
      heartbeatIntervalSeconds: 15,
      masterInfo: undefined,
      resubscribed: true,
    });
    await until('explicit reconciliation', () => calls(t.journal, 'RECONCILE').some((args) => (args[0] as unknown[]).length > 0));
    const reconciled = calls(t.journal, 'RECONCILE').find((args) => (args[0] as unknown[]).length > 0)![0] as Array<{ task_id: { value: string } }>;
    expect(reconciled.map((r) => r.task_id.value).sort()).toEqual([...taskIds].sort());
    await t.core.instances.setGoal([instance!.instanceId], 'Decommissioned', 'test');
    await until('KILLs sent', () => calls(t.journal, 'KILL').length === 2);
    expect(
      calls(t.journal, 'KILL')
        .map((args) => (args[0] as { value: string }).value)
        .sort(),
    ).toEqual([...taskIds].sort());
    // Both tasks end: the instance is gone.
    t.queue.push(update(taskIds[0]!, 'a1', 'TASK_KILLED', 'dTE='));
    await until('first killed', () => t.core.instances.get(instance!.instanceId)?.podTasks![0]!.condition === 'Killed');
    expect(t.core.instances.get(instance!.instanceId)!.condition).toBe('Provisioned');
    t.queue.push(update(taskIds[1]!, 'a1', 'TASK_KILLED', 'dTI='));
    await until('instance expunged', () => t.core.instances.get(instance!.instanceId) === undefined);
    expect(t.core.instances.ofApp('/web/pod')).toEqual([]);
  });
});

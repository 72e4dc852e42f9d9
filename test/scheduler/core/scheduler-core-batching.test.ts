/**
 * The core's event loop with the driver's real event queue in front of it: updates buffered
 * together are persisted with one commit and acknowledged only after it; other events keep
 * their place among the updates; offer answers do not hold up status processing.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverEvent } from '../../../src/mesos/driver-types.js';
import { EventQueue } from '../../../src/mesos/event-queue.js';
import type { Offer, TaskStatus } from '../../../src/mesos/types.js';
import type { Instance } from '../../../src/scheduler/contracts.js';
import { newInstanceId, taskIdOf } from '../../../src/scheduler/core/ids.js';
import { scheduledInstance } from '../../../src/scheduler/core/launch-queue.js';
import { SchedulerCore } from '../../../src/scheduler/core/scheduler-core.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';
import { offer } from '../../matching/fixtures.js';
import { appOf, MapAppLookup } from './fixtures.js';
import { JournalStore, recordingDriver, type Entry, type RecordingDriver } from './recording-doubles.js';

const logger = pino({ level: process.env.T_LOG ?? 'silent' });
const MAX_TURNS = 500;

let core: SchedulerCore | undefined;
let queue: EventQueue<DriverEvent> | undefined;
let heldDriver: RecordingDriver | undefined;

afterEach(async () => {
  // A test that failed early may leave calls held; stop() waits for them.
  heldDriver?.release('ACCEPT');
  heldDriver = undefined;
  queue?.push({ kind: 'stopped', error: undefined });
  queue?.end();
  await core?.stop();
  core = undefined;
  queue = undefined;
});

function provisioned(app: ReturnType<typeof appOf>, agent: string): Instance {
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
    agentId: agent,
    hostname: agent,
    hostPorts: [],
    ipAddresses: [],
  };
}

function update(instance: Instance, state: TaskStatus['state'], uuid: string): DriverEvent {
  return {
    kind: 'event',
    event: { type: 'UPDATE', update: { status: { task_id: { value: instance.taskId! }, agent_id: { value: instance.agentId! }, state, uuid } } },
  };
}

async function start(initial: (app: ReturnType<typeof appOf>) => Instance[], held: ReadonlySet<string> = new Set()) {
  const journal: Entry[] = [];
  const store = new JournalStore(journal);
  const app = appOf({ id: '/web', cmd: 'sleep 1000', cpus: 0.1, mem: 32 });
  const instances = initial(app);
  for (const instance of instances) store.data.set(`instances/${instance.instanceId}`, instance);
  queue = new EventQueue<DriverEvent>(1024);
  const driver: RecordingDriver = recordingDriver(journal, { events: queue, held });
  heldDriver = driver;
  core = new SchedulerCore({
    store,
    apps: new MapAppLookup([app]),
    events: new LocalEventBus(),
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
  return { journal, store, app, instances, driver, queue, core };
}

/** Instance writes of each committed batch, in commit order. */
function instanceCommits(journal: Entry[]): Array<{ index: number; instances: Instance[] }> {
  const out: Array<{ index: number; instances: Instance[] }> = [];
  journal.forEach((entry, index) => {
    if (entry.kind !== 'store') return;
    const instances = entry.writes.filter((w) => w.collection === 'instances' && w.op === 'put').map((w) => (w as { value: Instance }).value);
    if (instances.length > 0) out.push({ index, instances });
  });
  return out;
}

function acks(journal: Entry[]): Array<{ index: number; taskId: string }> {
  const out: Array<{ index: number; taskId: string }> = [];
  journal.forEach((entry, index) => {
    if (entry.kind === 'call' && entry.type === 'ACKNOWLEDGE') out.push({ index, taskId: (entry.args[1] as { value: string }).value });
  });
  return out;
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`${what}: not reached within ${MAX_TURNS} turns`);
}

describe('SchedulerCore event batching', () => {
  it('commits updates that arrive together once, and acknowledges each only after that commit', async () => {
    const t = await start((app) => Array.from({ length: 40 }, (_, n) => provisioned(app, `agent-${n % 4}`)));
    for (const [n, instance] of t.instances.entries()) t.queue.push(update(instance, 'TASK_RUNNING', `dXVpZC0${n}`));
    await until('every update acknowledged', () => acks(t.journal).length === 40);

    const commits = instanceCommits(t.journal);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.instances.map((i) => i.condition)).toEqual(Array(40).fill('Running'));
    for (const ack of acks(t.journal)) expect(ack.index).toBeGreaterThan(commits[0]!.index);
    expect(new Set(acks(t.journal).map((a) => a.taskId))).toEqual(new Set(t.instances.map((i) => i.taskId)));
  });

  it('acknowledges nothing of a batch whose commit fails, and everything once the resent batch is durable', async () => {
    const t = await start((app) => Array.from({ length: 5 }, () => provisioned(app, 'agent-1')));
    // Let the subscription settle before arming the failure, so it hits the update batch.
    await until('subscription handled', () => t.journal.some((e) => e.kind === 'call' && (e.type === 'SUPPRESS' || e.type === 'RECONCILE')));
    t.store.failNext = true;
    for (const instance of t.instances) t.queue.push(update(instance, 'TASK_RUNNING', 'dXVpZA=='));
    await until('the failed commit', () => !t.store.failNext);
    // Give the loop a few turns in which a wrongly sent ACK would show up.
    await until(
      'turns pass',
      (() => {
        let turns = 0;
        return () => ++turns > 5;
      })(),
    );
    expect(acks(t.journal)).toEqual([]);
    expect(t.core.instances.all().map((i) => i.condition)).toEqual(Array(5).fill('Provisioned'));

    for (const instance of t.instances) t.queue.push(update(instance, 'TASK_RUNNING', 'dXVpZA=='));
    await until('the resent updates acknowledged', () => acks(t.journal).length === 5);
    const [commit] = instanceCommits(t.journal);
    for (const ack of acks(t.journal)) expect(ack.index).toBeGreaterThan(commit!.index);
  });

  it('keeps an offer round between the updates around it, and does not wait for ACCEPT to go on', async () => {
    let waiting: Instance | undefined;
    const t = await start(
      (app) => {
        waiting = scheduledInstance(app, Date.now());
        return [provisioned(app, 'agent-a'), provisioned(app, 'agent-b'), waiting];
      },
      new Set(['ACCEPT']),
    );
    const [a, b] = t.instances;
    const offers = [offer({ agent: 'agent-c', role: '*', region: 'local', zone: 'local-a' })] as unknown as Offer[];
    t.queue.push(update(a!, 'TASK_RUNNING', 'YQ=='));
    t.queue.push({ kind: 'event', event: { type: 'OFFERS', offers: { offers } } });
    t.queue.push(update(b!, 'TASK_RUNNING', 'Yg=='));
    await until('both updates acknowledged', () => acks(t.journal).length === 2);

    const commits = instanceCommits(t.journal).map((c) => ({ index: c.index, ids: c.instances.map((i) => `${i.instanceId}:${i.condition}`) }));
    expect(commits.map((c) => c.ids)).toEqual([[`${a!.instanceId}:Running`], [`${waiting!.instanceId}:Provisioned`], [`${b!.instanceId}:Running`]]);
    const acceptIndex = t.journal.findIndex((e) => e.kind === 'call' && e.type === 'ACCEPT');
    // Write-ahead: ACCEPT only after the Provisioned instance is durable ...
    expect(acceptIndex).toBeGreaterThan(commits[1]!.index);
    // ... and b's update was persisted and acknowledged while that ACCEPT was still unanswered.
    expect(acks(t.journal).map((x) => x.taskId)).toEqual([a!.taskId, b!.taskId]);
    t.driver.release('ACCEPT');
  });

  it('does not place an instance twice while the ACCEPT that launches it is unanswered', async () => {
    let waiting: Instance | undefined;
    const t = await start(
      (app) => {
        waiting = scheduledInstance(app, Date.now());
        return [waiting];
      },
      new Set(['ACCEPT']),
    );
    const first = [offer({ agent: 'agent-x', role: '*', region: 'local', zone: 'local-a' })] as unknown as Offer[];
    const second = [offer({ agent: 'agent-y', role: '*', region: 'local', zone: 'local-a' })] as unknown as Offer[];
    t.queue.push({ kind: 'event', event: { type: 'OFFERS', offers: { offers: first } } });
    t.queue.push({ kind: 'event', event: { type: 'OFFERS', offers: { offers: second } } });
    await until('the second offer answered', () => t.journal.some((e) => e.kind === 'call' && e.type === 'DECLINE'));

    const calls = t.journal.filter((e): e is Extract<Entry, { kind: 'call' }> => e.kind === 'call' && (e.type === 'ACCEPT' || e.type === 'DECLINE'));
    expect(calls.map((c) => `${c.type}:${(c.args[0] as Array<{ value: string }>)[0]!.value}`)).toEqual([
      `ACCEPT:${first[0]!.id.value}`,
      `DECLINE:${second[0]!.id.value}`,
    ]);
    expect(t.core.instances.get(waiting!.instanceId)).toMatchObject({ condition: 'Provisioned', agentId: 'agent-x' });
    t.driver.release('ACCEPT');
  });
});

/**
 * Explicit reconciliation waits for the master's answers while they keep coming, and finishes
 * as soon as every task was answered; only tasks left unanswered after the answers stop are
 * asked about again.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallReconcileTask } from '../../../src/mesos/types.js';
import type { Instance } from '../../../src/scheduler/contracts.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { scheduledInstance } from '../../../src/scheduler/core/launch-queue.js';
import { Reconciler } from '../../../src/scheduler/core/reconciler.js';
import { appOf } from './fixtures.js';
import { JournalStore, recordingDriver, type Entry } from './recording-doubles.js';

const logger = pino({ level: 'silent' });
const app = appOf({ id: '/web', cmd: 'sleep 1000', cpus: 0.01, mem: 1 });
const QUIET_MS = 300;

function running(n: number): Instance {
  return { ...scheduledInstance(app, Date.now()), condition: 'Running', incarnation: 1, taskId: `web.task-${n}`, agentId: 'agent-1' };
}

async function setUp(tasks: number, batchSize?: number) {
  const journal: Entry[] = [];
  const tracker = new StoredInstanceTracker({ store: new JournalStore(journal), logger });
  await tracker.load();
  await tracker.exclusive(() => tracker.commit(Array.from({ length: tasks }, (_, n) => ({ put: running(n) }))));
  journal.length = 0;
  const driver = recordingDriver(journal);
  const reconciler = new Reconciler({
    instances: tracker,
    driver: () => driver,
    clock: Date.now,
    logger,
    initialBackoffMs: QUIET_MS,
    ...(batchSize ? { batchSize } : {}),
  });
  const reconciles = (): string[][] =>
    journal
      .filter((e) => e.kind === 'call' && e.type === 'RECONCILE')
      .map((e) => ((e as { args: unknown[] }).args[0] as CallReconcileTask[]).map((t) => t.task_id.value));
  return { reconciler, reconciles };
}

// Fake timers and clock: the waits are the subject here, and a loaded machine must not stretch them.
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Reconciler', () => {
  it('keeps waiting while answers arrive, longer than the quiet period in all, and asks again only about the silent task', async () => {
    const { reconciler, reconciles } = await setUp(6);
    reconciler.onSubscribed();
    await sleep(10);
    expect(reconciles()).toHaveLength(1);
    // One answer every half quiet period: 5 answers take 2.5 quiet periods; task 5 never answers.
    for (let n = 0; n < 5; n++) {
      await sleep(QUIET_MS / 2);
      reconciler.noteUpdate(`web.task-${n}`, Date.now());
    }
    expect(reconciles()).toHaveLength(1);
    await sleep(QUIET_MS * 1.5);
    expect(reconciles()).toEqual([Array.from({ length: 6 }, (_, n) => `web.task-${n}`), ['web.task-5']]);
    reconciler.close();
  });

  it('finishes as soon as every task was answered, with the implicit reconciliation', async () => {
    const { reconciler, reconciles } = await setUp(3);
    reconciler.onSubscribed();
    await sleep(10);
    for (let n = 0; n < 3; n++) reconciler.noteUpdate(`web.task-${n}`, Date.now());
    // Far less than the quiet period.
    await sleep(1);
    expect(reconciles()).toEqual([['web.task-0', 'web.task-1', 'web.task-2'], []]);
    expect(reconciler.completedRuns).toBe(1);
    reconciler.close();
  });

  it('asks in calls of at most the batch size, each round, and counts answers that come before the last call went out', async () => {
    const { reconciler, reconciles } = await setUp(5, 2);
    const all = Array.from({ length: 5 }, (_, n) => `web.task-${n}`);
    reconciler.onSubscribed();
    // Task 0 answers at once, before the later calls of the round are sent.
    reconciler.noteUpdate('web.task-0', Date.now());
    await sleep(10);
    expect(reconciles()).toEqual([all.slice(0, 2), all.slice(2, 4), all.slice(4)]);
    for (const id of ['web.task-1', 'web.task-2', 'web.task-4']) reconciler.noteUpdate(id, Date.now());
    await sleep(QUIET_MS + 10);
    // Only task 3 stayed silent: the second round asks about it alone.
    expect(reconciles().slice(3)).toEqual([['web.task-3']]);
    reconciler.noteUpdate('web.task-3', Date.now());
    await sleep(1);
    expect(reconciles().slice(4)).toEqual([[]]);
    expect(reconciler.completedRuns).toBe(1);
    reconciler.close();
  });

  it('starts nothing once closed: a late SUBSCRIBED neither reconciles nor arms the periodic timer', async () => {
    const { reconciler, reconciles } = await setUp(2);
    reconciler.close();
    reconciler.onSubscribed();
    await sleep(700_000);
    expect(reconciles()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

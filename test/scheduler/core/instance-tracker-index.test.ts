/**
 * The tracker's condition indexes (waiting per app and version, launching, unreachable) always
 * agree with what a scan of every instance finds, through every kind of change.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/scheduler/contracts.js';
import { isWaitingForLaunch } from '../../../src/scheduler/core/conditions.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { scheduledInstance } from '../../../src/scheduler/core/launch-queue.js';
import { appOf } from './fixtures.js';
import { JournalStore } from './recording-doubles.js';

const logger = pino({ level: 'silent' });
const NOW = 1_700_000_000_000;

function scanned(tracker: StoredInstanceTracker) {
  const all = tracker.all();
  const waiting = new Map<string, string[]>();
  const versions = new Map<string, Set<string>>();
  for (const i of all.filter(isWaitingForLaunch)) {
    waiting.set(i.appId, [...(waiting.get(i.appId) ?? []), i.instanceId].sort());
    versions.set(i.appId, (versions.get(i.appId) ?? new Set()).add(i.runSpecVersion));
  }
  return {
    waiting,
    versions: new Map([...versions].map(([k, v]) => [k, [...v].sort()])),
    launching: all
      .filter((i) => ['Provisioned', 'Staging', 'Starting'].includes(i.condition))
      .map((i) => i.instanceId)
      .sort(),
    unreachable: all
      .filter((i) => i.unreachableSince !== undefined)
      .map((i) => i.instanceId)
      .sort(),
  };
}

function indexed(tracker: StoredInstanceTracker) {
  return {
    waiting: new Map([...tracker.waitingByApp()].map(([appId, m]) => [appId, [...m.keys()].sort()])),
    versions: new Map([...tracker.waitingVersionsByApp()].map(([appId, v]) => [appId, [...v].sort()])),
    launching: [...tracker.launching()].map((i) => i.instanceId).sort(),
    unreachable: [...tracker.unreachable()].map((i) => i.instanceId).sort(),
  };
}

describe('StoredInstanceTracker indexes', () => {
  it('agree with a full scan after scheduling, launching, status changes, goal changes, expunges and a reload', async () => {
    const store = new JournalStore([]);
    const tracker = new StoredInstanceTracker({ store, logger });
    await tracker.load();
    const v1 = appOf({ id: '/a', cmd: 'sleep 1' }, '2024-01-01T00:00:00.000Z');
    const v2 = appOf({ id: '/a', cmd: 'sleep 2' }, '2024-02-01T00:00:00.000Z');
    const b = appOf({ id: '/b', cmd: 'sleep 1' });
    const put = (instances: Instance[]) => tracker.exclusive(() => tracker.commit(instances.map((i) => ({ put: i }))));

    const a1 = Array.from({ length: 4 }, () => scheduledInstance(v1, NOW));
    const a2 = Array.from({ length: 3 }, () => scheduledInstance(v2, NOW));
    const b1 = Array.from({ length: 2 }, () => scheduledInstance(b, NOW));
    await put([...a1, ...a2, ...b1]);
    expect(indexed(tracker)).toEqual(scanned(tracker));
    expect(indexed(tracker).versions.get('/a')).toEqual(['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z']);

    // Launch all of v1 and one of /b; one v1 runs, one becomes unreachable.
    await put([...a1, b1[0]!].map((i) => ({ ...i, condition: 'Provisioned', taskId: `${i.instanceId}.1`, hostname: 'h' })));
    expect(indexed(tracker)).toEqual(scanned(tracker));
    expect(indexed(tracker).versions.get('/a')).toEqual(['2024-02-01T00:00:00.000Z']);
    await put([
      { ...a1[0]!, condition: 'Running' },
      { ...a1[1]!, condition: 'Unreachable', unreachableSince: NOW },
    ]);
    expect(indexed(tracker)).toEqual(scanned(tracker));

    // A waiting instance whose goal is no longer Running is removed; one of /b is expunged.
    await tracker.setGoal([a2[0]!.instanceId], 'Stopped', 'test');
    await tracker.exclusive(() => tracker.commit([{ expunge: b1[1]!.instanceId }]));
    expect(indexed(tracker)).toEqual(scanned(tracker));
    expect(indexed(tracker).waiting.has('/b')).toBe(false);

    await tracker.load();
    expect(indexed(tracker)).toEqual(scanned(tracker));
  });
});

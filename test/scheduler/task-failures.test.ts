import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEventBus } from '../../src/scheduler/event-bus.js';
import { TaskFailureRepository } from '../../src/scheduler/task-failures.js';
import { openSqliteStore, type SqliteStore } from '../../src/state/sqlite-store.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const stores: SqliteStore[] = [];

async function freshStore(dir?: string): Promise<SqliteStore> {
  const dataDir = dir ?? mkdtempSync(path.join(os.tmpdir(), 'pacer-failures-'));
  if (dir === undefined) dirs.push(dataDir);
  const store = await openSqliteStore({ dataDir, logger });
  stores.push(store);
  return store;
}

function statusUpdate(taskStatus: string, taskId: string): Record<string, unknown> & { eventType: string; timestamp: string } {
  return {
    eventType: 'status_update_event',
    timestamp: '2026-01-01T00:00:00.000Z',
    slaveId: 'agent-S1',
    taskId,
    taskStatus,
    message: 'Command exited with status 1',
    appId: '/web',
    host: 'host-1',
    ports: [31000],
    version: '2025-12-31T00:00:00.000Z',
  };
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('TaskFailureRepository', () => {
  it('keeps the latest failed task per app, with Marathon field names, across restarts', async () => {
    const store = await freshStore();
    const events = new LocalEventBus();
    const repo = new TaskFailureRepository(store, logger);
    await repo.load();
    repo.attach(events);
    events.publish(statusUpdate('TASK_RUNNING', 'web.instance-a._app.1'));
    expect(repo.lastTaskFailure('/web')).toBeUndefined();
    events.publish(statusUpdate('TASK_FAILED', 'web.instance-a._app.1'));
    events.publish(statusUpdate('TASK_KILLED', 'web.instance-b._app.1'));
    expect(repo.lastTaskFailure('/web')).toEqual({
      appId: '/web',
      host: 'host-1',
      message: 'Command exited with status 1',
      state: 'TASK_FAILED',
      taskId: 'web.instance-a._app.1',
      timestamp: '2026-01-01T00:00:00.000Z',
      version: '2025-12-31T00:00:00.000Z',
      slaveId: 'agent-S1',
    });
    repo.detach();
    // Let the best-effort write land before reopening.
    await store.apply([]);
    const again = new TaskFailureRepository(store, logger);
    await again.load();
    expect(again.lastTaskFailure('/web')?.taskId).toBe('web.instance-a._app.1');
  });

  it('forgets an app once it is terminated', async () => {
    const store = await freshStore();
    const events = new LocalEventBus();
    const repo = new TaskFailureRepository(store, logger);
    repo.attach(events);
    events.publish(statusUpdate('TASK_ERROR', 'web.instance-a._app.1'));
    events.publish({ eventType: 'app_terminated_event', timestamp: '2026-01-01T00:00:01.000Z', appId: '/web' });
    expect(repo.lastTaskFailure('/web')).toBeUndefined();
    await store.apply([]);
    expect(await store.get('taskFailures', '/web')).toBeUndefined();
  });
});

/**
 * KILL delivery across subscriptions: a kill asked for while no subscription is up goes out as
 * soon as one is, not a retry interval later (the crash test saw a 10 s stall from this).
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { KillService } from '../../../src/scheduler/core/kill-service.js';
import type { DriverPort } from '../../../src/scheduler/core/driver-port.js';
import { MapAppLookup } from './fixtures.js';
import { JournalStore, type Entry } from './recording-doubles.js';

const logger = pino({ level: 'silent' });
let kills: KillService | undefined;

afterEach(() => kills?.close());

function driverDouble(): { driver: DriverPort; state: { value: string }; killed: string[] } {
  const state = { value: 'connecting' };
  const killed: string[] = [];
  const driver = {
    get state() {
      return state.value;
    },
    kill: async (taskId: { value: string }) => void killed.push(taskId.value),
  } as unknown as DriverPort;
  return { driver, state, killed };
}

async function killService(driver: DriverPort, maxAttempts = 5): Promise<KillService> {
  const journal: Entry[] = [];
  const tracker = new StoredInstanceTracker({ store: new JournalStore(journal), logger });
  await tracker.load();
  // An hour between retries: only subscribed() can have sent what the test sees.
  kills = new KillService({ driver: () => driver, apps: new MapAppLookup([]), instances: tracker, logger, retryIntervalMs: 3_600_000, maxAttempts });
  return kills;
}

describe('KillService across subscriptions', () => {
  it('sends a KILL asked for while unsubscribed as soon as the subscription is up', async () => {
    const { driver, state, killed } = driverDouble();
    const service = await killService(driver);
    service.killUnknown('t1', 'agent-1', 'test');
    expect(killed).toEqual([]);

    state.value = 'subscribed';
    service.subscribed();
    expect(killed).toEqual(['t1']);
    expect(service.isKilling('t1')).toBe(true);
  });

  it('does not count unsent KILLs against the attempts', async () => {
    const { driver, state, killed } = driverDouble();
    const service = await killService(driver, 1);
    service.killUnknown('t1', undefined, 'test');
    expect(service.isKilling('t1')).toBe(true);

    state.value = 'subscribed';
    service.subscribed();
    expect(killed).toEqual(['t1']);
    // The one allowed attempt is now spent: the kill is left to reconciliation.
    expect(service.isKilling('t1')).toBe(false);
  });

  it('sends every pending KILL again on a re-subscribe, which may follow a master failover', async () => {
    const { driver, state, killed } = driverDouble();
    state.value = 'subscribed';
    const service = await killService(driver);
    service.killUnknown('t1', undefined, 'test');
    expect(killed).toEqual(['t1']);

    state.value = 'connecting';
    state.value = 'subscribed';
    service.subscribed();
    expect(killed).toEqual(['t1', 't1']);
  });
});

describe('KillService on instances that cannot answer a KILL', () => {
  it('expunges an unreachable instance instead of killing it (Marathon KillAction.ExpungeFromState)', async () => {
    const { driver, state, killed } = driverDouble();
    state.value = 'subscribed';
    const journal: Entry[] = [];
    const tracker = new StoredInstanceTracker({ store: new JournalStore(journal), logger });
    await tracker.load();
    const expunged: string[] = [];
    kills = new KillService({
      driver: () => driver,
      apps: new MapAppLookup([]),
      instances: tracker,
      logger,
      retryIntervalMs: 3_600_000,
      expunge: async (instance) => void expunged.push(instance.instanceId),
    });
    const base = {
      appId: '/web',
      runSpecVersion: '2024-01-01T00:00:00.000Z',
      goal: 'Decommissioned' as const,
      since: 0,
      incarnation: 1,
      hostPorts: [],
      ipAddresses: [],
    };
    kills.kill({ ...base, instanceId: 'web.instance-1', taskId: 'web.instance-1._app.1', condition: 'Unreachable' }, 'scale down');
    kills.kill({ ...base, instanceId: 'web.instance-2', taskId: 'web.instance-2._app.1', condition: 'UnreachableInactive' }, 'scale down');
    kills.kill({ ...base, instanceId: 'web.instance-3', taskId: 'web.instance-3._app.1', condition: 'Unknown' }, 'scale down');
    kills.kill({ ...base, instanceId: 'web.instance-4', taskId: 'web.instance-4._app.1', condition: 'Running' }, 'scale down');
    expect(expunged).toEqual(['web.instance-1', 'web.instance-2']);
    expect(killed).toEqual(['web.instance-4._app.1']);
  });
});

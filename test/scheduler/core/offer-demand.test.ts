import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DriverPort } from '../../../src/scheduler/core/driver-port.js';
import { OfferDemand } from '../../../src/scheduler/core/offer-demand.js';

function recordingDriver(): { driver: DriverPort; calls: string[] } {
  const calls: string[] = [];
  const driver = {
    frameworkId: 'fw',
    master: 'http://m',
    state: 'subscribed',
    revive: async () => void calls.push('REVIVE'),
    suppress: async () => void calls.push('SUPPRESS'),
  } as unknown as DriverPort;
  return { driver, calls };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

const logger = pino({ level: 'silent' });

describe('OfferDemand', () => {
  it('repeats a REVIVE a bounded number of times while no offer arrives', async () => {
    const { driver, calls } = recordingDriver();
    const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => new Set(['/a@v1']), reviveRepeatMs: 10, reviveRepeats: 3 });
    demand.refresh();
    await until(() => calls.length === 4, 'the first REVIVE and three repeats');
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toEqual(['REVIVE', 'REVIVE', 'REVIVE', 'REVIVE']);
    demand.close();
  });

  it('stops repeating once offers arrive', async () => {
    const { driver, calls } = recordingDriver();
    const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => new Set(['/a@v1']), reviveRepeatMs: 20, reviveRepeats: 3 });
    demand.refresh();
    await until(() => calls.length === 1, 'the first REVIVE');
    demand.offersReceived();
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toEqual(['REVIVE']);
    demand.close();
  });

  it('suppresses when nothing waits and never repeats a REVIVE after that', async () => {
    const { driver, calls } = recordingDriver();
    let wanted = new Set(['/a@v1']);
    const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => wanted, reviveRepeatMs: 20, reviveRepeats: 3 });
    demand.refresh();
    await until(() => calls.length === 1, 'the first REVIVE');
    wanted = new Set();
    demand.refresh();
    await until(() => calls.includes('SUPPRESS'), 'SUPPRESS');
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toEqual(['REVIVE', 'SUPPRESS']);
    demand.close();
  });

  it('defers a REVIVE asked for within --min_revive_offers_interval of the last one, and sends it after', async () => {
    const { driver, calls } = recordingDriver();
    let wanted = new Set(['/a@v1']);
    const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => wanted, reviveRepeats: 0, minReviveIntervalMs: 300 });
    demand.refresh();
    await until(() => calls.length === 1, 'the first REVIVE');
    wanted = new Set(['/a@v1', '/b@v1']);
    demand.refresh();
    // The flush runs on the next turn; without the interval it would REVIVE for /b at once.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['REVIVE']);
    await until(() => calls.length === 2, 'the deferred REVIVE for /b');
    expect(calls).toEqual(['REVIVE', 'REVIVE']);
    demand.close();
  });
});

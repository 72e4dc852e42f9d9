/**
 * An offer round costs what waits for an offer, not what exists (issue #17): with 10,000
 * instances running and 10 scheduled, the round, the REVIVE/SUPPRESS decision after it and
 * /v2/queue go through the 10 only. Counted, not timed: the tracker counts every instance it
 * hands out (`takeInstancesRead`), and the offer processor tells which apps it keeps placements
 * for. Built from the core's real parts with a recording driver standing in for the master.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Offer } from '../../src/mesos/types.js';
import type { AppDefinition, Instance } from '../../src/scheduler/contracts.js';
import { StoredInstanceTracker } from '../../src/scheduler/core/instance-tracker.js';
import { CoreLaunchQueue, scheduledInstance } from '../../src/scheduler/core/launch-queue.js';
import { OfferDemand } from '../../src/scheduler/core/offer-demand.js';
import { MAX_OFFERS_PER_ROUND } from '../../src/scheduler/core/offer-processor.js';
import { RateLimiter } from '../../src/scheduler/core/rate-limiter.js';
import { offer } from '../matching/fixtures.js';
import { appOf, MapAppLookup, offerPath } from './core/fixtures.js';
import { JournalStore, recordingDriver, type Entry } from './core/recording-doubles.js';

const logger = pino({ level: 'silent' });
const NOW = 1_700_000_000_000;
const RUNNING_APPS = 100;
const RUNNING_PER_APP = 100;
const SCHEDULED = 10;

function running(app: AppDefinition, n: number): Instance {
  const agent = `agent-${n % 50}`;
  return {
    ...scheduledInstance(app, NOW),
    condition: 'Running',
    incarnation: 1,
    taskId: `${app.id.slice(1)}.task-${n}`,
    agentId: agent,
    hostname: `${agent}.example`,
    agentAttributes: [{ name: 'rack', value: `r${n % 5}` }],
  };
}

/** 10,000 running instances over 100 apps (half of them with a placement constraint), 10 scheduled of `waiting`. */
async function cluster(waiting: AppDefinition) {
  const runningApps = Array.from({ length: RUNNING_APPS }, (_, i) =>
    appOf({ id: `/busy/app-${i}`, cmd: 'sleep 1000', cpus: 0.01, mem: 1, ...(i % 2 === 0 ? { constraints: [['hostname', 'UNIQUE']] } : {}) }),
  );
  const apps = new MapAppLookup([...runningApps, waiting]);
  const { journal, tracker, queue, demand, offers } = await offerPath({ apps, now: NOW, processor: { matchOptions: { seed: 7 } } });

  const instances = runningApps.flatMap((app) => Array.from({ length: RUNNING_PER_APP }, (_, n) => running(app, n)));
  await tracker.exclusive(() => tracker.commit(instances.map((put) => ({ put }))));
  await queue.add(waiting, SCHEDULED);
  // Let the REVIVE the scheduling asked for go out before counting.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  tracker.takeInstancesRead();

  let roundNo = 0;
  const round = async (rack?: string) => {
    roundNo++;
    const attributes = rack !== undefined ? [{ name: 'rack', type: 'TEXT' as const, text: { value: rack } }] : [];
    const outcome = await offers.process(
      Array.from({ length: 4 }, (_, i) => offer({ id: `offer-${roundNo}-${i}`, agent: `fresh-${i}`, cpus: 8, mem: 4096, attributes }) as Offer),
    );
    await outcome.answered;
    // The REVIVE/SUPPRESS decision the round asked for.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { journal, tracker, queue, offers, round, waiting, close: () => demand.close() };
}

describe('an offer round with 10,000 instances running and 10 scheduled', () => {
  it('reads only the 10 scheduled instances and keeps no placements for apps without placement constraints', async () => {
    const waiting = appOf({ id: '/new', cmd: 'sleep 1000', cpus: 0.1, mem: 16, constraints: [['rack', 'CLUSTER', 'r1']] });
    const c = await cluster(waiting);
    try {
      // No agent offered has rack r1: all 10 stay waiting, each round goes through all of them.
      await c.round();
      // Each of the round's readers (launchable, the REVIVE decision) may go through the 10 once.
      expect(c.tracker.takeInstancesRead()).toBeLessThanOrEqual(3 * SCHEDULED);
      expect(c.journal.filter((e) => e.kind === 'call' && e.type === 'ACCEPT')).toHaveLength(0);
      expect(c.offers.appsWithPlacements).toBe(0);

      await c.round('r1');
      expect(c.tracker.takeInstancesRead()).toBeLessThanOrEqual(3 * SCHEDULED);
      expect(c.tracker.ofApp('/new').filter((i) => i.condition === 'Provisioned')).toHaveLength(SCHEDULED);
      expect(c.offers.appsWithPlacements).toBe(0);

      await c.queue.add(c.waiting, SCHEDULED);
      c.tracker.takeInstancesRead();
      c.queue.entries(NOW);
      expect(c.tracker.takeInstancesRead()).toBeLessThanOrEqual(SCHEDULED);
    } finally {
      c.close();
    }
  });

  it("with a placement constraint, reads the waiting app's own instances once and then keeps them up to date", async () => {
    const waiting = appOf({ id: '/new', cmd: 'sleep 1000', cpus: 0.1, mem: 16, constraints: [['hostname', 'UNIQUE']] });
    const c = await cluster(waiting);
    try {
      await c.round();
      const provisioned = c.tracker.ofApp('/new').filter((i) => i.condition === 'Provisioned');
      // UNIQUE hostname over four fresh agents: four launch, six wait.
      expect(provisioned).toHaveLength(4);
      expect(c.offers.appsWithPlacements).toBe(1);
      c.tracker.takeInstancesRead();

      await c.round();
      // The four placed ones come from the kept placements: no instance is read again for them.
      expect(c.tracker.takeInstancesRead()).toBeLessThanOrEqual(3 * SCHEDULED);
      expect(c.tracker.ofApp('/new').filter((i) => i.condition === 'Provisioned')).toHaveLength(4);
      expect(c.offers.appsWithPlacements).toBe(1);
    } finally {
      c.close();
    }
  });

  it('offers that arrive while a round holds the lock join one round instead of one round each', async () => {
    const waiting = appOf({ id: '/new', cmd: 'sleep 1000', cpus: 0.1, mem: 16, constraints: [['rack', 'CLUSTER', 'r1']] });
    const c = await cluster(waiting);
    try {
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const held = c.tracker.exclusive(
        () =>
          new Promise<void>((resolve) => {
            release = resolve;
            entered();
          }),
      );
      await inside;
      const outcomes = [0, 1, 2].map((i) => c.offers.process([offer({ id: `late-${i}`, agent: `late-${i}`, cpus: 8, mem: 4096 }) as Offer]));
      release();
      await held;
      await Promise.all((await Promise.all(outcomes)).map((o) => o.answered));
      // No agent has rack r1: every offer is declined, and one round declines them in one call.
      const declines = c.journal.filter((e) => e.kind === 'call' && e.type === 'DECLINE');
      expect(declines).toHaveLength(1);
      const declined = (declines[0] as { args: unknown[] }).args[0] as Array<{ value: string }>;
      expect(declined.map((id) => id.value).sort()).toEqual(['late-0', 'late-1', 'late-2']);
    } finally {
      c.close();
    }
  });

  it(`a round matches at most ${MAX_OFFERS_PER_ROUND} offers; the rest wait for the next round instead of holding its ACCEPTs back`, async () => {
    const waiting = appOf({ id: '/new', cmd: 'sleep 1000', cpus: 0.1, mem: 16, constraints: [['rack', 'CLUSTER', 'r1']] });
    const c = await cluster(waiting);
    try {
      const count = MAX_OFFERS_PER_ROUND * 2 + 7;
      const offers = Array.from({ length: count }, (_, i) => offer({ id: `o-${i}`, agent: `a-${i}`, cpus: 8, mem: 4096 }) as Offer);
      const outcome = await c.offers.process(offers);
      await outcome.answered;
      // Rounds queued behind the first: wait until every offer was answered.
      const declined = (): string[][] =>
        c.journal
          .filter((e) => e.kind === 'call' && e.type === 'DECLINE')
          .map((e) => ((e as { args: unknown[] }).args[0] as Array<{ value: string }>).map((id) => id.value));
      for (let turn = 0; turn < 100 && declined().flat().length < count; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(declined().map((ids) => ids.length)).toEqual([MAX_OFFERS_PER_ROUND, MAX_OFFERS_PER_ROUND, 7]);
      expect(declined().flat().sort()).toEqual(offers.map((o) => o.id.value).sort());
    } finally {
      c.close();
    }
  });

  it('takes only as many waiting apps as the offers can hold, and the next round starts with the apps left out', async () => {
    // Each app fits nowhere but on a rack-r1 agent; every app waits with 5 instances.
    const waitingApps = Array.from({ length: 4 }, (_, i) =>
      appOf({ id: `/wait-${i}`, cmd: 'sleep 1000', cpus: 0.1, mem: 16, constraints: [['rack', 'CLUSTER', 'r1']] }),
    );
    const {
      journal,
      queue,
      demand,
      offers: processor,
    } = await offerPath({ apps: new MapAppLookup(waitingApps), now: NOW, processor: { matchOptions: { seed: 7, maxLaunchesPerAgent: 5 } } });
    try {
      for (const app of waitingApps) await queue.add(app, 5);
      const processed = (): number[] =>
        waitingApps.map((app) => {
          const entry = queue.entries(NOW).find((e) => e.app.id === app.id);
          return (entry?.processedOffersSummary as { processedOffersCount: number }).processedOffersCount;
        });
      const round = async (n: number) => {
        const outcome = await processor.process([offer({ id: `offer-${n}`, agent: `agent-${n}`, cpus: 8, mem: 4096 }) as Offer]);
        await outcome.answered;
      };
      // One offer takes at most 5 instances: one app of 5 fills the round, the other three wait for the next.
      await round(1);
      expect(processed()).toEqual([1, 0, 0, 0]);
      await round(2);
      expect(processed()).toEqual([1, 1, 0, 0]);
      await round(3);
      await round(4);
      expect(processed()).toEqual([1, 1, 1, 1]);
      // The offer was declined briefly, not for --decline_offer_duration: apps were left out of the round.
      const refuse = journal
        .filter((e) => e.kind === 'call' && e.type === 'DECLINE')
        .map((e) => ((e as { args: unknown[] }).args[1] as { refuse_seconds?: number } | undefined)?.refuse_seconds);
      expect(refuse[0]).toBeLessThanOrEqual(5);
    } finally {
      demand.close();
    }
  });
});

describe('CoreLaunchQueue.add', () => {
  it('adds made in one event-loop turn for many apps are committed together, and a failed commit fails each of them', async () => {
    const journal: Entry[] = [];
    const store = new JournalStore(journal);
    const apps = Array.from({ length: 50 }, (_, i) => appOf({ id: `/scale/app-${i}`, cmd: 'sleep 1000', cpus: 0.1, mem: 16 }));
    const driver = recordingDriver(journal);
    const tracker = new StoredInstanceTracker({ store, logger });
    await tracker.load();
    const queueRef: { queue?: CoreLaunchQueue } = {};
    const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => queueRef.queue!.launchKeys(NOW) });
    const queue = new CoreLaunchQueue({ tracker, store, rateLimiter: new RateLimiter(), apps: new MapAppLookup(apps), demand, clock: () => NOW, logger });
    queueRef.queue = queue;
    try {
      const added = await Promise.all(apps.map((app) => queue.add(app, 3)));
      expect(added.map((a) => a.length)).toEqual(apps.map(() => 3));
      const commits = journal.filter((e) => e.kind === 'store');
      expect(commits).toHaveLength(1);
      expect((commits[0] as { writes: unknown[] }).writes).toHaveLength(150);
      expect([...tracker.waitingVersionsByApp()]).toHaveLength(50);

      store.failNext = true;
      const failed = await Promise.allSettled([queue.add(apps[0]!, 1), queue.add(apps[1]!, 1)]);
      expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
      expect(tracker.ofApp(apps[0]!.id)).toHaveLength(3);
    } finally {
      demand.close();
    }
  });
});

/**
 * Dynamic host ports: random per launch in production, and a port an instance of the app just
 * failed on is not picked again (issue #14 item 1). Built from the core's real parts with a
 * recording driver standing in for the master.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Offer, TaskInfo } from '../../../src/mesos/types.js';
import type { MarathonEvent } from '../../../src/scheduler/contracts.js';
import { FailedPorts } from '../../../src/scheduler/core/failed-ports.js';
import { MesosHealthView } from '../../../src/scheduler/core/health-view.js';
import { StoredInstanceTracker } from '../../../src/scheduler/core/instance-tracker.js';
import { KillService } from '../../../src/scheduler/core/kill-service.js';
import { CoreLaunchQueue } from '../../../src/scheduler/core/launch-queue.js';
import { OfferDemand } from '../../../src/scheduler/core/offer-demand.js';
import { OfferProcessor } from '../../../src/scheduler/core/offer-processor.js';
import { RateLimiter } from '../../../src/scheduler/core/rate-limiter.js';
import { StatusProcessor } from '../../../src/scheduler/core/status-processor.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';
import { offer } from '../../matching/fixtures.js';
import { appOf, MapAppLookup } from './fixtures.js';
import { JournalStore, recordingDriver, type Entry } from './recording-doubles.js';

const logger = pino({ level: 'silent' });
const NOW = 1_700_000_000_000;

async function core(opts: { drawSeed?: () => number } = {}) {
  const journal: Entry[] = [];
  const store = new JournalStore(journal);
  // Backoff 0 so the replacement of a failed task is launchable at once.
  const app = appOf({ id: '/web', cmd: 'sleep 1000', portDefinitions: [{ port: 0 }], backoffSeconds: 0 });
  const apps = new MapAppLookup([app]);
  const driver = recordingDriver(journal);
  const tracker = new StoredInstanceTracker({ store, logger });
  await tracker.load();
  const rateLimiter = new RateLimiter();
  const demand = new OfferDemand({ driver: () => driver, logger, wanted: () => new Set() });
  const kills = new KillService({ driver: () => driver, apps, instances: tracker, logger, retryIntervalMs: 60_000 });
  const queue = new CoreLaunchQueue({ tracker, store, rateLimiter, apps, demand, clock: () => NOW, logger });
  const failedPorts = new FailedPorts();
  const offers = new OfferProcessor({
    tracker,
    queue,
    apps,
    demand,
    driver: () => driver,
    clock: () => NOW,
    logger,
    failedPorts,
    ...(opts.drawSeed ? { drawSeed: opts.drawSeed } : {}),
  });
  const bus = new LocalEventBus();
  const events: MarathonEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const statuses = new StatusProcessor({
    tracker,
    apps,
    rateLimiter,
    kills,
    health: new MesosHealthView(),
    events: bus,
    demand,
    driver: () => driver,
    clock: () => NOW,
    logger,
    failedPorts,
  });
  /** Offers one agent with the default Mesos port range and returns the launched task's host ports. */
  const launchOne = async (): Promise<TaskInfo> => {
    const before = journal.length;
    const outcome = await offers.process([offer({ agent: 'agent-1', ports: [[31000, 32000]] }) as Offer]);
    await outcome.answered;
    const accept = journal.slice(before).find((e) => e.kind === 'call' && e.type === 'ACCEPT');
    if (!accept || accept.kind !== 'call') throw new Error('no ACCEPT');
    const ops = accept.args[1] as Array<{ launch: { task_infos: TaskInfo[] } }>;
    return ops[0]!.launch.task_infos[0]!;
  };
  return {
    app,
    queue,
    statuses,
    launchOne,
    tracker,
    close: () => {
      kills.close();
      demand.close();
    },
  };
}

function hostPortsOf(task: TaskInfo): number[] {
  const ports = (task.resources ?? []).find((r) => r.name === 'ports');
  return (ports?.ranges?.range ?? []).map((r) => r.begin);
}

describe('dynamic host ports', () => {
  it('differ between processes: each round draws its own randomness', async () => {
    const picked = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const t = await core();
      await t.queue.add(t.app, 1);
      picked.add(hostPortsOf(await t.launchOne())[0]!);
      t.close();
    }
    // Four independent draws from 1001 ports: all equal only with a fixed seed.
    expect(picked.size).toBeGreaterThan(1);
  });

  it('are not picked again where an instance of the app just failed', async () => {
    // A fixed draw: every round would pick the same port without the failure memory.
    const t = await core({ drawSeed: () => 7 });
    await t.queue.add(t.app, 1);
    const first = await t.launchOne();
    const [failedPort] = hostPortsOf(first);
    await t.statuses.process({
      task_id: first.task_id,
      agent_id: { value: 'agent-1' },
      state: 'TASK_FAILED',
      message: 'Failed to bind: Address already in use',
      source: 'SOURCE_EXECUTOR',
    });
    expect(t.tracker.all().filter((i) => i.condition === 'Scheduled')).toHaveLength(1);
    const second = await t.launchOne();
    expect(hostPortsOf(second)).toHaveLength(1);
    expect(hostPortsOf(second)[0]).not.toBe(failedPort);
    t.close();
  });
});

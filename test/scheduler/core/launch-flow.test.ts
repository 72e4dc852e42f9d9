/**
 * Launch flow control: while the oldest status update waiting for its ACK has waited 3 s, offer
 * rounds launch nothing and decline their offers for 1 s; launching resumes once the ACKs are
 * under 1 s behind. Run with the core's real Acknowledger, launch queue and offer processor; a
 * recording driver stands in for the master and holds the ACKs back.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Offer, TaskStatus } from '../../../src/mesos/types.js';
import { Acknowledger } from '../../../src/scheduler/core/acknowledger.js';
import { LaunchFlow, PAUSED_REFUSE_SECONDS } from '../../../src/scheduler/core/launch-flow.js';
import { offer } from '../../matching/fixtures.js';
import { appOf, MapAppLookup, offerPath } from './fixtures.js';
import { recordingDriver, type Entry } from './recording-doubles.js';

const NOW = 1_700_000_000_000;

const status = (n: number): TaskStatus => ({
  task_id: { value: `web.instance-${n}._app.1` },
  agent_id: { value: 'agent-1' },
  state: 'TASK_RUNNING',
  uuid: `dXVpZC0${n}`,
});

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function recordingLogger() {
  const lines: Array<{ msg: string; ackLagMs?: number; acksWaiting?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines };
}

/** An Acknowledger whose ACKs the driver holds until released, on a clock the test moves. */
function heldAcks() {
  const journal: Entry[] = [];
  const driver = recordingDriver(journal, { held: new Set(['ACKNOWLEDGE']) });
  let now = 0;
  const acks = new Acknowledger({ driver: () => driver, logger: pino({ level: 'silent' }), maxInFlight: 1, clock: () => now });
  return { acks, driver, journal, at: (ms: number) => (now = ms) };
}

describe('Acknowledger.oldestWaitingMs', () => {
  it('is the age of the oldest ACK not yet sent, and 0 when none waits', async () => {
    const { acks, driver, at } = heldAcks();
    expect(acks.oldestWaitingMs).toBe(0);
    void acks.send([status(1), status(2)]);
    at(500);
    void acks.send([status(3)]);
    // ACK 1 is in flight (one at a time); ACK 2 has waited since 0.
    at(2_000);
    expect(acks.oldestWaitingMs).toBe(2_000);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    // ACK 2 is in flight now; ACK 3 has waited since 500.
    expect(acks.oldestWaitingMs).toBe(1_500);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect(acks.oldestWaitingMs).toBe(0);
    expect(acks.pending).toBe(1);
  });
});

describe('LaunchFlow', () => {
  it('pauses once the oldest waiting ACK has waited 3 s and resumes under 1 s, logging each change once', async () => {
    const { acks, driver, at } = heldAcks();
    const { logger, lines } = recordingLogger();
    const changes: boolean[] = [];
    const flow = new LaunchFlow({ acks, logger, onChange: (paused) => changes.push(paused) });
    void acks.send([status(1), status(2), status(3)]);
    at(2_999);
    expect(flow.mayLaunch()).toBe(true);
    at(3_000);
    expect(flow.mayLaunch()).toBe(false);
    expect(flow.mayLaunch()).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['launches paused: status update acknowledgements are behind']);
    expect(lines[0]).toMatchObject({ ackLagMs: 3_000, acksWaiting: 3 });

    // ACK 2 goes out; ACK 3 waits, still 3 s old: between the marks the pause holds.
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect(flow.mayLaunch()).toBe(false);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    // Nothing waits to be sent (ACK 3 is in flight).
    expect(flow.mayLaunch()).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(['launches paused: status update acknowledgements are behind', 'launches resumed']);
    expect(flow.pauses).toBe(1);
    expect(changes).toEqual([true, false]);
  });

  it('holds a pause while the lag is between the marks', () => {
    let lagMs = 0;
    const flow = new LaunchFlow({
      acks: {
        get oldestWaitingMs() {
          return lagMs;
        },
        pending: 10,
      },
      logger: pino({ level: 'silent' }),
    });
    lagMs = 3_500;
    expect(flow.mayLaunch()).toBe(false);
    lagMs = 1_000;
    expect(flow.mayLaunch()).toBe(false);
    lagMs = 999;
    expect(flow.mayLaunch()).toBe(true);
    lagMs = 2_999;
    expect(flow.mayLaunch()).toBe(true);
  });
});

describe('an offer round while launches are paused', () => {
  async function core() {
    const app = appOf({ id: '/web', cmd: 'sleep 1000', cpus: 0.1, mem: 16, instances: 0 });
    let mayLaunch = false;
    const { journal, tracker, queue, demand, offers } = await offerPath({
      apps: new MapAppLookup([app]),
      now: NOW,
      processor: { matchOptions: { seed: 7 }, flow: { mayLaunch: () => mayLaunch } },
    });
    await queue.add(app, 3);
    let n = 0;
    const round = async () => {
      n++;
      const outcome = await offers.process([offer({ id: `offer-${n}`, agent: 'agent-1', cpus: 8, mem: 4096 }) as Offer]);
      await outcome.answered;
    };
    return { journal, tracker, round, allow: () => (mayLaunch = true), close: () => demand.close() };
  }

  it('declines the offers for a second and launches nothing; the next round after the pause launches', async () => {
    const { journal, tracker, round, allow, close } = await core();
    const calls = () => journal.filter((e) => e.kind === 'call' && (e.type === 'ACCEPT' || e.type === 'DECLINE')) as Array<{ type: string; args: unknown[] }>;

    await round();
    expect(calls().map((c) => c.type)).toEqual(['DECLINE']);
    expect(calls()[0]!.args[1]).toEqual({ refuse_seconds: PAUSED_REFUSE_SECONDS });
    expect(tracker.all().filter((i) => i.condition === 'Scheduled')).toHaveLength(3);

    allow();
    await round();
    expect(calls().map((c) => c.type)).toEqual(['DECLINE', 'ACCEPT']);
    expect(tracker.all().filter((i) => i.condition === 'Scheduled')).toHaveLength(0);
    close();
  });
});

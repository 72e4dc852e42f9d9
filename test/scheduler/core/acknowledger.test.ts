import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../../src/mesos/types.js';
import { Acknowledger } from '../../../src/scheduler/core/acknowledger.js';
import { kinds, recordingDriver, type Entry } from './recording-doubles.js';

const logger = pino({ level: 'silent' });
const status = (n: number, opts: { uuid: boolean } = { uuid: true }): TaskStatus => ({
  task_id: { value: `web.instance-${n}._app.1` },
  agent_id: { value: 'agent-1' },
  state: 'TASK_RUNNING',
  ...(opts.uuid ? { uuid: `dXVpZC0${n}` } : {}),
});
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('Acknowledger', () => {
  it('keeps at most maxInFlight ACKs outstanding and sends the rest as answers come back', async () => {
    const journal: Entry[] = [];
    const driver = recordingDriver(journal, { held: new Set(['ACKNOWLEDGE']) });
    const acks = new Acknowledger({ driver: () => driver, logger, maxInFlight: 3 });
    let settled = false;
    void acks.send(Array.from({ length: 7 }, (_, n) => status(n))).then(() => (settled = true));
    await turns(3);
    expect(kinds(journal)).toEqual(Array(3).fill('ACKNOWLEDGE'));
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect(journal).toHaveLength(6);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect(journal).toHaveLength(7);
    expect(settled).toBe(false);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect(settled).toBe(true);
    expect(journal.map((e) => (e as { args: unknown[] }).args[2])).toEqual(Array.from({ length: 7 }, (_, n) => `dXVpZC0${n}`));
  });

  it('skips updates without uuid, sends one ACK per resent update, and never rejects on a failed call', async () => {
    const journal: Entry[] = [];
    const driver = recordingDriver(journal);
    driver.acknowledge = (agentId, taskId, uuid) => {
      journal.push({ kind: 'call', type: 'ACKNOWLEDGE', args: [agentId, taskId, uuid] });
      return Promise.reject(new Error('connection reset'));
    };
    const acks = new Acknowledger({ driver: () => driver, logger });
    await expect(acks.send([status(1), status(1), status(2, { uuid: false }), status(3)])).resolves.toBeUndefined();
    expect(journal.map((e) => ((e as { args: unknown[] }).args[1] as { value: string }).value)).toEqual(['web.instance-1._app.1', 'web.instance-3._app.1']);
  });

  it('an update resent while its ACK still waits joins that ACK: one call, and both batches resolve when it is answered', async () => {
    const journal: Entry[] = [];
    const driver = recordingDriver(journal, { held: new Set(['ACKNOWLEDGE']) });
    const acks = new Acknowledger({ driver: () => driver, logger, maxInFlight: 1 });
    let first = false;
    let resent = false;
    void acks.send([status(1), status(2)]).then(() => (first = true));
    // The master resends both (its retry timer ran out): neither becomes a second call.
    void acks.send([status(2), status(1)]).then(() => (resent = true));
    expect(acks.pending).toBe(2);
    await turns(3);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect([first, resent]).toEqual([false, false]);
    driver.release('ACKNOWLEDGE');
    await turns(3);
    expect([first, resent]).toEqual([true, true]);
    expect(journal.map((e) => (e as { args: unknown[] }).args[2])).toEqual(['dXVpZC01', 'dXVpZC02']);
    expect(acks.pending).toBe(0);
    // Answered: the same update arriving again is acknowledged again.
    void acks.send([status(1)]);
    await turns(3);
    expect(journal).toHaveLength(3);
  });

  it('drops what waits with one log line once the driver has stopped, and still resolves every batch', async () => {
    const journal: Entry[] = [];
    const driver = recordingDriver(journal, { held: new Set(['ACKNOWLEDGE']) });
    const lines: Array<{ msg: string; acks?: number }> = [];
    const recorded = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string; acks?: number }) });
    const acks = new Acknowledger({ driver: () => driver, logger: recorded, maxInFlight: 2 });
    let settled = false;
    void acks.send(Array.from({ length: 500 }, (_, n) => status(n))).then(() => (settled = true));
    await turns(2);
    expect(journal).toHaveLength(2);
    (driver as { state: string }).state = 'stopped';
    driver.release('ACKNOWLEDGE');
    await turns(5);
    expect(settled).toBe(true);
    expect(journal).toHaveLength(2);
    expect(acks.pending).toBe(0);
    expect(lines.map((l) => [l.msg, l.acks])).toEqual([
      ['scheduler driver stopped: waiting ACKs dropped; the agents resend those updates to the next subscriber', 498],
    ]);
  });
});

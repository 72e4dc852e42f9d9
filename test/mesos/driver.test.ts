import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { MediaType } from '../../src/mesos/codec.js';
import { StaticMasterDetector, type MasterDetector } from '../../src/mesos/detector.js';
import { SchedulerDriver, type SchedulerDriverOptions } from '../../src/mesos/driver.js';
import { MesosDriverError, MesosHttpError } from '../../src/mesos/errors.js';
import { buildFrameworkInfo } from '../../src/mesos/framework-info.js';
import type { Event } from '../../src/mesos/types.js';
import { EventTap, FakeMaster, HEARTBEAT, subscribedEvent, type EventStreamWriter, type ReceivedRequest } from '../helpers/fake-master.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function startMaster(): Promise<FakeMaster> {
  const master = await FakeMaster.start();
  cleanups.push(() => master.close());
  return master;
}

interface Harness {
  driver: SchedulerDriver;
  tap: EventTap;
  persisted: string[];
}

function startDriver(detector: MasterDetector, opts: Partial<SchedulerDriverOptions> = {}): Harness {
  const persisted: string[] = [];
  const driver = new SchedulerDriver({
    detector,
    frameworkInfo: buildFrameworkInfo({ user: 'tester', hostname: 'pacer.test' }),
    persistFrameworkId: async (id) => {
      persisted.push(id);
    },
    logger,
    backoff: { initialMs: 5, maxMs: 20 },
    ...opts,
  });
  cleanups.push(() => driver.close());
  const tap = new EventTap(driver);
  driver.start();
  return { driver, tap, persisted };
}

/** A SUBSCRIBE script that opens a stream, sends SUBSCRIBED and hands the writer to the test. */
function streaming(
  frameworkId: string,
  heartbeat = 15,
): { script: (r: unknown, reply: import('../helpers/fake-master.js').Reply) => void; writer: Promise<EventStreamWriter> } {
  let give!: (w: EventStreamWriter) => void;
  const writer = new Promise<EventStreamWriter>((resolve) => {
    give = resolve;
  });
  return {
    script: (_req, reply) => {
      const w = reply.stream();
      void w.send(subscribedEvent(frameworkId, heartbeat)).then(() => give(w));
    },
    writer,
  };
}

const UPDATE_UTF8: Event = {
  type: 'UPDATE',
  update: {
    status: {
      task_id: { value: 'app.\u00e9t\u00e9-\u{1F680}' },
      state: 'TASK_RUNNING',
      message: '\u65e5\u672c\u8a9e \u2603',
      agent_id: { value: 'agent-1' },
      uuid: Buffer.from('0123456789abcdef').toString('base64'),
    },
  },
};

const OFFERS: Event = {
  type: 'OFFERS',
  offers: {
    offers: [
      {
        id: { value: 'offer-1' },
        framework_id: { value: 'fw-1' },
        agent_id: { value: 'agent-1' },
        hostname: 'h\u00f6st-1',
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
          { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
        ],
      },
    ],
  },
};

describe.each<MediaType>(['application/json', 'application/x-protobuf'])('SchedulerDriver over %s', (mediaType) => {
  it('subscribes, persists the framework id first, then surfaces SUBSCRIBED and events', async () => {
    const master = await startMaster();
    let releasePersist!: () => void;
    const persistCalls: string[] = [];
    const { script, writer } = streaming('fw-1');
    master.onSubscribe(script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.hostPort), {
      mediaType,
      persistFrameworkId: (id) => {
        persistCalls.push(id);
        return new Promise<void>((resolve) => {
          releasePersist = resolve;
        });
      },
    });

    const w = await writer;
    await w.send(OFFERS);
    // Wait until the driver is inside persistFrameworkId: nothing may have been surfaced yet.
    while (persistCalls.length === 0) await new Promise((r) => setImmediate(r));
    expect(persistCalls).toEqual(['fw-1']);
    expect(tap.seen).toEqual([]);
    await expect(driver.reconcile()).rejects.toMatchObject({ code: 'PACER_MESOS_NOT_SUBSCRIBED' });

    releasePersist();
    const subscribed = await tap.take('subscribed');
    expect(subscribed).toMatchObject({ frameworkId: 'fw-1', streamId: w.streamId, resubscribed: false, heartbeatIntervalSeconds: 15 });
    expect(subscribed.master).toBe(`${master.base}/api/v1/scheduler`);
    expect((await tap.take('event')).event).toEqual(OFFERS);
    expect(tap.seen.map((e) => e.kind)).toEqual(['subscribed', 'event']);

    const sub = master.subscribes()[0]!;
    expect(sub.headers['content-type']).toBe(mediaType);
    expect(sub.headers['accept']).toBe(mediaType);
    expect(sub.headers['mesos-stream-id']).toBeUndefined();
    expect(sub.path).toBe('/api/v1/scheduler');
    expect(sub.call?.subscribe?.framework_info).toMatchObject({
      user: 'tester',
      name: 'pacer',
      failover_timeout: 604800,
      checkpoint: true,
      roles: ['*'],
    });
    expect(sub.call?.framework_id).toBeUndefined();
  });

  it('decodes records split across HTTP chunks at every byte offset', async () => {
    const master = await startMaster();
    const { script, writer } = streaming('fw-split');
    master.onSubscribe(script);
    const { tap } = startDriver(new StaticMasterDetector(master.base), { mediaType });
    await tap.take('subscribed');
    const w = await writer;

    const block = Buffer.concat([w.frame(OFFERS), w.frame(UPDATE_UTF8), w.frame(HEARTBEAT)]);
    // Each pause makes the client read what was written before it as one piece, so piece
    // boundaries fall at `cut` inside one copy of the block and at `cut + 1` in the next.
    for (let cut = 0; cut <= block.byteLength; cut++) {
      await w.write(block.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 1));
      await w.write(block.subarray(cut));
    }
    const expected = block.byteLength + 1;
    for (let i = 0; i < expected; i++) {
      expect((await tap.take('event')).event).toEqual(OFFERS);
      expect((await tap.take('event')).event).toEqual(UPDATE_UTF8);
      expect((await tap.take('event')).event).toEqual(HEARTBEAT);
    }
    expect(tap.seen.filter((e) => e.kind === 'disconnected')).toEqual([]);
  });

  it('decodes many records arriving in one chunk', async () => {
    const master = await startMaster();
    const { script, writer } = streaming('fw-many');
    master.onSubscribe(script);
    const { tap } = startDriver(new StaticMasterDetector(master.base), { mediaType });
    await tap.take('subscribed');
    const w = await writer;
    const events: Event[] = Array.from({ length: 200 }, (_, i) => ({
      type: 'RESCIND',
      rescind: { offer_id: { value: `offer-${i}` } },
    }));
    await w.write(Buffer.concat(events.map((e) => w.frame(e))));
    for (const e of events) expect((await tap.take('event')).event).toEqual(e);
  });

  it('sends calls with Mesos-Stream-Id and framework_id in the same encoding', async () => {
    const master = await startMaster();
    const { script, writer } = streaming('fw-calls');
    master.onSubscribe(script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base), { mediaType });
    await tap.take('subscribed');
    const w = await writer;

    await driver.acknowledge({ value: 'agent-1' }, { value: 't1' }, UPDATE_UTF8.update!.status.uuid!);
    const call = master.calls()[0]!;
    expect(call.headers['mesos-stream-id']).toBe(w.streamId);
    expect(call.headers['content-type']).toBe(mediaType);
    expect(call.call).toEqual({
      type: 'ACKNOWLEDGE',
      framework_id: { value: 'fw-calls' },
      acknowledge: { agent_id: { value: 'agent-1' }, task_id: { value: 't1' }, uuid: UPDATE_UTF8.update!.status.uuid },
    });
  });
});

describe('SchedulerDriver connection handling', () => {
  it('follows a chain of 307s, including a protocol-relative Location, and stays with the leader', async () => {
    const [a, b, leader] = [await startMaster(), await startMaster(), await startMaster()];
    a.onSubscribe((_r, reply) => reply.redirect(`//${b.hostPort}/api/v1/scheduler`));
    b.onSubscribe((_r, reply) => reply.redirect(`${leader.base}/api/v1/scheduler`));
    const { script } = streaming('fw-redirect');
    leader.onSubscribe(script);
    const { driver, tap } = startDriver(new StaticMasterDetector(a.hostPort));

    const subscribed = await tap.take('subscribed');
    expect(subscribed.master).toBe(`${leader.base}/api/v1/scheduler`);
    expect(driver.master).toBe(`${leader.base}/api/v1/scheduler`);
    await driver.reconcile([{ task_id: { value: 't1' } }]);
    expect(leader.calls().map((r) => r.call?.type)).toEqual(['RECONCILE']);
    expect(a.calls()).toEqual([]);
    expect(b.calls()).toEqual([]);
  });

  it('follows a 307 answered to a call', async () => {
    const [master, other] = [await startMaster(), await startMaster()];
    const { script } = streaming('fw-call-redirect');
    master.onSubscribe(script);
    master.onCall((_r, reply) => reply.redirect(`//${other.hostPort}/api/v1/scheduler`));
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    await driver.kill({ value: 't1' });
    expect(other.calls().map((r) => r.call?.type)).toEqual(['KILL']);
    expect(other.calls()[0]!.headers['mesos-stream-id']).toBe(master.streams[0]!.streamId);
  });

  it('retries SUBSCRIBE after 503 and subscribes once a leader answers', async () => {
    const master = await startMaster();
    const { script } = streaming('fw-503');
    master.onSubscribe(
      (_r, reply) => reply.status(503, 'No leader elected'),
      (_r, reply) => reply.status(503, 'Master has not finished recovery'),
      script,
    );
    const { tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    expect(master.subscribes()).toHaveLength(3);
  });

  it('retries a call answered 503', async () => {
    const master = await startMaster();
    const { script } = streaming('fw-call-503');
    master.onSubscribe(script);
    let n = 0;
    master.onCall((_r, reply) => (++n === 1 ? reply.status(503, 'busy') : reply.status(202)));
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    await driver.revive();
    expect(master.calls().map((r) => r.call?.type)).toEqual(['REVIVE', 'REVIVE']);
  });

  it('moves on to the next master when one refuses connections', async () => {
    const dead = await FakeMaster.start();
    const deadAddress = dead.hostPort;
    await dead.close();
    const master = await startMaster();
    const { script } = streaming('fw-next');
    master.onSubscribe(script);
    const { tap } = startDriver(new StaticMasterDetector(`${deadAddress},${master.hostPort}`));
    expect((await tap.take('subscribed')).master).toBe(`${master.base}/api/v1/scheduler`);
  });

  it('detects a stalled stream and resubscribes with the same framework id', async () => {
    const master = await startMaster();
    const first = streaming('fw-stall', 0.05);
    const second = streaming('fw-stall', 0.05);
    master.onSubscribe(first.script, second.script);
    const { tap, persisted } = startDriver(new StaticMasterDetector(master.base), { heartbeatFailureThreshold: 2 });

    const s1 = await tap.take('subscribed');
    const stalled = await first.writer;
    // The master goes silent: no heartbeats from here on.
    const lost = await tap.take('disconnected');
    expect(lost.error).toMatchObject({ code: 'PACER_MESOS_HEARTBEAT_TIMEOUT' });
    await stalled.closed; // the dead connection was dropped, not left dangling
    const s2 = await tap.take('subscribed');
    expect(s2.resubscribed).toBe(true);
    expect(s2.streamId).not.toBe(s1.streamId);

    const resubscribe = master.subscribes()[1]!.call!;
    expect(resubscribe.framework_id).toEqual({ value: 'fw-stall' });
    expect(resubscribe.subscribe?.framework_info.id).toEqual({ value: 'fw-stall' });
    expect(persisted).toEqual(['fw-stall', 'fw-stall']);
  });

  it('keeps a stream alive while heartbeats arrive', async () => {
    const master = await startMaster();
    const { script, writer } = streaming('fw-beat', 0.05);
    master.onSubscribe(script);
    const { tap } = startDriver(new StaticMasterDetector(master.base), { heartbeatFailureThreshold: 4 });
    await tap.take('subscribed');
    const w = await writer;
    // Ten heartbeats at half the interval span well over the 200 ms dead-stream limit.
    for (let i = 0; i < 10; i++) {
      await w.send(HEARTBEAT);
      await new Promise((r) => setTimeout(r, 25));
    }
    await w.send(OFFERS);
    expect((await tap.take('event', (e) => e.event.type === 'OFFERS')).event).toEqual(OFFERS);
    expect(tap.seen.some((e) => e.kind === 'disconnected')).toBe(false);
    expect(master.subscribes()).toHaveLength(1);
  });

  it('reconnects after the master drops the connection in the middle of a record', async () => {
    const master = await startMaster();
    const first = streaming('fw-cut');
    const second = streaming('fw-cut');
    master.onSubscribe(first.script, second.script);
    const { tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const w = await first.writer;
    const framed = w.frame(OFFERS);
    await w.write(framed.subarray(0, framed.byteLength - 5));
    w.destroy();
    const lost = await tap.take('disconnected');
    expect(lost.error).toBeInstanceOf(Error);
    expect((await tap.take('subscribed')).resubscribed).toBe(true);
    expect(tap.mesosEvents()).toEqual([]);
  });

  it('treats a stream that ends cleanly inside a record as truncated and reconnects', async () => {
    const master = await startMaster();
    const first = streaming('fw-trunc');
    const second = streaming('fw-trunc');
    master.onSubscribe(first.script, second.script);
    const { tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const w = await first.writer;
    await w.write(Buffer.from('100\n{"type":'));
    w.end();
    const lost = await tap.take('disconnected');
    expect(lost.error).toMatchObject({ code: 'PACER_RECORDIO_TRUNCATED' });
    await tap.take('subscribed');
  });

  it('reconnects after garbage framing on the stream', async () => {
    const master = await startMaster();
    const first = streaming('fw-garbage');
    const second = streaming('fw-garbage');
    master.onSubscribe(first.script, second.script);
    const { tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const w = await first.writer;
    await w.write(Buffer.from('<html>oops</html>\n'));
    const lost = await tap.take('disconnected');
    expect(lost.error).toMatchObject({ code: 'PACER_RECORDIO_BAD_LENGTH' });
    await tap.take('subscribed');
    const w2 = await second.writer;
    await w2.send(OFFERS);
    expect((await tap.take('event')).event).toEqual(OFFERS);
  });

  it('reconnects after a well-framed record that is not an event', async () => {
    const master = await startMaster();
    const first = streaming('fw-codec');
    const second = streaming('fw-codec');
    master.onSubscribe(first.script, second.script);
    const { tap } = startDriver(new StaticMasterDetector(master.base), { mediaType: 'application/json' });
    await tap.take('subscribed');
    const w = await first.writer;
    await w.write(Buffer.from('5\n{"ty"'));
    const lost = await tap.take('disconnected');
    expect(lost.error).toMatchObject({ code: 'PACER_CODEC' });
    await tap.take('subscribed');
  });

  it('surfaces a 400 to SUBSCRIBE with its body and stops', async () => {
    const master = await startMaster();
    master.onSubscribe((_r, reply) => reply.status(400, "Failed to validate scheduler::Call: Expecting 'framework_info.user'"));
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    const stopped = await tap.take('stopped');
    expect(stopped.error).toBeInstanceOf(MesosHttpError);
    expect(stopped.error).toMatchObject({ status: 400, callType: 'SUBSCRIBE', body: expect.stringContaining('framework_info.user') });
    expect(await driver.whenStopped()).toBe(stopped.error);
    expect(driver.state).toBe('stopped');
    expect(master.subscribes()).toHaveLength(1);
  });

  it('rejects a call answered 400 with the body as a typed error', async () => {
    const master = await startMaster();
    const { script } = streaming('fw-400');
    master.onSubscribe(script);
    master.onCall((_r, reply) => reply.status(400, 'Not a valid UUID'));
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const err = await driver.acknowledge({ value: 'a' }, { value: 't' }, 'AAAA').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MesosHttpError);
    expect(err).toMatchObject({ status: 400, body: 'Not a valid UUID', callType: 'ACKNOWLEDGE', code: 'PACER_MESOS_HTTP_STATUS' });
    expect(master.calls()).toHaveLength(1); // not retried
  });

  it('ends the subscription on an ERROR event without reconnecting', async () => {
    const master = await startMaster();
    const { script, writer } = streaming('fw-error');
    master.onSubscribe(script, streaming('fw-error').script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    await (await writer).send({ type: 'ERROR', error: { message: 'Framework failed over' } });
    expect((await tap.take('event')).event).toEqual({ type: 'ERROR', error: { message: 'Framework failed over' } });
    const stopped = await tap.take('stopped');
    expect(stopped.error).toMatchObject({ code: 'PACER_MESOS_ERROR_EVENT', message: expect.stringContaining('Framework failed over') });
    await driver.close();
    expect(master.subscribes()).toHaveLength(1);
    await expect(driver.reconcile()).rejects.toMatchObject({ code: 'PACER_MESOS_DRIVER_CLOSED' });
  });

  it('sends HTTP Basic credentials on SUBSCRIBE and on calls, and the principal in FrameworkInfo', async () => {
    const master = await startMaster();
    const { script } = streaming('fw-auth');
    master.onSubscribe(script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base), {
      credentials: { principal: 'pacer', secret: 's3cr\u00e9t' },
    });
    await tap.take('subscribed');
    await driver.reconcile();
    const expected = `Basic ${Buffer.from('pacer:s3cr\u00e9t', 'utf8').toString('base64')}`;
    expect(master.subscribes()[0]!.headers.authorization).toBe(expected);
    expect(master.calls()[0]!.headers.authorization).toBe(expected);
    expect(master.subscribes()[0]!.call?.subscribe?.framework_info.principal).toBe('pacer');
  });

  it('sends offer calls without waiting for each other, but never past a SUPPRESS/REVIVE in either direction', async () => {
    // A slow master: every ordered call is held until the test answers it; arrival order is recorded.
    const master = await startMaster();
    const { script } = streaming('fw-lane');
    master.onSubscribe(script);
    const held = new Map<string, () => void>();
    const nameOf = (r: ReceivedRequest) => r.call?.accept?.offer_ids?.[0]?.value ?? r.call?.decline?.offer_ids?.[0]?.value ?? r.call?.type ?? '?';
    master.onCall((req, reply) => {
      if (req.call?.type === 'RECONCILE') reply.status(202);
      else held.set(nameOf(req), () => reply.status(202));
    });
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const arrived = () => master.calls().map(nameOf);
    const answer = async (name: string) => {
      await master.waitForRequest((r) => nameOf(r) === name);
      held.get(name)!();
    };

    const done = [
      driver.accept([{ value: 'o1' }], [{ type: 'LAUNCH', launch: { task_infos: [] } }]),
      driver.decline([{ value: 'o2' }], { refuse_seconds: 120 }),
      driver.decline([{ value: 'o3' }], { refuse_seconds: 120 }),
      driver.revive(),
      driver.decline([{ value: 'o4' }], { refuse_seconds: 120 }),
      driver.suppress(),
    ];
    // All three offer calls are at the master while none is answered: no round trip each.
    await master.waitForRequest((r) => nameOf(r) === 'o1');
    await master.waitForRequest((r) => nameOf(r) === 'o2');
    await master.waitForRequest((r) => nameOf(r) === 'o3');
    // Unordered calls are not held up either.
    await driver.reconcile();
    expect(arrived()).not.toContain('REVIVE');
    await answer('o3');
    await answer('o1');
    await Promise.all([done[0], done[2]]);
    await driver.reconcile();
    // REVIVE clears filters: it must not go out before every DECLINE with a filter was answered.
    expect(arrived()).not.toContain('REVIVE');
    await answer('o2');
    await master.waitForRequest((r) => nameOf(r) === 'REVIVE');
    await driver.reconcile();
    expect(arrived()).not.toContain('o4');
    await answer('REVIVE');
    // The DECLINE submitted after REVIVE went out only once REVIVE was answered, and SUPPRESS waits for it in turn.
    await answer('o4');
    await answer('SUPPRESS');
    await Promise.all(done);
    const order = arrived().filter((n) => n !== 'RECONCILE');
    expect(order.slice(0, 3).sort()).toEqual(['o1', 'o2', 'o3']);
    expect(order.slice(3)).toEqual(['REVIVE', 'o4', 'SUPPRESS']);
  });

  it('resubscribes at the new leader when the detector reports a change', async () => {
    const [oldLeader, newLeader] = [await startMaster(), await startMaster()];
    const first = streaming('fw-move');
    oldLeader.onSubscribe(first.script);
    newLeader.onSubscribe(streaming('fw-move').script);
    const detector = new MutableDetector([oldLeader.base]);
    const { tap } = startDriver(detector);
    expect((await tap.take('subscribed')).master).toBe(`${oldLeader.base}/api/v1/scheduler`);

    detector.set([newLeader.base]);
    const lost = await tap.take('disconnected');
    expect(lost.error).toMatchObject({ code: 'PACER_MESOS_LEADER_CHANGED' });
    const moved = await tap.take('subscribed');
    expect(moved.master).toBe(`${newLeader.base}/api/v1/scheduler`);
    expect(newLeader.subscribes()[0]!.call?.framework_id).toEqual({ value: 'fw-move' });
    await (
      await first.writer
    ).closed;
  });

  it('abandons a SUBSCRIBE hanging at a former leader when the detector reports a new one', async () => {
    const [oldLeader, newLeader] = [await startMaster(), await startMaster()];
    oldLeader.onSubscribe((_r, reply) => reply.hang());
    newLeader.onSubscribe(streaming('fw-hang').script);
    const detector = new MutableDetector([oldLeader.base]);
    const { tap } = startDriver(detector, { backoff: { initialMs: 5_000, maxMs: 5_000 } });
    await oldLeader.waitForSubscribe(1);
    detector.set([newLeader.base]);
    expect((await tap.take('subscribed', () => true, 2_000)).master).toBe(`${newLeader.base}/api/v1/scheduler`);
  });

  it('ignores a detector change that keeps the same leader', async () => {
    const master = await startMaster();
    const { script } = streaming('fw-same');
    master.onSubscribe(script);
    const detector = new MutableDetector([master.base]);
    const { driver, tap } = startDriver(detector);
    await tap.take('subscribed');
    detector.set([master.base]);
    await driver.reconcile(); // a round trip after the change notification
    expect(tap.seen.map((e) => e.kind)).toEqual(['subscribed']);
    expect(master.subscribes()).toHaveLength(1);
  });

  it('waits for detection while no leader is known', async () => {
    const master = await startMaster();
    master.onSubscribe(streaming('fw-wait').script);
    const detector = new MutableDetector([]);
    const { tap } = startDriver(detector, { backoff: { initialMs: 5_000, maxMs: 5_000 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(master.requests).toEqual([]);
    detector.set([master.base]); // wakes the driver out of its 5 s backoff
    await tap.take('subscribed', () => true, 2_000);
  });

  it('remembers suppressed roles across a resubscribe', async () => {
    const master = await startMaster();
    const first = streaming('fw-supp');
    master.onSubscribe(first.script, streaming('fw-supp').script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    await driver.suppress();
    (await first.writer).destroy();
    await tap.take('subscribed');
    expect(master.subscribes()[1]!.call?.subscribe?.suppressed_roles).toEqual(['*']);
  });

  it('fails calls while not subscribed', async () => {
    const master = await startMaster();
    master.onSubscribe((_r, reply) => reply.hang());
    const { driver } = startDriver(new StaticMasterDetector(master.base));
    await master.waitForSubscribe(1);
    const err = await driver.kill({ value: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MesosDriverError);
    expect(err).toMatchObject({ code: 'PACER_MESOS_NOT_SUBSCRIBED' });
  });

  it('close() drops the stream, ends the events and stops for good', async () => {
    const master = await startMaster();
    const { script, writer } = streaming('fw-close');
    master.onSubscribe(script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    await driver.close();
    await (
      await writer
    ).closed;
    const stopped = await tap.take('stopped');
    expect(stopped.error).toBeUndefined();
    expect(driver.state).toBe('stopped');
    await expect(driver.reconcile()).rejects.toMatchObject({ code: 'PACER_MESOS_DRIVER_CLOSED' });
    expect(master.subscribes()).toHaveLength(1);
  });

  it('teardown() sends TEARDOWN and stops without resubscribing', async () => {
    const master = await startMaster();
    master.onSubscribe(streaming('fw-teardown').script, streaming('fw-teardown').script);
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    await driver.teardown();
    expect(master.calls().map((r) => r.call)).toEqual([{ type: 'TEARDOWN', framework_id: { value: 'fw-teardown' } }]);
    expect((await tap.take('stopped')).error).toBeUndefined();
    expect(master.subscribes()).toHaveLength(1);
  });
});

describe('SchedulerDriver call safety and recovery', () => {
  it('does not resend an ACCEPT whose connection died after it was sent', async () => {
    const master = await startMaster();
    master.onSubscribe(streaming('fw-accept').script);
    master.onCall((_r, reply) => reply.drop());
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const err = await driver.accept([{ value: 'o1' }], []).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PACER_MESOS_CONNECTION' });
    expect(master.calls().map((r) => r.call?.type)).toEqual(['ACCEPT']);
  });

  it('resends other calls whose connection died, within maxCallAttempts', async () => {
    const master = await startMaster();
    master.onSubscribe(streaming('fw-kill').script);
    let n = 0;
    master.onCall((_r, reply) => (++n < 3 ? reply.drop() : reply.status(202)));
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base), { maxCallAttempts: 3 });
    await tap.take('subscribed');
    await driver.kill({ value: 't1' }, { value: 'a1' });
    expect(master.calls().map((r) => r.call?.type)).toEqual(['KILL', 'KILL', 'KILL']);
  });

  it('gives up on a call after maxCallAttempts', async () => {
    const master = await startMaster();
    master.onSubscribe(streaming('fw-give-up').script);
    master.onCall((_r, reply) => reply.status(503, 'No leader elected'));
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base), { maxCallAttempts: 2 });
    await tap.take('subscribed');
    await expect(driver.reconcile()).rejects.toMatchObject({ status: 503, body: 'No leader elected' });
    expect(master.calls()).toHaveLength(2);
  });

  it('fails calls still queued in the lane when the subscription is lost', async () => {
    const master = await startMaster();
    const first = streaming('fw-lost');
    master.onSubscribe(first.script, streaming('fw-lost').script);
    const held: Array<() => void> = [];
    master.onCall((_r, reply) => {
      held.push(() => reply.status(202));
    });
    const { driver, tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    const accept = driver.accept([{ value: 'o1' }], []).catch((e: unknown) => e);
    // Both wait for the ACCEPT: SUPPRESS is a barrier, and the DECLINE comes after it.
    const suppress = driver.suppress().catch((e: unknown) => e);
    const decline = driver.decline([{ value: 'o2' }]).catch((e: unknown) => e);
    await master.waitForRequest((r) => r.call?.type === 'ACCEPT');
    (await first.writer).destroy();
    await tap.take('disconnected');
    expect(await accept).toMatchObject({ code: 'PACER_MESOS_NOT_SUBSCRIBED' });
    expect(await suppress).toMatchObject({ code: 'PACER_MESOS_NOT_SUBSCRIBED' });
    expect(await decline).toMatchObject({ code: 'PACER_MESOS_NOT_SUBSCRIBED' });
    expect(master.calls().map((r) => r.call?.type)).toEqual(['ACCEPT']);
    await tap.take('subscribed');
  });

  it('reconnects when persisting the framework id fails, and surfaces nothing until it succeeds', async () => {
    const master = await startMaster();
    master.onSubscribe(streaming('fw-persist').script, streaming('fw-persist').script);
    let attempts = 0;
    const { tap } = startDriver(new StaticMasterDetector(master.base), {
      persistFrameworkId: async () => {
        if (++attempts === 1) throw new Error('disk full');
      },
    });
    const subscribed = await tap.take('subscribed');
    expect(attempts).toBe(2);
    expect(subscribed.resubscribed).toBe(true);
    expect(tap.seen.map((e) => e.kind)).toEqual(['subscribed']);
    expect(master.subscribes()[1]!.call?.framework_id).toEqual({ value: 'fw-persist' });
  });

  it('reconnects when a stream does not start with SUBSCRIBED', async () => {
    const master = await startMaster();
    master.onSubscribe((_r, reply) => void reply.stream().send(HEARTBEAT), streaming('fw-first').script);
    const { tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    expect(master.subscribes()).toHaveLength(2);
    expect(tap.mesosEvents()).toEqual([]);
  });

  it('reconnects when a 200 carries no Mesos-Stream-Id', async () => {
    const master = await startMaster();
    master.onSubscribe((_r, reply) => reply.status(200, ''), streaming('fw-nostream').script);
    const { tap } = startDriver(new StaticMasterDetector(master.base));
    await tap.take('subscribed');
    expect(master.subscribes()).toHaveLength(2);
  });

  it('decodes a stream in the encoding the master answered with', async () => {
    const master = await startMaster();
    master.onSubscribe((_r, reply) => void reply.stream({ mediaType: 'application/json' }).send(subscribedEvent('fw-ct'), OFFERS));
    const { tap } = startDriver(new StaticMasterDetector(master.base), { mediaType: 'application/x-protobuf' });
    await tap.take('subscribed');
    expect((await tap.take('event')).event).toEqual(OFFERS);
  });
});

/** A detector whose answer the test changes, notifying listeners like the ZooKeeper one would. */
class MutableDetector implements MasterDetector {
  #masters: string[];
  readonly #listeners = new Set<() => void>();

  constructor(masters: string[]) {
    this.#masters = masters;
  }

  set(masters: string[]): void {
    this.#masters = masters;
    for (const l of this.#listeners) l();
  }

  candidates(): Promise<string[]> {
    return Promise.resolve([...this.#masters]);
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

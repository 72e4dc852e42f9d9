/**
 * The SUBSCRIBE stream on the wire: headers, RecordIO framing, the first events, heartbeats,
 * the protobuf encoding (decoded with protobufjs straight from proto/, not via src/mesos), and
 * ACCEPTs that a master must refuse through task updates rather than HTTP errors.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { RawRecordReader } from '../helpers/raw-recordio.js';
import { openStream, postJson, rawRequest, subscribeCall, subscribeJson, type OpenStream } from './wire-client.js';

const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEARTBEAT_SECONDS = 0.3;

const logger = pino({ level: 'silent' });
let local: MesosLocalHandle;
let base: string;
let streams: OpenStream[] = [];

type Json = Record<string, any>;

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 0,
      simulatedAgents: 2,
      agentResources: 'cpus:2;mem:1024;disk:1000;ports:[31000-31009]',
      allocationIntervalMs: 50,
      heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    },
    logger,
  );
  base = local.url;
});

afterEach(() => {
  for (const stream of streams) stream.close();
  streams = [];
});

afterAll(async () => {
  await local?.close();
});

function loadSchedulerProto(): protobuf.Root {
  const root = new protobuf.Root();
  // scheduler.proto imports "mesos/v1/mesos.proto" relative to the proto/ directory.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(path.join(PROTO_DIR, 'mesos/v1/scheduler/scheduler.proto'), { keepCase: true });
  root.resolveAll();
  return root;
}

async function subscribe(name: string, extra: Record<string, unknown> = {}) {
  const result = await subscribeJson(base, name, extra);
  streams.push(result.stream);
  return result;
}

async function nextOffers(records: RawRecordReader): Promise<Json[]> {
  const event = await records.nextJsonWhere((e) => e.type === 'OFFERS');
  return (event as Json).offers.offers as Json[];
}

async function nextUpdate(records: RawRecordReader, taskId: string): Promise<Json> {
  const event = await records.nextJsonWhere((e) => e.type === 'UPDATE' && (e as Json).update.status.task_id.value === taskId);
  return (event as Json).update.status as Json;
}

function call(frameworkId: string, body: Json): Json {
  return { framework_id: { value: frameworkId }, ...body };
}

function commandTask(taskId: string, agentId: string, cpus: number): Json {
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: { value: agentId },
    command: { value: 'true' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
  };
}

describe('JSON subscription', () => {
  it('streams SUBSCRIBED, then HEARTBEAT, then OFFERS as RecordIO over a chunked 200', async () => {
    const stream = await openStream(base, {
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(subscribeCall('json-stream')),
    });
    streams.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('application/json');
    expect(stream.headers['transfer-encoding']).toBe('chunked');
    expect(stream.headers['content-length']).toBeUndefined();
    expect(stream.headers['mesos-stream-id']).toMatch(UUID_PATTERN);

    const subscribed = (await stream.records.nextJson()) as Json;
    expect(subscribed.type).toBe('SUBSCRIBED');
    expect(subscribed.subscribed.framework_id.value).toEqual(expect.any(String));
    expect(subscribed.subscribed.heartbeat_interval_seconds).toBe(HEARTBEAT_SECONDS);
    expect(subscribed.subscribed.master_info).toMatchObject({ id: local.masterInfo.id, port: local.masterInfo.port });

    // Upstream's heartbeater beats at once after SUBSCRIBED (SchedulerHttpApiTest.Subscribe).
    expect(await stream.records.nextJson()).toEqual({ type: 'HEARTBEAT' });

    const offers = (await stream.records.nextJson()) as Json;
    expect(offers.type).toBe('OFFERS');
    expect(offers.offers.offers.length).toBeGreaterThan(0);
    const offer = offers.offers.offers[0];
    expect(offer.framework_id.value).toBe(subscribed.subscribed.framework_id.value);
    expect(offer.resources.map((r: Json) => r.name)).toEqual(expect.arrayContaining(['cpus', 'mem', 'ports']));

    const heartbeat = await stream.records.nextJsonWhere((e) => e.type === 'HEARTBEAT', { maxSkipped: 10 });
    expect(heartbeat).toEqual({ type: 'HEARTBEAT' });

    // Every byte so far is whole records: "<length>\n<JSON>", nothing in between.
    const raw = Buffer.concat(stream.records.raw).toString('utf8');
    expect(raw).toMatch(/^\d+\n\{"type":"SUBSCRIBED"/);
  });

  it('answers an explicit RECONCILE of 1,000 tasks with 1,000 whole records, in the order asked', async () => {
    const { stream, frameworkId } = await subscribe('reconcile-burst');
    const taskIds = Array.from({ length: 1_000 }, (_, n) => `never-launched-${n}`);
    const answer = await postJson(base, call(frameworkId, { type: 'RECONCILE', reconcile: { tasks: taskIds.map((value) => ({ task_id: { value } })) } }), {
      'Mesos-Stream-Id': (stream.headers['mesos-stream-id'] as string) ?? '',
    });
    expect(answer.status).toBe(202);
    const answered: Json[] = [];
    // The master sends the answers in one burst, written a few hundred records at a time.
    while (answered.length < taskIds.length) {
      const event = (await stream.records.nextJsonWhere((e) => e.type === 'UPDATE', { maxSkipped: 20 })) as Json;
      answered.push(event.update.status as Json);
    }
    expect(answered.map((status) => status.task_id.value)).toEqual(taskIds);
    // Upstream answers a task it never saw, on no known agent, with TASK_LOST (partition-unaware framework).
    expect(new Set(answered.map((status) => `${status.state}/${status.reason}`))).toEqual(new Set(['TASK_LOST/REASON_RECONCILIATION']));
  });

  it('answers JSON when Accept is missing or */*', async () => {
    const variants: Record<string, string>[] = [{ 'Content-Type': 'application/json' }, { 'Content-Type': 'application/json', Accept: '*/*' }];
    for (const headers of variants) {
      const stream = await openStream(base, { headers, body: JSON.stringify(subscribeCall('default-accept')) });
      streams.push(stream);
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('application/json');
      expect(((await stream.records.nextJson()) as Json).type).toBe('SUBSCRIBED');
    }
  });

  it('ends the old stream with an ERROR when the framework subscribes again', async () => {
    const first = await subscribe('failover', { failover_timeout: 60 });
    const again = await openStream(base, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'SUBSCRIBE',
        framework_id: { value: first.frameworkId },
        subscribe: { framework_info: { user: 'tester', name: 'failover', id: { value: first.frameworkId }, failover_timeout: 60 } },
      }),
    });
    streams.push(again);
    expect(((await again.records.nextJson()) as Json).type).toBe('SUBSCRIBED');
    expect(again.headers['mesos-stream-id']).not.toBe(first.streamId);
    const error = await first.stream.records.nextJsonWhere((e) => e.type === 'ERROR');
    expect((error as Json).error.message).toBe('Framework failed over');
  });
});

describe('protobuf subscription', () => {
  it('streams protobuf Events when Accept asks for application/x-protobuf', async () => {
    const root = loadSchedulerProto();
    const Call = root.lookupType('mesos.v1.scheduler.Call');
    const Event = root.lookupType('mesos.v1.scheduler.Event');
    const body = Call.encode(Call.fromObject({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'tester', name: 'protobuf-stream' } } })).finish();

    const stream = await openStream(base, {
      headers: { 'Content-Type': 'application/x-protobuf', Accept: 'application/x-protobuf' },
      body: Buffer.from(body),
    });
    streams.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('application/x-protobuf');

    const toObject = (bytes: Buffer): Json => Event.toObject(Event.decode(bytes), { enums: String, longs: Number });
    const subscribed = toObject(await stream.records.next());
    expect(subscribed.type).toBe('SUBSCRIBED');
    expect(subscribed.subscribed.framework_id.value).toEqual(expect.any(String));
    expect(subscribed.subscribed.heartbeat_interval_seconds).toBeCloseTo(HEARTBEAT_SECONDS);
    expect(subscribed.subscribed.master_info.id).toBe(local.masterInfo.id);
    expect(subscribed.subscribed.master_info.port).toBe(local.masterInfo.port);

    expect(toObject(await stream.records.next()).type).toBe('HEARTBEAT');
    const offers = toObject(await stream.records.next());
    expect(offers.type).toBe('OFFERS');
    expect(offers.offers.offers[0].agent_id.value).toEqual(expect.any(String));

    // A protobuf DECLINE on another connection, with the stream id, is accepted.
    const decline = Call.encode(
      Call.fromObject({
        type: 'DECLINE',
        framework_id: subscribed.subscribed.framework_id,
        decline: { offer_ids: offers.offers.offers.map((o: Json) => o.id), filters: { refuse_seconds: 60 } },
      }),
    ).finish();
    const res = await rawRequest(base, {
      headers: { 'Content-Type': 'application/x-protobuf', 'Mesos-Stream-Id': String(stream.headers['mesos-stream-id']) },
      body: Buffer.from(decline),
    });
    expect(res.status).toBe(202);
  });
});

describe('ACCEPTs a master refuses through task updates', () => {
  it('reports tasks launched on a foreign offer id as lost with REASON_INVALID_OFFERS', async () => {
    const { stream, frameworkId, streamId } = await subscribe('foreign-offer');
    const [offer] = await nextOffers(stream.records);
    const res = await postJson(
      base,
      call(frameworkId, {
        type: 'ACCEPT',
        accept: {
          offer_ids: [{ value: 'no-such-offer' }],
          operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('foreign', offer!.agent_id.value, 0.1)] } }],
        },
      }),
      { 'Mesos-Stream-Id': streamId },
    );
    expect(res.status).toBe(202);
    const status = await nextUpdate(stream.records, 'foreign');
    expect(status.state).toBe('TASK_LOST');
    expect(status.reason).toBe('REASON_INVALID_OFFERS');
    expect(status.source).toBe('SOURCE_MASTER');
  });

  it('refuses a second ACCEPT of an offer already used', async () => {
    const { stream, frameworkId, streamId } = await subscribe('reused-offer', { capabilities: [{ type: 'PARTITION_AWARE' }] });
    const [offer] = await nextOffers(stream.records);
    const accept = (taskId: string) =>
      postJson(
        base,
        call(frameworkId, {
          type: 'ACCEPT',
          accept: {
            offer_ids: [offer!.id],
            operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask(taskId, offer!.agent_id.value, 0.1)] } }],
          },
        }),
        { 'Mesos-Stream-Id': streamId },
      );
    expect((await accept('first-use')).status).toBe(202);
    expect((await accept('second-use')).status).toBe(202);
    const second = await nextUpdate(stream.records, 'second-use');
    // A PARTITION_AWARE framework hears TASK_DROPPED where others hear TASK_LOST.
    expect(second.state).toBe('TASK_DROPPED');
    expect(second.reason).toBe('REASON_INVALID_OFFERS');
  });

  it('answers a launch asking for more than the offer holds with TASK_ERROR', async () => {
    const { stream, frameworkId, streamId } = await subscribe('too-big');
    const [offer] = await nextOffers(stream.records);
    const res = await postJson(
      base,
      call(frameworkId, {
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer!.id],
          operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('greedy', offer!.agent_id.value, 64)] } }],
        },
      }),
      { 'Mesos-Stream-Id': streamId },
    );
    expect(res.status).toBe(202);
    const status = await nextUpdate(stream.records, 'greedy');
    expect(status.state).toBe('TASK_ERROR');
    expect(status.reason).toBe('REASON_TASK_INVALID');
    expect(status.message).toMatch(/resources/i);
  });

  it('keeps offering and launching afterwards', async () => {
    const { stream, frameworkId, streamId } = await subscribe('after-bad-input');
    const [offer] = await nextOffers(stream.records);
    const res = await postJson(
      base,
      call(frameworkId, {
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer!.id],
          operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('fine', offer!.agent_id.value, 0.1)] } }],
        },
      }),
      { 'Mesos-Stream-Id': streamId },
    );
    expect(res.status).toBe(202);
    // Updates carry a uuid and the next one waits for its acknowledgement, as on a real agent.
    const states: string[] = [];
    for (let i = 0; i < 5 && !states.includes('TASK_RUNNING'); i++) {
      const status = await nextUpdate(stream.records, 'fine');
      states.push(status.state);
      if (status.uuid !== undefined) {
        const ack = await postJson(
          base,
          call(frameworkId, {
            type: 'ACKNOWLEDGE',
            acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
          }),
          { 'Mesos-Stream-Id': streamId },
        );
        expect(ack.status).toBe(202);
      }
    }
    expect(states).toContain('TASK_RUNNING');
  });
});

/**
 * Status codes and messages of the scheduler endpoint, checked over real HTTP with plain
 * node:http against the words upstream Mesos uses (src/master/http.cpp, validation.cpp).
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { postJson, rawRequest, subscribeCall, subscribeJson, type OpenStream } from './wire-client.js';

const logger = pino({ level: 'silent' });
let local: MesosLocalHandle;
let base: string;
let streams: OpenStream[] = [];

beforeAll(async () => {
  local = await startMesosLocal({ ip: '127.0.0.1', port: 0, agents: 0, simulatedAgents: 1, allocationIntervalMs: 100, heartbeatIntervalSeconds: 15 }, logger);
  base = local.url;
});

// Closing a stream removes its framework (failover_timeout 0), which frees its offers.
afterEach(() => {
  for (const stream of streams) stream.close();
  streams = [];
});

afterAll(async () => {
  await local?.close();
});

async function subscribed(name: string) {
  const result = await subscribeJson(base, name);
  streams.push(result.stream);
  return result;
}

describe('request shape', () => {
  it('answers GET with 405 and an Allow header', async () => {
    const res = await rawRequest(base, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.text).toBe("405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
  });

  it('answers a missing Content-Type with 400', async () => {
    const res = await rawRequest(base, { body: JSON.stringify(subscribeCall()) });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe("Expecting 'Content-Type' to be present");
  });

  it.each(['text/plain', 'application/json; charset=utf-8', 'APPLICATION/JSON'])(
    'answers Content-Type %j with 415, comparing exactly as upstream does',
    async (contentType) => {
      const res = await rawRequest(base, { headers: { 'Content-Type': contentType }, body: JSON.stringify(subscribeCall()) });
      expect(res.status).toBe(415);
      expect(res.text).toBe("Expecting 'Content-Type' of application/json or application/x-protobuf");
    },
  );

  it('answers malformed JSON with 400 naming the parse failure', async () => {
    const res = await rawRequest(base, { headers: { 'Content-Type': 'application/json' }, body: '{"type": "SUBSCRIBE",' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^Failed to parse body into JSON: .*JSON/);
  });

  it('answers a truncated protobuf with 400', async () => {
    // Field 3 (subscribe), length 40, but only two bytes follow.
    const res = await rawRequest(base, {
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: Buffer.from([0x10, 0x01, 0x1a, 0x28, 0x0a, 0x05]),
    });
    expect(res.status).toBe(400);
    expect(res.text).toBe('Failed to parse body into Call protobuf');
  });

  it('drops an unknown call type name, as stout does for an optional enum, and then finds the type missing', async () => {
    const res = await postJson(base, { type: 'LAUNCH_ROCKETS', framework_id: { value: 'x' } });
    expect(res.status).toBe(400);
    // What Mesos 1.12 answers (test/mesos-real/differential.test.ts, badCalls).
    expect(res.text).toBe("Failed to validate scheduler::Call: Expecting 'type' to be present");
  });

  it('answers missing required fields with 400 listing them', async () => {
    const res = await postJson(base, { type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } });
    expect(res.status).toBe(400);
    expect(res.text).toBe('Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user');
  });

  it('answers a field of the wrong JSON kind with 400', async () => {
    const res = await postJson(base, { type: 'DECLINE', framework_id: 'not-an-object' });
    expect(res.status).toBe(400);
    expect(res.text).toBe("Failed to convert JSON into Call protobuf: Not expecting a JSON string for field 'framework_id'");
  });

  it('answers a JSON array body with 400', async () => {
    const res = await postJson(base, [subscribeCall()]);
    expect(res.status).toBe(400);
    expect(res.text).toBe('Failed to convert JSON into Call protobuf: Expecting a JSON object');
  });
});

describe('call validation', () => {
  it('requires a type', async () => {
    const res = await postJson(base, { framework_id: { value: 'x' } });
    expect(res.status).toBe(400);
    expect(res.text).toBe("Failed to validate scheduler::Call: Expecting 'type' to be present");
  });

  it('requires the payload of the call type', async () => {
    const res = await postJson(base, { type: 'DECLINE', framework_id: { value: 'x' } });
    expect(res.status).toBe(400);
    expect(res.text).toBe("Failed to validate scheduler::Call: Expecting 'decline' to be present");
  });

  it('requires framework_id on calls other than SUBSCRIBE', async () => {
    const res = await postJson(base, { type: 'REVIVE' });
    expect(res.status).toBe(400);
    expect(res.text).toBe("Failed to validate scheduler::Call: Expecting 'framework_id' to be present");
  });

  it('refuses a SUBSCRIBE whose framework ids differ', async () => {
    const call = { ...subscribeCall(), framework_id: { value: 'other' } };
    const res = await postJson(base, call);
    expect(res.status).toBe(400);
    expect(res.text).toBe("Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'");
  });

  it('refuses an ACKNOWLEDGE whose uuid is not a UUID', async () => {
    const res = await postJson(base, {
      type: 'ACKNOWLEDGE',
      framework_id: { value: 'x' },
      acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: Buffer.from('bad-uuid').toString('base64') },
    });
    expect(res.status).toBe(400);
    expect(res.text).toBe('Failed to validate scheduler::Call: Not a valid UUID');
  });

  it('answers an Accept that allows neither encoding with 406', async () => {
    const res = await postJson(base, subscribeCall(), { Accept: 'text/html' });
    expect(res.status).toBe(406);
    expect(res.text).toBe("Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  });

  it('answers an Accept that gives JSON q=0 and nothing else with 406', async () => {
    const res = await postJson(base, subscribeCall(), { Accept: 'application/json;q=0' });
    expect(res.status).toBe(406);
  });

  it('refuses a SUBSCRIBE carrying Mesos-Stream-Id', async () => {
    const res = await postJson(base, subscribeCall(), { 'Mesos-Stream-Id': randomUUID() });
    expect(res.status).toBe(400);
    expect(res.text).toBe("Subscribe calls should not include the 'Mesos-Stream-Id' header");
  });
});

describe('framework and stream checks', () => {
  it('answers calls of an unknown framework with 400', async () => {
    const res = await postJson(base, { type: 'TEARDOWN', framework_id: { value: 'no-such-framework' } }, { 'Mesos-Stream-Id': randomUUID() });
    expect(res.status).toBe(400);
    expect(res.text).toBe('Framework cannot be found');
  });

  it('answers a call without Mesos-Stream-Id with 400', async () => {
    const { frameworkId } = await subscribed('no-stream-id');
    const res = await postJson(base, { type: 'REVIVE', framework_id: { value: frameworkId } });
    expect(res.status).toBe(400);
    expect(res.text).toBe("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  });

  it('answers a call with a wrong Mesos-Stream-Id with 400', async () => {
    const { frameworkId } = await subscribed('wrong-stream-id');
    const wrong = randomUUID();
    const res = await postJson(base, { type: 'REVIVE', framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': wrong });
    expect(res.status).toBe(400);
    expect(res.text).toBe(`The stream ID '${wrong}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`);
  });

  it('answers calls of a framework whose stream is gone with 403', async () => {
    const { stream, frameworkId, streamId } = await subscribeJson(base, 'disconnected', { failover_timeout: 600 });
    stream.close();
    // The master learns of the disconnect asynchronously; poll a bounded number of times.
    let res = await postJson(base, { type: 'REVIVE', framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': streamId });
    for (let i = 0; i < 50 && res.status === 202; i++) {
      await new Promise((r) => setTimeout(r, 20));
      res = await postJson(base, { type: 'REVIVE', framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': streamId });
    }
    expect(res.status).toBe(403);
    expect(res.text).toBe('Framework is not subscribed');
  });

  it('accepts a valid call with 202 and an empty body', async () => {
    const { frameworkId, streamId } = await subscribed('accepted');
    const res = await postJson(base, { type: 'REVIVE', framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': streamId });
    expect(res.status).toBe(202);
    expect(res.headers['content-length']).toBe('0');
    expect(res.body.length).toBe(0);
  });

  it('serves the same endpoint under /master/api/v1/scheduler', async () => {
    const { frameworkId, streamId } = await subscribed('prefixed');
    const res = await rawRequest(base, {
      path: '/master/api/v1/scheduler',
      headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId },
      body: JSON.stringify({ type: 'SUPPRESS', framework_id: { value: frameworkId } }),
    });
    expect(res.status).toBe(202);
  });

  it('answers an explicit UNKNOWN call of a subscribed framework with 501', async () => {
    const { frameworkId, streamId } = await subscribed('unknown-call');
    const res = await postJson(base, { type: 'UNKNOWN', framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': streamId });
    expect(res.status).toBe(501);
  });

  it('keeps serving after all of the above', async () => {
    const { subscribed: event } = await subscribed('still-alive');
    expect(event.type).toBe('SUBSCRIBED');
  });
});

describe('JSON conversion as upstream does it', () => {
  it('reads null as unset, a single value as a one-element list and numeric strings as numbers', async () => {
    const { stream, frameworkId, streamId } = await subscribed('lenient-json');
    const offers = await stream.records.nextJsonWhere((e) => e.type === 'OFFERS');
    const [offer] = (offers as { offers: { offers: { id: { value: string } }[] } }).offers.offers;
    const res = await postJson(
      base,
      {
        type: 'DECLINE',
        framework_id: { value: frameworkId },
        // `offer_ids` is repeated: one object stands for a list of one.
        decline: { offer_ids: offer!.id, filters: { refuse_seconds: '60' } },
        revive: null,
        some_future_field: { ignored: true },
      },
      { 'Mesos-Stream-Id': streamId },
    );
    expect(res.status).toBe(202);
    expect(local.master.outstandingOffers(frameworkId).map((o) => o.id)).not.toContain(offer!.id.value);
  });

  it('refuses a non-numeric string for a number field', async () => {
    const res = await postJson(base, {
      type: 'DECLINE',
      framework_id: { value: 'x' },
      decline: { offer_ids: [], filters: { refuse_seconds: 'soon' } },
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^Failed to convert JSON into Call protobuf: .*'refuse_seconds'/);
  });

  it('treats an unknown enum name deep inside a call as the field left unset', async () => {
    const call = (operation: Record<string, unknown>): Record<string, unknown> => ({
      type: 'ACCEPT',
      framework_id: { value: 'x' },
      accept: { offer_ids: [], operations: [operation] },
    });
    const unknown = await postJson(base, call({ type: 'TELEPORT' }));
    const unset = await postJson(base, call({}));
    expect(unknown.text).not.toContain('Failed to convert JSON');
    expect({ status: unknown.status, text: unknown.text }).toEqual({ status: unset.status, text: unset.text });
  });
});

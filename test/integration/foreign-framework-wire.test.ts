/**
 * Wire details an independent framework can observe, each one checked over real HTTP against an
 * in-process `pacer mesos-local` with a raw client (test/local/wire-client.ts, which shares no
 * code with src/mesos), and each one following a named upstream fact:
 *
 * - HEARTBEAT is the second event of every subscription: upstream's Framework::heartbeat() starts
 *   a ResponseHeartbeater without delay right after SUBSCRIBED (src/master/master.cpp,
 *   src/common/heartbeater.hpp; asserted by SchedulerHttpApiTest.Subscribe).
 * - A framework whose subscription breaks is deactivated, and the hierarchical allocator's
 *   deactivateFramework clears its offer filters (src/master/allocator/mesos/hierarchical.cpp):
 *   after re-subscribing it is offered again the agents it declined with a long refuse_seconds.
 *
 * "No offer arrived" is judged against heartbeats (every 300 ms, allocation every 50 ms), as in
 * test/integration/mesos-local.test.ts: not a timed assertion, several allocation passes' worth.
 */
import { userInfo } from 'node:os';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMesosLocal, type MesosLocalHandle } from '../../src/local/index.js';
import { openStream, postJson, type OpenStream } from '../local/wire-client.js';

const HEARTBEAT_SECONDS = 0.3;
const AGENTS = 2;
const logger = pino({ level: 'silent' });

type Json = Record<string, any>;

let local: MesosLocalHandle;
let streams: OpenStream[] = [];

beforeAll(async () => {
  local = await startMesosLocal(
    {
      ip: '127.0.0.1',
      port: 0,
      agents: 0,
      simulatedAgents: AGENTS,
      agentResources: 'cpus:2;mem:1024;disk:1000;ports:[31000-31009]',
      allocationIntervalMs: 50,
      heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    },
    logger,
  );
});

afterEach(() => {
  for (const stream of streams) stream.close();
  streams = [];
});

afterAll(async () => {
  await local?.close();
});

/** SUBSCRIBE (re-SUBSCRIBE with `frameworkId`) as a JSON client does; reads SUBSCRIBED. */
async function subscribe(name: string, frameworkId?: string) {
  const info: Json = { user: userInfo().username, name, failover_timeout: 60 };
  const call: Json = { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  if (frameworkId !== undefined) {
    info.id = { value: frameworkId };
    call.framework_id = { value: frameworkId };
  }
  const stream = await openStream(local.url, {
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(call),
  });
  streams.push(stream);
  expect(stream.status).toBe(200);
  const subscribed = (await stream.records.nextJson()) as Json;
  expect(subscribed.type).toBe('SUBSCRIBED');
  return { stream, frameworkId: subscribed.subscribed.framework_id.value as string, streamId: String(stream.headers['mesos-stream-id']) };
}

/** Reads OFFERS events (skipping heartbeats) until offers from every agent have been seen. */
async function offersFromEveryAgent(stream: OpenStream): Promise<Json[]> {
  const offers = new Map<string, Json>();
  while (offers.size < AGENTS) {
    const event = (await stream.records.nextJsonWhere((e) => e.type === 'OFFERS', { maxSkipped: 20 })) as Json;
    for (const offer of event.offers.offers as Json[]) offers.set(offer.agent_id.value, offer);
  }
  return [...offers.values()];
}

describe('heartbeats', () => {
  it('sends HEARTBEAT right after SUBSCRIBED, before any offer, on subscribe and re-subscribe', async () => {
    const first = await subscribe('heartbeat-order');
    expect(await first.stream.records.nextJson()).toEqual({ type: 'HEARTBEAT' });

    // A second subscription of the same framework (a scheduler failover) gets its own beat.
    const again = await subscribe('heartbeat-order', first.frameworkId);
    expect(again.frameworkId).toBe(first.frameworkId);
    expect(await again.stream.records.nextJson()).toEqual({ type: 'HEARTBEAT' });
  });
});

describe('refusal filters across a disconnection', () => {
  it('keeps declined agents out while connected, and offers them again after a re-subscribe', async () => {
    const { stream, frameworkId, streamId } = await subscribe('filters-failover');
    const call = (body: Json, id = streamId) => postJson(local.url, { framework_id: { value: frameworkId }, ...body }, { 'Mesos-Stream-Id': id });

    const offers = await offersFromEveryAgent(stream);
    const declined = await call({
      type: 'DECLINE',
      decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 3600 } },
    });
    expect(declined.status).toBe(202);

    // Two heartbeats in a row with nothing between them: many allocation passes made no offer.
    let quietBeats = 0;
    while (quietBeats < 2) {
      const event = (await stream.records.nextJson()) as Json;
      expect(event.type).toBe('HEARTBEAT');
      quietBeats += 1;
    }

    // The subscription breaks without a TEARDOWN; the master notices and deactivates. (A call
    // that changes nothing probes for that: REVIVE would clear the filters itself.)
    stream.close();
    const probe = () => call({ type: 'RECONCILE', reconcile: { tasks: [] } }).then((r) => r.status);
    let answer = await probe();
    for (let i = 0; answer === 202 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      answer = await probe();
    }
    expect(answer).toBe(403);

    const again = await subscribe('filters-failover', frameworkId);
    expect(await again.stream.records.nextJson()).toEqual({ type: 'HEARTBEAT' });
    const reoffered = await offersFromEveryAgent(again.stream);
    expect(reoffered.map((o) => o.agent_id.value).sort()).toEqual(offers.map((o) => o.agent_id.value).sort());
  });
});

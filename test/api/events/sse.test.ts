import net from 'node:net';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import type { MarathonEvent } from '../../../src/scheduler/contracts.js';
import { frame, openRaw, startEventsServer, statusUpdate, until, type Harness, type RawStream } from './sse-harness.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let harness: Harness | undefined;
const sources: EventSource[] = [];
const raws: RawStream[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sources.splice(0)) s.close();
  for (const r of raws.splice(0)) r.close();
  for (const s of sockets.splice(0)) s.destroy();
  await harness?.app.close();
  harness = undefined;
});

interface Received {
  type: string;
  data: string;
}

/** A real SSE client listening for the given event names, in arrival order. */
function listen(url: string, types: readonly string[]): { source: EventSource; received: Received[] } {
  const source = new EventSource(url);
  sources.push(source);
  const received: Received[] = [];
  for (const type of types) {
    source.addEventListener(type, (e) => received.push({ type, data: (e as MessageEvent<string>).data }));
  }
  return { source, received };
}

function deployment(n: number): MarathonEvent {
  return { id: `plan-${n}`, plan: { id: `plan-${n}`, steps: [] }, eventType: 'deployment_success', timestamp: '2024-01-01T00:00:00.000Z' };
}

describe('GET /v2/events with a real SSE client', () => {
  it('delivers its own attach, then every published event in order', async () => {
    harness = await startEventsServer();
    const types = ['event_stream_attached', 'status_update_event', 'deployment_success'];
    const { received } = listen(`${harness.baseUrl}/v2/events`, types);
    await until(() => received.length === 1, 'own attach event');

    const attached = JSON.parse(received[0]!.data) as Record<string, unknown>;
    expect(received[0]!.type).toBe('event_stream_attached');
    expect(Object.keys(attached)).toEqual(['remoteAddress', 'eventType', 'timestamp']);
    expect(attached.remoteAddress).toBe('127.0.0.1');
    expect(attached.timestamp).toMatch(TIMESTAMP);

    const published: MarathonEvent[] = [];
    for (let n = 0; n < 60; n++) published.push(n % 3 === 2 ? deployment(n) : statusUpdate(n));
    for (const event of published) harness.bus.publish(event);
    await until(() => received.length === 1 + published.length, 'all published events');

    expect(received.slice(1).map((r) => r.type)).toEqual(published.map((e) => e.eventType));
    expect(received.slice(1).map((r) => JSON.parse(r.data) as unknown)).toEqual(published);
  });

  it('sends only the event types named by repeated event_type parameters', async () => {
    harness = await startEventsServer();
    const url = `${harness.baseUrl}/v2/events?event_type=deployment_success&event_type=event_stream_detached`;
    const all = ['event_stream_attached', 'event_stream_detached', 'status_update_event', 'deployment_success'];
    const { source, received } = listen(url, all);
    await new Promise<void>((resolve) => source.addEventListener('open', () => resolve(), { once: true }));
    expect(harness.app.eventStream.stats().clients[0]!.eventTypes).toEqual(['deployment_success', 'event_stream_detached']);

    harness.bus.publish(statusUpdate(1));
    harness.bus.publish(deployment(2));
    harness.bus.publish({ eventType: 'event_stream_attached', remoteAddress: 'x', timestamp: '2024-01-01T00:00:00.000Z' });
    harness.bus.publish(statusUpdate(3));
    harness.bus.publish({ eventType: 'event_stream_detached', remoteAddress: 'y', timestamp: '2024-01-01T00:00:00.000Z' });
    harness.bus.publish(deployment(4));
    await until(() => received.length === 3, 'filtered events');
    // A later unfiltered marker proves nothing else was still in flight.
    harness.bus.publish(deployment(5));
    await until(() => received.length === 4, 'marker');

    expect(received.map((r) => r.type)).toEqual(['deployment_success', 'event_stream_detached', 'deployment_success', 'deployment_success']);
    expect(received.map((r) => (JSON.parse(r.data) as { id?: string; remoteAddress?: string }).id ?? 'detach')).toEqual([
      'plan-2',
      'detach',
      'plan-4',
      'plan-5',
    ]);
  });

  it('publishes event_stream_attached and event_stream_detached for other clients', async () => {
    harness = await startEventsServer();
    const watcher = listen(`${harness.baseUrl}/v2/events`, ['event_stream_attached', 'event_stream_detached']);
    await until(() => watcher.received.length === 1, 'watcher attach');

    const other = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(other);
    await until(() => watcher.received.length === 2, 'second attach');
    other.close();
    await until(() => watcher.received.length === 3, 'detach of the second client');

    expect(watcher.received.map((r) => r.type)).toEqual(['event_stream_attached', 'event_stream_attached', 'event_stream_detached']);
    const detached = JSON.parse(watcher.received[2]!.data) as Record<string, unknown>;
    expect(Object.keys(detached)).toEqual(['remoteAddress', 'eventType', 'timestamp']);
    expect(detached.remoteAddress).toBe('127.0.0.1');
    expect(detached.timestamp).toMatch(TIMESTAMP);
    expect(harness.app.eventStream.clientCount).toBe(1);
  });
});

describe('GET /v2/events bytes on the wire', () => {
  it('frames each event as "event: <type>\\ndata: <one-line JSON>\\n\\n" with SSE headers', async () => {
    harness = await startEventsServer();
    const raw = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(raw);
    expect(raw.response.statusCode).toBe(200);
    expect(raw.response.headers['content-type']).toBe('text/event-stream;charset=utf-8');
    expect(raw.response.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
    expect(raw.response.headers.connection).toBe('close');

    await until(() => harness!.seen.length === 1, 'attach on the bus');
    const events = [statusUpdate(7), deployment(8)];
    for (const e of events) harness.bus.publish(e);
    const expected = [harness.seen[0]!, ...events].map((e) => frame(e)).join('');
    await until(() => raw.text().length >= expected.length, 'all bytes');

    expect(raw.text()).toBe(expected);
    // The newline inside `message` is escaped, so data stays on one line.
    expect(
      raw
        .text()
        .split('\n')
        .filter((l) => l.startsWith('data: ')),
    ).toHaveLength(3);
  });

  it('writes Jetty-identical CRLF framing when asked', async () => {
    harness = await startEventsServer({ lineEnding: 'crlf' });
    const raw = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(raw);
    await until(() => harness!.seen.length === 1, 'attach on the bus');
    harness.bus.publish(statusUpdate(1));
    const expected = frame(harness.seen[0]!, '\r\n') + frame(statusUpdate(1), '\r\n');
    await until(() => raw.text().length >= expected.length, 'all bytes');
    expect(raw.text()).toBe(expected);
  });

  it('sends a bare line break as keep-alive, which SSE parsers skip', async () => {
    harness = await startEventsServer({ heartbeatMs: 10 });
    const raw = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(raw);
    await until(() => harness!.seen.length === 1, 'attach on the bus');
    const attachFrame = frame(harness.seen[0]!);
    await until(() => raw.text().length >= attachFrame.length + 3, 'three keep-alives');
    const text = raw.text();
    expect(text.startsWith(attachFrame)).toBe(true);
    expect(text.slice(attachFrame.length)).toMatch(/^\n+$/);
  });

  it('streams for an Accept list naming text/event-stream, and answers 405 otherwise as Jetty does', async () => {
    harness = await startEventsServer();
    const listed = await openRaw(`${harness.baseUrl}/v2/events`, { accept: 'application/json, text/event-stream;q=0.9' });
    raws.push(listed);
    expect(listed.response.statusCode).toBe(200);

    for (const accept of ['*/*', 'application/json', 'text/event-stream;q=0']) {
      const res = await harness.app.inject({ method: 'GET', url: '/v2/events', headers: { accept } });
      expect(res.statusCode, accept).toBe(405);
      expect(res.json<{ message: string }>().message).toContain('text/event-stream');
    }
    const none = await harness.app.inject({ method: 'GET', url: '/v2/events' });
    expect(none.statusCode).toBe(405);
  });

  it('carries headers set by earlier hooks, such as X-Marathon-Leader', async () => {
    harness = await startEventsServer({}, (app) => {
      app.addHook('onRequest', async (_request, reply) => {
        void reply.header('X-Marathon-Leader', 'http://127.0.0.1:8080');
        void reply.header('Content-Length', '12');
      });
    });
    const raw = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(raw);
    expect(raw.response.headers['x-marathon-leader']).toBe('http://127.0.0.1:8080');
    expect(raw.response.headers['content-length']).toBeUndefined();
    expect(raw.response.headers['content-type']).toBe('text/event-stream;charset=utf-8');
  });
});

describe('GET /v2/events on a non-leader', () => {
  it('redirects with 302 to the same URL on the leader', async () => {
    harness = await startEventsServer({ isLeader: () => false, leaderUrl: () => 'http://10.1.2.3:8080/' });
    const res = await harness.app.inject({
      method: 'GET',
      url: '/v2/events?event_type=a&event_type=b',
      headers: { accept: 'text/event-stream' },
    });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('http://10.1.2.3:8080/v2/events?event_type=a&event_type=b');
    expect(harness.app.eventStream.clientCount).toBe(0);
    expect(harness.seen).toEqual([]);
  });

  it('answers 502 while no leader is known', async () => {
    harness = await startEventsServer({ isLeader: () => false, leaderUrl: () => undefined });
    const res = await harness.app.inject({ method: 'GET', url: '/v2/events', headers: { accept: 'text/event-stream' } });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ message: 'Could not determine the current leader' });
  });
});

describe('GET /v2/events lifecycle', () => {
  it('ends open streams on standby and on app.close()', async () => {
    harness = await startEventsServer();
    const a = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(a);
    await until(() => harness!.app.eventStream.clientCount === 1, 'first client');
    const aEnded = new Promise<void>((resolve) => a.response.on('end', resolve));
    harness.app.eventStream.closeAll('standby');
    await aEnded;
    expect(harness.app.eventStream.clientCount).toBe(0);
    expect(harness.seen.map((e) => e.eventType)).toEqual(['event_stream_attached', 'event_stream_detached']);

    const b = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(b);
    await until(() => harness!.app.eventStream.clientCount === 1, 'second client');
    const bEnded = new Promise<void>((resolve) => b.response.on('end', resolve));
    await harness.app.close();
    await bEnded;
    harness = undefined;
  });
});

describe('GET /v2/events and bad events', () => {
  it('skips an event it cannot frame, logs it, and keeps streaming', async () => {
    harness = await startEventsServer();
    const raw = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(raw);
    await until(() => harness!.seen.length === 1, 'attach on the bus');
    harness.bus.publish({ eventType: 'status_update_event', timestamp: '2024-01-01T00:00:00.000Z', big: 1n });
    harness.bus.publish({ eventType: 'bad\nevent', timestamp: '2024-01-01T00:00:00.000Z' });
    harness.bus.publish(statusUpdate(2));
    const expected = frame(harness.seen[0]!) + frame(statusUpdate(2));
    await until(() => raw.text().length >= expected.length, 'the good event');
    expect(raw.text()).toBe(expected);
    expect(harness.app.eventStream.clientCount).toBe(1);
  });
});

describe('GET /v2/events slow consumers', () => {
  it('resets a client that has stopped reading when streams are closed, rather than wait on it', async () => {
    harness = await startEventsServer({ maxOutstandingMessages: 1000 });
    const { app, bus, port } = harness;
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    socket.pause();
    await until(() => app.eventStream.clientCount === 1, 'client attached');
    const payload = 'z'.repeat(256 * 1024);
    for (let n = 0; n < 200 && !app.eventStream.stats().clients[0]!.backpressured; n++) {
      bus.publish({ eventType: 'status_update_event', timestamp: '2024-01-01T00:00:00.000Z', n, payload });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(app.eventStream.stats().clients[0]!.backpressured).toBe(true);

    app.eventStream.closeAll('standby');
    const connections = (): Promise<number> => new Promise((resolve, reject) => app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    let open = await connections();
    for (let turn = 0; turn < 2000 && open > 0; turn++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
      open = await connections();
    }
    expect(open).toBe(0);
  });

  it('drops a client that stops reading once its backlog passes maxOutstandingMessages', async () => {
    const limit = 10;
    harness = await startEventsServer({ maxOutstandingMessages: limit });
    const { app, bus, seen, port } = harness;

    // A raw socket that sends the request and then never reads.
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    socket.pause();
    await until(() => app.eventStream.clientCount === 1, 'slow client attached');

    const payload = 'x'.repeat(256 * 1024);
    let published = 0;
    let peakQueued = 0;
    let lastSeen = app.eventStream.stats().clients[0]!;
    for (let n = 0; n < 400 && app.eventStream.stats().slowDisconnects === 0; n++) {
      bus.publish({ eventType: 'status_update_event', timestamp: '2024-01-01T00:00:00.000Z', n, payload });
      published += 1;
      const client = app.eventStream.stats().clients[0];
      if (client !== undefined) {
        lastSeen = client;
        peakQueued = Math.max(peakQueued, client.queued);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    const stats = app.eventStream.stats();
    expect(stats.slowDisconnects).toBe(1);
    expect(stats.clients).toEqual([]);
    expect(peakQueued).toBe(limit);
    expect(lastSeen.peakQueued).toBe(limit);
    // The backlog the server held was the queue plus at most one socket high-water mark and frame.
    expect(lastSeen.bufferedBytes).toBeLessThan(2 * (payload.length + 1024) + 64 * 1024);
    // Frames written (its own attach first), then `limit` queued, then the one that overflowed.
    expect(lastSeen.framesWritten - 1 + limit + 1).toBe(published);
    expect(seen.filter((e) => e.eventType === 'event_stream_detached')).toHaveLength(1);

    // The client sees its connection go away once it reads again.
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await closed;
    expect(received).toBeLessThan(published * payload.length);
  });

  it('keeps a reading client through a synchronous burst far above the limit', async () => {
    harness = await startEventsServer({ maxOutstandingMessages: 4 });
    const raw = await openRaw(`${harness.baseUrl}/v2/events`);
    raws.push(raw);
    await until(() => harness!.seen.length === 1, 'attach on the bus');
    const burst: MarathonEvent[] = [];
    for (let n = 0; n < 500; n++) {
      burst.push({ eventType: 'status_update_event', timestamp: '2024-01-01T00:00:00.000Z', n, pad: 'p'.repeat(2048) });
    }
    for (const e of burst) harness.bus.publish(e);
    const expected = [harness.seen[0]!, ...burst].map((e) => frame(e)).join('');
    await until(() => raw.text().length >= expected.length, 'the whole burst');
    expect(raw.text()).toBe(expected);
    expect(harness.app.eventStream.stats().slowDisconnects).toBe(0);
    expect(harness.app.eventStream.clientCount).toBe(1);
  });

  it('keeps serving a fast client while a slow one is dropped', async () => {
    harness = await startEventsServer({ maxOutstandingMessages: 4 });
    const { app, bus, port } = harness;
    const fast = listen(`${harness.baseUrl}/v2/events?event_type=status_update_event`, ['status_update_event']);
    await new Promise<void>((resolve) => fast.source.addEventListener('open', () => resolve(), { once: true }));
    const slow = net.connect(port, '127.0.0.1');
    sockets.push(slow);
    await new Promise<void>((resolve) => slow.once('connect', resolve));
    slow.write('GET /v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    slow.pause();
    await until(() => app.eventStream.clientCount === 2, 'both clients');

    const payload = 'y'.repeat(128 * 1024);
    let published = 0;
    for (let n = 0; n < 800 && app.eventStream.stats().slowDisconnects === 0; n++) {
      bus.publish({ eventType: 'status_update_event', timestamp: '2024-01-01T00:00:00.000Z', n, payload });
      published += 1;
      // Let the fast client drain, as a real reader would.
      await until(() => fast.received.length === published, `fast client to read event ${n}`);
    }
    expect(app.eventStream.stats().slowDisconnects).toBe(1);
    expect(app.eventStream.clientCount).toBe(1);
    expect(fast.received.map((r) => (JSON.parse(r.data) as { n: number }).n)).toEqual(Array.from({ length: published }, (_, i) => i));
  });
});

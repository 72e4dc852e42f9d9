import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { eventsPlugin, type EventsPluginOptions } from '../../../src/api/events/index.js';
import type { MarathonEvent } from '../../../src/scheduler/contracts.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';

export interface Harness {
  app: FastifyInstance;
  bus: LocalEventBus;
  /** Everything published on the bus, in order (attach/detach included). */
  seen: MarathonEvent[];
  baseUrl: string;
  port: number;
}

export async function startEventsServer(options: Partial<EventsPluginOptions> = {}, before: (app: FastifyInstance) => void = () => {}): Promise<Harness> {
  const bus = new LocalEventBus();
  const seen: MarathonEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  const app = fastify({ logger: false });
  before(app);
  await app.register(eventsPlugin, { bus, logger: pino({ level: 'silent' }), heartbeatMs: 0, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, bus, seen, port, baseUrl: `http://127.0.0.1:${port}` };
}

/** Resolves once `predicate` holds, checking after every turn of the event loop; bounded. */
export async function until(predicate: () => boolean, what: string, maxTurns = 4_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setTimeout(resolve, turn < 100 ? 0 : 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export interface RawStream {
  response: http.IncomingMessage;
  /** Every byte received so far, as text. */
  text(): string;
  close(): void;
}

/** A plain `http.get`, keeping the body bytes exactly as they arrive. */
export function openRaw(url: string, headers: Record<string, string> = { accept: 'text/event-stream' }): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => {});
      resolve({
        response,
        text: () => Buffer.concat(chunks).toString('utf8'),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

export function frame(event: MarathonEvent, eol = '\n'): string {
  return `event: ${event.eventType}${eol}data: ${JSON.stringify(event)}${eol}${eol}`;
}

export function statusUpdate(n: number): MarathonEvent {
  return {
    slaveId: 'agent-1',
    taskId: `web.instance-${n}._app.1`,
    taskStatus: 'TASK_RUNNING',
    message: 'line one\nline two',
    appId: '/web',
    host: 'host-1',
    ipAddresses: [{ ipAddress: '10.0.0.1', protocol: 'IPv4' }],
    ports: [31000 + n],
    version: '2024-01-01T00:00:00.000Z',
    eventType: 'status_update_event',
    timestamp: `2024-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
  };
}

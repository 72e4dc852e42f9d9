/**
 * Test doubles for the health tests: an in-memory InstanceTracker whose state changes are real
 * (callers move instances through conditions and listeners see every change), an AppLookup over
 * a map, an event log, real servers on 127.0.0.1 port 0 standing in for tasks, and a bounded wait.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { normalizeAndValidateApp } from '../../../src/model/apps/index.js';
import type { HealthCheck, ReadinessCheck } from '../../../src/model/apps/types.js';
import type { AppDefinition, AppLookup, Goal, Instance, InstanceChange, InstanceTracker, MarathonEvent, Timestamp } from '../../../src/scheduler/contracts.js';
import { LocalEventBus } from '../../../src/scheduler/event-bus.js';

export const silent = pino({ level: 'silent' });
export const V1 = '2024-01-01T00:00:00.000Z';
export const V2 = '2024-02-01T00:00:00.000Z';

/** A canonical app with one named host port; checks are then tuned to test-sized intervals. */
export function appWith(
  opts: { id?: string; version?: string; healthChecks?: Array<Partial<HealthCheck>>; readinessChecks?: Array<Partial<ReadinessCheck>> } = {},
): AppDefinition {
  const app = normalizeAndValidateApp(
    {
      id: opts.id ?? '/web',
      cmd: 'sleep 1000',
      portDefinitions: [{ port: 0, name: 'http-api' }],
      healthChecks: (opts.healthChecks ?? []).map((h) => ({ protocol: h.protocol ?? 'HTTP', portIndex: 0 })),
      readinessChecks: (opts.readinessChecks ?? []).map(() => ({ portName: 'http-api', intervalSeconds: 2, timeoutSeconds: 1 })),
    },
    { mesosRole: '*' },
  );
  const version = opts.version ?? V1;
  return {
    ...app,
    version,
    // Sub-second timings keep the tests short; the canonical type is plain seconds.
    healthChecks: app.healthChecks.map((h, i) => ({ ...h, ...opts.healthChecks![i] })),
    readinessChecks: app.readinessChecks.map((r, i) => ({ ...r, ...opts.readinessChecks![i] })),
  };
}

let counter = 0;

export function runningInstance(app: AppDefinition, port: number, extra: Partial<Instance> = {}): Instance {
  const instanceId = `${app.id.slice(1).replaceAll('/', '_')}.instance-${++counter}`;
  return {
    instanceId,
    appId: app.id,
    runSpecVersion: app.version!,
    goal: 'Running',
    condition: 'Running',
    since: Date.now() - 3_600_000,
    taskId: `${instanceId}._app.1`,
    incarnation: 1,
    agentId: 'agent-1',
    hostname: '127.0.0.1',
    hostPorts: [port],
    ipAddresses: [{ ipAddress: '127.0.0.1', protocol: 'IPv4' }],
    ...extra,
  };
}

/** InstanceTracker double: `put` and `expunge` are the state changes, announced in order. */
export class TestTracker implements InstanceTracker {
  readonly #instances = new Map<string, Instance>();
  readonly #listeners = new Set<(change: InstanceChange) => void>();
  readonly goals: Array<{ ids: readonly string[]; goal: Goal; reason: string }> = [];

  all(): readonly Instance[] {
    return [...this.#instances.values()];
  }
  ofApp(appId: string): readonly Instance[] {
    return this.all().filter((i) => i.appId === appId);
  }
  get(instanceId: string): Instance | undefined {
    return this.#instances.get(instanceId);
  }
  onChange(listener: (change: InstanceChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
  async setGoal(instanceIds: readonly string[], goal: Goal, reason: string): Promise<void> {
    this.goals.push({ ids: instanceIds, goal, reason });
  }

  put(instance: Instance): Instance {
    const previous = this.#instances.get(instance.instanceId);
    this.#instances.set(instance.instanceId, instance);
    for (const listener of [...this.#listeners]) listener({ instance, previous, expunged: false });
    return instance;
  }
  update(instanceId: string, patch: Partial<Instance>): Instance {
    const current = this.#instances.get(instanceId);
    if (!current) throw new Error(`no instance ${instanceId}`);
    return this.put({ ...current, ...patch });
  }
  expunge(instanceId: string): void {
    const previous = this.#instances.get(instanceId);
    if (!previous) return;
    this.#instances.delete(instanceId);
    for (const listener of [...this.#listeners]) listener({ instance: previous, previous, expunged: true });
  }
}

export class TestApps implements AppLookup {
  readonly #current = new Map<string, AppDefinition>();
  readonly #versions = new Map<string, AppDefinition>();
  constructor(...apps: AppDefinition[]) {
    for (const app of apps) this.set(app);
  }
  set(app: AppDefinition): void {
    this.#current.set(app.id, app);
    this.#versions.set(`${app.id}@${app.version}`, app);
  }
  app(id: string): AppDefinition | undefined {
    return this.#current.get(id);
  }
  async appVersion(id: string, version: Timestamp): Promise<AppDefinition | undefined> {
    return this.#versions.get(`${id}@${version}`);
  }
}

export class EventLog {
  readonly bus = new LocalEventBus();
  readonly events: MarathonEvent[] = [];
  constructor() {
    this.bus.subscribe((e) => this.events.push(e));
  }
  of(eventType: string): MarathonEvent[] {
    return this.events.filter((e) => e.eventType === eventType);
  }
}

/** Polls `predicate` every 10 ms; fails after `timeoutMs` (a bound, never an assertion on speed). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface TestHttpServer {
  port: number;
  /** Requests seen so far. */
  hits: number;
  /** Requests being answered right now, and the most seen at once. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestHttpServer> {
  const server: HttpServer = createHttpServer();
  const state: TestHttpServer = { port: 0, hits: 0, inFlight: 0, maxInFlight: 0, close: () => closeServer(server) };
  server.on('request', (req, res) => {
    state.hits++;
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let counted = true;
    const done = (): void => {
      if (counted) state.inFlight--;
      counted = false;
    };
    res.once('finish', done);
    res.once('close', done);
    handler(req, res);
  });
  return listen(server, state);
}

/** A raw TCP server that writes `reply` to every connection and then keeps it open. */
export async function rawServer(reply: string): Promise<TestHttpServer> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => {
      state.hits++;
      socket.write(reply);
    });
  });
  const state: TestHttpServer = {
    port: 0,
    hits: 0,
    inFlight: 0,
    maxInFlight: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
  return listen(server, state);
}

async function listen(server: HttpServer | NetServer, state: TestHttpServer): Promise<TestHttpServer> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.port = (server.address() as AddressInfo).port;
  return state;
}

export function closeServer(server: HttpServer | NetServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

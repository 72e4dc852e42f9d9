/**
 * A Marathon API on 127.0.0.1:0 for the client tests: the real facade and event stream over the
 * real PacerServiceImpl (test/api/harness.ts: in-memory store, fake cluster). A timer ticks the
 * cluster the way a cluster moves on, but only after a client has read `/v2/deployments` and then
 * one app (or one pod's status) of a running deployment since the last tick, and requests wait until the service has
 * reacted to a tick, so a polling client sees every stage of a deployment whatever the timers do.
 * Deployment progress, events and outcomes are the service's.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { eventsPlugin } from '../../src/api/events/index.js';
import type { QueueEntry } from '../../src/scheduler/contracts.js';
import type { PacerServiceImpl } from '../../src/scheduler/service.js';
import { settle, type FakeCluster } from '../scheduler/fakes/fake-cluster.js';
import { harness, type Harness } from '../api/harness.js';

export interface TestServer {
  url: string;
  service: PacerServiceImpl;
  cluster: FakeCluster;
  app: FastifyInstance;
  harness: Harness;
  /** Overrides the core's launch queue (the matcher's offer statistics). */
  setQueue(entries: QueueEntry[]): void;
  /** Stops the cluster from moving on: running deployments stay running. */
  pause(): void;
  close(): Promise<void>;
}

export async function startServer(opts: { tickMs?: number; autoDeploy?: boolean } = {}): Promise<TestServer> {
  const listed = new Set<string>();
  let seen = false;
  /** Settles once the service has reacted to the last tick. */
  let reacted: Promise<void> = Promise.resolve();
  const h = await harness({
    register: async (app, service) => {
      await app.register(eventsPlugin, { bus: service.events, logger: pino({ level: 'silent' }), heartbeatMs: 0 });
      app.addHook('onRequest', async () => reacted);
      app.addHook('onResponse', async (req) => {
        if (req.method !== 'GET') return;
        if (req.url === '/v2/deployments') for (const d of service.deployments()) listed.add(d.id);
        const appId = /^\/v2\/apps(\/[^?]+)$/.exec(req.url)?.[1];
        // A pod's progress is read from its status (`pacer pod …` polls /v2/pods/<id>::status).
        const podId = /^\/v2\/pods(\/[^?:]+)::status$/.exec(req.url)?.[1];
        if (appId === undefined && podId === undefined) return;
        for (const d of service.deployments()) {
          if (!listed.has(d.id)) continue;
          if ((appId !== undefined && d.affectedApps.includes(appId)) || (podId !== undefined && d.affectedPods.includes(podId))) seen = true;
        }
      });
    },
  });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  let timer: NodeJS.Timeout | undefined;
  if (opts.autoDeploy !== false) {
    timer = setInterval(() => {
      if (!seen) return;
      seen = false;
      listed.clear();
      h.cluster.tick();
      reacted = settle();
    }, opts.tickMs ?? 100);
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    service: h.service,
    cluster: h.cluster,
    app: h.app,
    harness: h,
    setQueue: (entries) => {
      h.queueEntries = entries;
    },
    pause: () => clearInterval(timer),
    close: async () => {
      clearInterval(timer);
      await h.app.close();
    },
  };
}

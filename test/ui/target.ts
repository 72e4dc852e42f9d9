/**
 * The server the UI tests drive. Today: the real REST facade (buildApiServer) and SSE plugin
 * over FakePacerService, with SimulatedScheduler playing the orchestrator, plus the real
 * uiPlugin — all in this process on 127.0.0.1, port 0.
 *
 * To test against the real Pacer instead, change only `startTarget()`: spawn
 * `node bin/pacer.js --master local --http_port <free port>` as a child process, wait until
 * `GET /ping` answers, and return `{ baseUrl, close }` where close kills the child (SIGTERM,
 * then SIGKILL after a bounded wait). The scenarios only use HTTP and the browser, so nothing
 * else changes; the "waiting" scenario needs an app that no local agent can fit (cpus: 100).
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApiServer } from '../../src/api/server.js';
import { eventsPlugin } from '../../src/api/events/index.js';
import { uiPlugin } from '../../src/ui/plugin.js';
import { FakePacerService } from '../fakes/fake-service.js';
import { browserModules } from './build-ui.js';
import { SimulatedScheduler } from './simulated-scheduler.js';

export interface UiTarget {
  baseUrl: string;
  /** What is behind the URL, for test names and logs. */
  description: string;
  close(): Promise<void>;
}

export async function startTarget(): Promise<UiTarget> {
  return startInProcessTarget();
}

async function startInProcessTarget(): Promise<UiTarget> {
  const logger = pino({ level: 'silent' });
  const service = new FakePacerService();
  service.frameworkStatus = { frameworkId: 'pacer-ui-test-0000', master: 'http://127.0.0.1:5050/api/v1/scheduler', subscribed: true };
  const ui = browserModules();
  const app = buildApiServer({
    service,
    logger,
    appParse: { mesosRole: '*' },
    info: {
      version: '0.1.0',
      leaderHostPort: '127.0.0.1:0',
      httpPort: 0,
      frameworkName: 'pacer',
      master: 'local',
      hostname: '127.0.0.1',
      failoverTimeout: 604800,
      checkpoint: true,
      mesosRole: '*',
      reconciliationInterval: 600000,
      taskLaunchTimeout: 300000,
      ha: false,
    },
  });
  await app.register(eventsPlugin, { bus: service.events, logger, heartbeatMs: 0 });
  await app.register(uiPlugin, { modulesDir: ui.modulesDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const scheduler = new SimulatedScheduler(service);
  scheduler.start();
  const { port } = app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    description: 'REST facade + SSE over FakePacerService with a simulated scheduler',
    close: async () => {
      scheduler.stop();
      await app.close();
      ui.cleanup();
    },
  };
}

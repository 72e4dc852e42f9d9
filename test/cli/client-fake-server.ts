/**
 * A Marathon API on 127.0.0.1:0 for the client tests: the real facade (buildApiServer) and the
 * real SSE plugin over the in-memory FakePacerService. A stepper plays deployments forward on
 * a short timer the way a cluster would: one step per tick, instances converge to the target,
 * then `deployment_success` — or `deployment_failed` for apps whose id contains "doomed".
 * A deployment only moves on after a client has read `/v2/deployments` and then one of its apps
 * since its last move, so every state is seen whole by a polling client, however timers fall.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { eventsPlugin } from '../../src/api/events/index.js';
import { buildApiServer } from '../../src/api/server.js';
import { timestamp, type DeploymentPlan } from '../../src/scheduler/contracts.js';
import { FakePacerService } from '../fakes/fake-service.js';
import { INFO, runningInstance } from '../api/harness.js';

export interface FakeMarathon {
  url: string;
  service: FakePacerService;
  app: FastifyInstance;
  /** Stops playing deployments forward (they then stay running). */
  pause(): void;
  close(): Promise<void>;
}

function converge(service: FakePacerService, appId: string): void {
  const target = service.app(appId)?.instances ?? 0;
  const current = service.instances.ofApp(appId);
  for (let i = current.length; i < target; i++) service.instances.put(runningInstance(appId));
  for (const extra of current.slice(target)) service.instances.expunge(extra.instanceId);
}

function step(service: FakePacerService, plan: DeploymentPlan): void {
  const now = timestamp(Date.now());
  if (plan.currentStep < plan.steps.length) {
    plan.currentStep++;
    const actions = plan.steps[plan.currentStep - 1]!.actions;
    plan.currentActions = actions.map((a) => ({ ...a, readinessCheckResults: [] }));
    service.events.publish({ eventType: 'deployment_info', timestamp: now, plan: { id: plan.id }, currentStep: { actions } });
    // StartApplication starts nothing (Marathon keeps it for compatibility); the others converge.
    for (const a of actions) if (a.action !== 'StartApplication') converge(service, a.app);
    return;
  }
  service.finishDeployment(plan.id);
  if (plan.affectedApps.some((a) => a.includes('doomed'))) {
    service.events.publish({ eventType: 'deployment_failed', timestamp: now, id: plan.id, plan: { id: plan.id }, reason: 'The upgrade has been cancelled' });
  } else {
    service.events.publish({ eventType: 'deployment_success', timestamp: now, id: plan.id, plan: { id: plan.id } });
  }
}

export async function startFakeMarathon(opts: { stepMs?: number; autoDeploy?: boolean } = {}): Promise<FakeMarathon> {
  const service = new FakePacerService();
  const logger = pino({ level: 'silent' });
  const app = buildApiServer({ service, logger, appParse: { mesosRole: '*' }, info: INFO });
  await app.register(eventsPlugin, { bus: service.events, logger, heartbeatMs: 0 });
  const listed = new Set<string>();
  const seen = new Set<string>();
  app.addHook('onResponse', async (req) => {
    if (req.method !== 'GET') return;
    if (req.url === '/v2/deployments') for (const d of service.deployments()) listed.add(d.id);
    const appId = /^\/v2\/apps(\/[^?]+)$/.exec(req.url)?.[1];
    if (appId === undefined) return;
    for (const d of service.deployments()) {
      if (listed.has(d.id) && d.affectedApps.includes(appId)) {
        listed.delete(d.id);
        seen.add(d.id);
      }
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  let timer: NodeJS.Timeout | undefined;
  if (opts.autoDeploy !== false) {
    timer = setInterval(() => {
      for (const plan of [...service.deployments()]) {
        if (!seen.delete(plan.id)) continue;
        step(service, plan);
      }
    }, opts.stepMs ?? 100);
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    service,
    app,
    pause: () => clearInterval(timer),
    close: async () => {
      clearInterval(timer);
      await app.close();
    },
  };
}

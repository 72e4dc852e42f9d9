/** Builds the facade over the in-memory fake service with a fixed clock. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApiServer, type ApiServerOptions, type InfoOptions } from '../../src/api/server.js';
import type { Instance } from '../../src/scheduler/contracts.js';
import { FakePacerService } from '../fakes/fake-service.js';

export const NOW = Date.parse('2024-05-01T12:00:00.000Z');

export const INFO: InfoOptions = {
  version: '1.11.0',
  leaderHostPort: '127.0.0.1:8080',
  httpPort: 8080,
  frameworkName: 'marathon',
  master: 'zk://user:secret@127.0.0.1:2181/mesos',
  zk: 'zk://127.0.0.1:2181/pacer',
  hostname: 'pacer-host',
  webuiUrl: 'http://pacer-host:8080',
  failoverTimeout: 604800,
  checkpoint: true,
  mesosRole: '*',
  mesosUser: 'root',
  reconciliationInterval: 600000,
  taskLaunchTimeout: 300000,
  ha: false,
};

export interface Harness {
  app: FastifyInstance;
  service: FakePacerService;
}

export async function harness(extra: Partial<ApiServerOptions> = {}): Promise<Harness> {
  const service = new FakePacerService(() => NOW);
  const app = buildApiServer({
    service,
    logger: pino({ level: 'silent' }),
    appParse: { mesosRole: '*' },
    info: INFO,
    clock: () => NOW,
    ...extra,
  });
  await app.ready();
  return { app, service };
}

export type Json = Record<string, any>;

export function json(res: LightMyRequestResponse): Json {
  return JSON.parse(res.body) as Json;
}

export const SLEEP_APP = { id: '/sleep', cmd: 'sleep 1000', cpus: 0.1, mem: 32, instances: 2 };

/** POST an app and finish its deployment, as a running cluster would. */
export async function createApp(h: Harness, body: Json = SLEEP_APP): Promise<Json> {
  const res = await h.app.inject({ method: 'POST', url: '/v2/apps', payload: body });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  const created = json(res);
  for (const d of created.deployments as Array<{ id: string }>) h.service.finishDeployment(d.id);
  return created;
}

let sequence = 0;

/** A running instance of `appId` on agent `host`. */
export function runningInstance(appId: string, host = 'agent-1', overrides: Partial<Instance> = {}): Instance {
  const n = ++sequence;
  const uuid = `0000000${n}-1111-11ef-8000-000000000000`.slice(-36);
  const instanceId = `${appId.slice(1).replace(/\//g, '_')}.instance-${uuid}`;
  return {
    instanceId,
    appId,
    runSpecVersion: '2024-05-01T11:00:00.000Z',
    goal: 'Running',
    condition: 'Running',
    since: NOW - 60_000,
    taskId: `${instanceId}._app.1`,
    incarnation: 1,
    agentId: `${host}-S0`,
    hostname: host,
    hostPorts: [31000 + n],
    role: '*',
    ipAddresses: [{ ipAddress: '10.0.0.1', protocol: 'IPv4' }],
    stagedAt: '2024-05-01T11:58:00.000Z',
    startedAt: '2024-05-01T11:59:00.000Z',
    status: { state: 'TASK_RUNNING', timestamp: NOW - 60_000 },
    ...overrides,
  };
}

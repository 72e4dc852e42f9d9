/**
 * /v2/events end to end: a real `pacer --master local` child, read with the `eventsource` client
 * while an app is created, scaled and deleted over HTTP. Checks the event types and fields a
 * Marathon SSE consumer relies on, and the order Marathon guarantees within one deployment
 * (deployment_info before deployment_step_success before deployment_success). Across event
 * types Marathon promises no order, so those relations are checked on the events' timestamps
 * ("this cannot have happened before that") rather than on arrival order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteJson, getJson, postJson, putJson } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { EventRecorder, type RecordedEvent } from './event-recorder.js';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TEST_MS = 45_000;
const APP_ID = '/ev/web';

let pacer: PacerProcess;
const recorders: EventRecorder[] = [];

beforeAll(async () => {
  pacer = await startPacerProcess({ name: 'events-e2e', agents: 3 });
});

afterEach(async () => {
  for (const r of recorders.splice(0)) r.close();
  await deleteJson(`${pacer.url}/v2/apps${APP_ID}?force=true`);
});

afterAll(async () => {
  await pacer?.stop();
});

interface PlanJson {
  id: string;
  version: string;
  steps: Array<{ actions: Array<{ action: string; app: string }> }>;
}
interface StepJson {
  actions: Array<{ action: string; app: string }>;
}

const time = (e: RecordedEvent): number => Date.parse(String(e.data.timestamp));

async function open(query = ''): Promise<EventRecorder> {
  const recorder = await EventRecorder.open(pacer.url, query);
  recorders.push(recorder);
  return recorder;
}

/** Checks one deployment's events and returns them; waits (bounded) for its deployment_success. */
async function checkDeployment(
  events: EventRecorder,
  deploymentId: string,
  version: string,
  expectedActions: string[],
): Promise<{
  infos: RecordedEvent[];
  success: RecordedEvent;
}> {
  const success = await events.waitFor('deployment_success', (d) => d.id === deploymentId, 25_000);
  const ofPlan = (d: Record<string, unknown>): boolean => (d.plan as PlanJson | undefined)?.id === deploymentId;
  const infos = events.of('deployment_info', ofPlan);
  const stepSuccesses = events.of('deployment_step_success', ofPlan);
  expect(events.of('deployment_success', (d) => d.id === deploymentId)).toHaveLength(1);
  expect(events.of('deployment_failed', (d) => d.id === deploymentId || ofPlan(d))).toEqual([]);

  const plan = success.data.plan as PlanJson;
  expect(plan).toMatchObject({ id: deploymentId, version });
  expect(plan.steps.flatMap((s) => s.actions.map((a) => a.action))).toEqual(expectedActions);
  for (const step of plan.steps) for (const action of step.actions) expect(action.app).toBe(APP_ID);

  // One deployment_info and one deployment_step_success per step, in the plan's order, and the
  // step's success only after it started; the plan's success only after every step.
  expect(infos).toHaveLength(plan.steps.length);
  expect(stepSuccesses).toHaveLength(plan.steps.length);
  plan.steps.forEach((step, i) => {
    const info = infos[i]!;
    const done = stepSuccesses[i]!;
    expect(info.data.plan).toEqual(plan);
    expect(info.data.currentStep as StepJson).toEqual(step);
    expect(done.data.currentStep as StepJson).toEqual(step);
    expect(info.seq).toBeLessThan(done.seq);
    expect(done.seq).toBeLessThan(success.seq);
    if (i > 0) expect(stepSuccesses[i - 1]!.seq).toBeLessThan(info.seq);
  });

  // Every root change is announced with the deployment's version.
  expect(events.of('group_change_success', (d) => d.version === version).length).toBeGreaterThan(0);
  return { infos, success };
}

describe('GET /v2/events', () => {
  it('streams the events of deploying, scaling and deleting an app, with Marathon fields and per-deployment order', { timeout: TEST_MS }, async () => {
    const events = await open();
    const deploymentsOnly = await open('?event_type=deployment_success');

    const attached = events.of('event_stream_attached');
    expect(attached.length).toBeGreaterThan(0);
    expect(attached[0]!.seq).toBe(0);
    expect(attached[0]!.data.remoteAddress).toBe('127.0.0.1');

    // --- create
    const app = { id: APP_ID, cmd: 'sleep 600', instances: 1, cpus: 0.05, mem: 16, portDefinitions: [{ port: 0, name: 'http' }] };
    const created = await postJson<{ version: string }>(`${pacer.url}/v2/apps`, app);
    expect(created.status, created.text).toBe(201);
    const createId = String(created.headers['marathon-deployment-id']);
    const create = await checkDeployment(events, createId, created.body.version, ['StartApplication', 'ScaleApplication']);

    const posted = events.of('api_post_event', (d) => d.uri === '/v2/apps');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.data).toMatchObject({
      clientIp: '127.0.0.1',
      appDefinition: { id: APP_ID, cmd: 'sleep 600', instances: 1, version: created.body.version },
    });

    const running = await events.waitFor('status_update_event', (d) => d.appId === APP_ID && d.taskStatus === 'TASK_RUNNING', 10_000);
    const task = running.data;
    expect(typeof task.slaveId).toBe('string');
    expect(String(task.taskId)).toMatch(/^ev_web\.instance-[0-9a-f-]{36}\._app\.\d+$/);
    expect(task.host).toBe('127.0.0.1');
    expect(task.ports).toEqual([expect.any(Number)]);
    expect(task.version).toBe(created.body.version);
    expect(task.ipAddresses).toEqual([{ ipAddress: '127.0.0.1', protocol: 'IPv4' }]);
    expect(typeof task.message).toBe('string');
    // The deployment cannot have succeeded before its task ran.
    expect(time(create.success)).toBeGreaterThanOrEqual(time(running));

    const changed = events.of('instance_changed_event', (d) => d.runSpecId === APP_ID && d.condition === 'Running');
    expect(changed).toHaveLength(1);
    expect(String(task.taskId).startsWith(`${String(changed[0]!.data.instanceId)}.`)).toBe(true);
    expect(changed[0]!.data).toMatchObject({ agentId: task.slaveId, host: '127.0.0.1', runSpecVersion: created.body.version });

    // --- scale to 2
    const scaled = await putJson<{ deploymentId: string; version: string }>(`${pacer.url}/v2/apps${APP_ID}`, { instances: 2 });
    expect(scaled.status, scaled.text).toBe(200);
    await checkDeployment(events, scaled.body.deploymentId, scaled.body.version, ['ScaleApplication']);
    const put = events.of('api_post_event', (d) => d.uri === `/v2/apps${APP_ID}`);
    expect(put).toHaveLength(1);
    expect(put[0]!.data).toMatchObject({ clientIp: '127.0.0.1', appDefinition: { id: APP_ID, instances: 2 } });
    const runningIds = new Set(events.of('status_update_event', (d) => d.appId === APP_ID && d.taskStatus === 'TASK_RUNNING').map((e) => e.data.taskId));
    expect(runningIds.size).toBe(2);
    const tasks = await getJson<{ tasks: Array<{ id: string }> }>(`${pacer.url}/v2/apps${APP_ID}/tasks`);
    expect(new Set(tasks.body.tasks.map((t) => t.id))).toEqual(runningIds);

    // --- delete
    const posts = events.of('api_post_event').length;
    const deleted = await deleteJson<{ deploymentId: string; version: string }>(`${pacer.url}/v2/apps${APP_ID}`);
    expect(deleted.status, deleted.text).toBe(200);
    const removal = await checkDeployment(events, deleted.body.deploymentId, deleted.body.version, ['StopApplication']);
    const terminated = await events.waitFor('app_terminated_event', (d) => d.appId === APP_ID, 10_000);
    expect(events.of('app_terminated_event', (d) => d.appId === APP_ID)).toHaveLength(1);
    // Stopping the app ends both tasks; the app is terminated only after that, and the
    // deployment succeeds only after the app is terminated.
    for (const taskId of runningIds) {
      const killed = await events.waitFor('status_update_event', (d) => d.taskId === taskId && d.taskStatus === 'TASK_KILLED', 10_000);
      expect(time(killed)).toBeLessThanOrEqual(time(terminated));
    }
    expect(time(terminated)).toBeLessThanOrEqual(time(removal.success));
    expect(time(removal.infos[0]!)).toBeLessThanOrEqual(time(terminated));
    // DELETE publishes no api_post_event.
    expect(events.of('api_post_event')).toHaveLength(posts);

    for (const e of events.events) expect(String(e.data.timestamp), e.type).toMatch(TIMESTAMP);
    expect(events.malformed).toEqual([]);

    // The filtered stream saw the three deployment_success events and nothing else of this run.
    const filteredTypes = new Set(deploymentsOnly.events.map((e) => e.type));
    filteredTypes.delete('event_stream_attached');
    expect([...filteredTypes]).toEqual(['deployment_success']);
    expect(deploymentsOnly.of('deployment_success').map((e) => e.data.id)).toEqual([createId, scaled.body.deploymentId, deleted.body.deploymentId]);
    expect(deploymentsOnly.malformed).toEqual([]);
  });
});

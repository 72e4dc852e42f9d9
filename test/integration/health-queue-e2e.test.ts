/**
 * Health checks, launch backoff and the launch queue end to end, as a black box: a real
 * `pacer --master local` child with three process agents (tasks are real child processes),
 * driven over HTTP and watched through /v2/events.
 *
 * The health app is a tiny Python HTTP server: GET /health answers 200 until a flag file
 * `unhealthy` exists in its sandbox (its working directory), then 500; GET /fail creates that
 * flag. So the test turns exactly one task unhealthy, and its replacement (a fresh sandbox)
 * is healthy again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteJson, getJson, httpJson, postJson, waitFor } from '../helpers/http.js';
import { startPacerProcess, type PacerProcess } from '../helpers/pacer-process.js';
import { EventRecorder } from './event-recorder.js';

interface TaskJson {
  id: string;
  state: string;
  host: string;
  ports: number[];
  healthCheckResults?: Array<{ alive: boolean }>;
}
interface AppJson {
  id: string;
  instances: number;
  tasks?: TaskJson[];
}
interface RejectCount {
  reason: string;
  declined: number;
  processed: number;
}
interface QueueItemJson {
  count: number;
  role?: string;
  delay: { timeLeftSeconds: number; overdue: boolean };
  since: string;
  processedOffersSummary: {
    processedOffersCount: number;
    unusedOffersCount: number;
    rejectSummaryLastOffers: RejectCount[];
    rejectSummaryLaunchAttempt: RejectCount[];
  };
  lastUnusedOffers?: Array<{ offer: { id: string; agentId: string; hostname: string }; timestamp: string; reason: string[] }>;
  app: { id: string };
}

const TEST_MS = 45_000;

let pacer: PacerProcess;
let events: EventRecorder | undefined;
const createdApps = new Set<string>();

// Every local Pacer's agents offer host ports on 127.0.0.1, 31000-32000 by default; other Pacers
// started by tests running at the same time would hand out the same ports, so this one gets a
// range of its own.
const PORT_BASE = 21_000 + 500 * Math.floor(Math.random() * 20);

beforeAll(async () => {
  pacer = await startPacerProcess({
    name: 'health-queue-e2e',
    agents: 3,
    agentResources: `cpus:4;mem:8192;disk:20000;ports:[${PORT_BASE}-${PORT_BASE + 499}]`,
  });
});

afterEach(async () => {
  events?.close();
  events = undefined;
  for (const id of createdApps) await deleteJson(`${pacer.url}/v2/apps${id}?force=true`);
  createdApps.clear();
});

afterAll(async () => {
  await pacer?.stop();
});

// ---------------------------------------------------------------------------------------------

const FLAGGED_SERVER = `exec python3 -c "
import http.server, os
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/fail':
            open('unhealthy', 'w').close()
            code = 200
        elif self.path == '/health':
            code = 500 if os.path.exists('unhealthy') else 200
        else:
            code = 404
        self.send_response(code)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT0'])), Handler).serve_forever()
"`;

function healthApp(id: string, protocol: 'MESOS_HTTP' | 'HTTP'): Record<string, unknown> {
  return {
    id,
    cmd: FLAGGED_SERVER,
    instances: 1,
    cpus: 0.05,
    mem: 32,
    portDefinitions: [{ port: 0, name: 'http' }],
    healthChecks: [
      {
        protocol,
        path: '/health',
        portIndex: 0,
        gracePeriodSeconds: 10,
        intervalSeconds: 1,
        timeoutSeconds: 1,
        maxConsecutiveFailures: 2,
        ...(protocol === 'MESOS_HTTP' ? { delaySeconds: 0 } : {}),
      },
    ],
  };
}

async function createApp(app: Record<string, unknown>): Promise<void> {
  const res = await postJson(`${pacer.url}/v2/apps`, app);
  expect(res.status, res.text).toBe(201);
  createdApps.add(String(app.id));
}

async function getApp(id: string): Promise<AppJson> {
  const res = await getJson<{ app: AppJson }>(`${pacer.url}/v2/apps${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.app;
}

const isHealthy = (task: TaskJson): boolean =>
  task.state === 'TASK_RUNNING' && (task.healthCheckResults ?? []).length > 0 && task.healthCheckResults!.every((r) => r.alive);

async function queueItem(id: string, embedOffers = false): Promise<QueueItemJson | undefined> {
  const res = await getJson<{ queue: QueueItemJson[] }>(`${pacer.url}/v2/queue${embedOffers ? '?embed=lastUnusedOffers' : ''}`);
  expect(res.status, res.text).toBe(200);
  return res.body.queue.find((item) => item.app.id === id);
}

const declinedFor = (counts: RejectCount[], reason: string): number => counts.find((c) => c.reason === reason)?.declined ?? 0;

/** Turns the only task of `id` unhealthy and checks that it is killed and replaced by a healthy one. */
async function unhealthyTaskIsReplaced(id: string, protocol: 'MESOS_HTTP' | 'HTTP'): Promise<{ killedTaskId: string }> {
  events = await EventRecorder.open(pacer.url);
  await createApp(healthApp(id, protocol));

  const first = await waitFor(
    async () => {
      const tasks = (await getApp(id)).tasks ?? [];
      return tasks.length === 1 && isHealthy(tasks[0]!) ? tasks[0] : undefined;
    },
    { timeoutMs: 20_000, what: `${id} to have one healthy task` },
  );
  expect(first.ports).toHaveLength(1);

  const flagged = await fetch(`http://127.0.0.1:${first.ports[0]}/fail`);
  expect(flagged.status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${first.ports[0]}/health`)).status).toBe(500);

  const ended = await events.waitFor(
    'status_update_event',
    (e) => e.taskId === first.id && (e.taskStatus === 'TASK_KILLED' || e.taskStatus === 'TASK_FAILED'),
    20_000,
  );
  expect(ended.data.appId).toBe(id);

  const replacement = await waitFor(
    async () => {
      const app = await getApp(id);
      const tasks = app.tasks ?? [];
      return tasks.length === 1 && tasks[0]!.id !== first.id && isHealthy(tasks[0]!) ? { app, task: tasks[0]! } : undefined;
    },
    { timeoutMs: 20_000, what: `a healthy replacement task of ${id}` },
  );
  // The instance count is the app's, untouched by the replacement.
  expect(replacement.app.instances).toBe(1);
  expect((await fetch(`http://127.0.0.1:${replacement.task.ports[0]}/health`)).status).toBe(200);
  // The replacement was launched by Pacer, not by a deployment.
  expect(events.of('status_update_event', (e) => e.taskId === replacement.task.id && e.taskStatus === 'TASK_RUNNING').length).toBeGreaterThan(0);
  expect(events.malformed).toEqual([]);
  return { killedTaskId: first.id };
}

// ---------------------------------------------------------------------------------------------

describe('health checks', () => {
  it('an app whose MESOS_HTTP health check starts failing is killed by its agent and replaced by a healthy task', { timeout: TEST_MS }, async () => {
    await unhealthyTaskIsReplaced('/hq/mesos-http', 'MESOS_HTTP');
  });

  it('an app whose HTTP (Pacer-run) health check starts failing is killed and replaced by a healthy task', { timeout: TEST_MS }, async () => {
    const { killedTaskId } = await unhealthyTaskIsReplaced('/hq/pacer-http', 'HTTP');
    // Pacer-run checks kill through Pacer, which says so on the event bus.
    const kills = events!.of('unhealthy_instance_kill_event', (e) => e.appId === '/hq/pacer-http');
    expect(kills).toHaveLength(1);
    expect(killedTaskId.startsWith(`${String(kills[0]!.data.instanceId)}.`)).toBe(true);
    expect(kills[0]!.data).toMatchObject({ host: '127.0.0.1', reason: expect.any(String), version: expect.any(String), slaveId: expect.any(String) });
    // The agent did not kill it on its own: Pacer's kill ends it as TASK_KILLED.
    expect(events!.of('status_update_event', (e) => e.taskId === killedTaskId && e.taskStatus === 'TASK_KILLED')).toHaveLength(1);
  });
});

describe('backoff and the launch queue', () => {
  it('a crash-looping app backs off with a growing delay, and DELETE /v2/queue/{id}/delay relaunches it at once', { timeout: TEST_MS }, async () => {
    const id = '/hq/crash';
    events = await EventRecorder.open(pacer.url, '?event_type=status_update_event');
    await createApp({ id, cmd: 'exit 1', cpus: 0.05, mem: 16, backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 60 });

    // Each failure starts a new back-off: the time left jumps up, then counts down. The first
    // sample after each jump is that back-off's peak; the peaks must grow.
    const peaks: number[] = [];
    let previous = Number.POSITIVE_INFINITY;
    // Delays 1, 2, 4, 8 s: a time left above 4 s only exists once the delay has doubled three times.
    const backedOff = await waitFor(
      async () => {
        const item = await queueItem(id);
        if (item === undefined || item.delay.overdue) {
          previous = 0;
          return undefined;
        }
        const left = item.delay.timeLeftSeconds;
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(60);
        if (left > previous) peaks.push(left);
        previous = left;
        return left > 4 ? { item, at: Date.now() } : undefined;
      },
      { timeoutMs: 35_000, intervalMs: 100, what: `${id} to be backed off by more than 4 s` },
    );
    expect(backedOff.item.count).toBe(1);
    expect(peaks.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < peaks.length; i++) expect(peaks[i]!).toBeGreaterThan(peaks[i - 1]!);
    const failures = events.of('status_update_event', (e) => e.appId === id && e.taskStatus === 'TASK_FAILED');
    expect(failures.length).toBeGreaterThanOrEqual(peaks.length);

    const tasksBefore = new Set(events.of('status_update_event', (e) => e.appId === id).map((e) => String(e.data.taskId)));
    const expiresAt = backedOff.at + backedOff.item.delay.timeLeftSeconds * 1000;
    const reset = await httpJson('DELETE', `${pacer.url}/v2/queue${id}/delay`);
    expect(reset.status, reset.text).toBe(204);
    expect(reset.text).toBe('');

    const relaunched = await events.waitFor('status_update_event', (e) => e.appId === id && !tasksBefore.has(String(e.taskId)), 30_000);
    const relaunchedAt = Date.now();
    expect(relaunched.data.taskStatus).toMatch(/^TASK_(STAGING|STARTING|RUNNING|FAILED)$/);
    // A new task, well before the delay it had would have run out.
    expect(relaunchedAt).toBeLessThan(expiresAt);
  });

  it('DELETE /v2/queue/{id}/delay answers 404 for an app that is not waiting to launch', async () => {
    const res = await httpJson<{ message: string }>('DELETE', `${pacer.url}/v2/queue/hq/no-such-app/delay`);
    expect(res.status, res.text).toBe(404);
    expect(res.body.message).toBe('Application /hq/no-such-app not found in tasks queue.');
  });

  it(
    'an app asking for more cpus than any agent has shows InsufficientCpus; an unsatisfiable constraint shows UnfulfilledConstraint',
    { timeout: TEST_MS },
    async () => {
      await createApp({ id: '/hq/too-big', cmd: 'sleep 600', cpus: 100, mem: 16 });
      await createApp({ id: '/hq/nowhere', cmd: 'sleep 600', cpus: 0.05, mem: 16, constraints: [['hostname', 'LIKE', 'no-such-host']] });

      const cases = [
        { id: '/hq/too-big', reason: 'InsufficientCpus' },
        { id: '/hq/nowhere', reason: 'UnfulfilledConstraint' },
      ];
      for (const { id, reason } of cases) {
        const item = await waitFor(
          async () => {
            const found = await queueItem(id, true);
            return found !== undefined && declinedFor(found.processedOffersSummary.rejectSummaryLastOffers, reason) > 0 ? found : undefined;
          },
          { timeoutMs: 20_000, what: `${reason} in the queue entry of ${id}` },
        );
        expect(item.count).toBe(1);
        const summary = item.processedOffersSummary;
        expect(summary.processedOffersCount).toBeGreaterThan(0);
        expect(summary.unusedOffersCount).toBeGreaterThan(0);
        expect(declinedFor(summary.rejectSummaryLaunchAttempt, reason)).toBeGreaterThan(0);
        // Only the one reason declines offers for this app.
        for (const other of summary.rejectSummaryLastOffers) if (other.reason !== reason) expect(other.declined, other.reason).toBe(0);
        expect(item.lastUnusedOffers).toBeDefined();
        expect(item.lastUnusedOffers!.length).toBeGreaterThan(0);
        for (const unused of item.lastUnusedOffers!) {
          expect(unused.reason).toContain(reason);
          expect(typeof unused.offer.id).toBe('string');
          expect(typeof unused.offer.agentId).toBe('string');
          expect(unused.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
        // Without the embed, the offers are not listed.
        expect((await queueItem(id))!.lastUnusedOffers).toBeUndefined();
      }
      // Neither app got a task.
      for (const { id } of cases) expect((await getApp(id)).tasks ?? []).toEqual([]);
    },
  );
});

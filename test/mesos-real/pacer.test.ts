/**
 * Pacer on a real Apache Mesos: one master and three agents (rack:r1, r2, r3; ports 23000-23099,
 * 23100-23199, 23200-23299) started from $MESOS_HOME, and a real `pacer --master 127.0.0.1:<port>`
 * process driven over its Marathon API. Each scenario checks Pacer's view against the master's
 * (/master/state) and removes its apps, so nothing is left for the next.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, HAVE_CHROMIUM, launchBrowser, screenshot } from '../ui/browser.js';
import {
  expectFrameworkRow,
  expectMesosUiReads,
  expectTaskAsMarathonWritesIt,
  expectTasksAndFrameworksEndpoints,
  MESOS_UI_APP_ID,
} from '../helpers/mesos-ui-view.js';
import { pacerFrameworkId, removeDir, waitFor } from '../helpers/processes.js';
import { startCluster, type MesosCluster } from './cluster.js';
import {
  HTTP_SERVER,
  api,
  createApp,
  deleteAppAndWait,
  expectViewsAgree,
  getApp,
  masterTasksOf,
  startPacerOn,
  waitAppSettled,
  type PacerOnMesos,
  type TaskJson,
} from './pacer-on-mesos.js';

let cluster: MesosCluster;
let pacer: PacerOnMesos;
let masterUrl: string;
/** agent id → rack attribute. */
const rackOf = new Map<string, string>();

beforeAll(async () => {
  cluster = await startCluster({ name: 'pacer' });
  masterUrl = cluster.masters[0]!.url;
  for (const agent of await cluster.waitAgents()) rackOf.set(agent.id, String(agent.attributes.rack));
  pacer = await startPacerOn(cluster.masterSpec, 'scenarios');
});

// A scenario that fails leaves its apps behind: remove every app so the next starts clean.
afterEach(async () => {
  const apps = await api<{ apps: Array<{ id: string }> }>(pacer, 'GET', '/v2/apps');
  for (const app of apps.body?.apps ?? []) await deleteAppAndWait(pacer, masterUrl, app.id);
});

afterAll(async () => {
  await pacer?.process.kill('SIGTERM');
  await cluster?.stop();
  removeDir(pacer?.dataDir);
});

const isHealthy = (task: TaskJson): boolean =>
  task.state === 'TASK_RUNNING' && (task.healthCheckResults ?? []).length > 0 && task.healthCheckResults!.every((r) => r.alive);

/**
 * The master's own web UI (served from $MESOS_HOME/share/mesos/webui) in headless Chromium: the
 * framework's page links to Pacer's UI and lists the task by name as healthy; its Sandbox link
 * opens the agent's listing with stderr, whose pager shows the server's request log.
 */
async function expectMesosWebUi(frameworkId: string, taskId: string): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = collectPageErrors(page);
    await page.goto(`${masterUrl}/#/frameworks/${frameworkId}`);
    const webUi = page.locator('dd a', { hasText: '/ui/' });
    await webUi.waitFor({ timeout: 30_000 });
    expect(await webUi.getAttribute('href')).toBe(`${pacer.url}/ui/`);
    const row = page.locator('table[title="Active Tasks"] tbody tr', { hasText: taskId });
    await row.locator('td.task-healthy', { hasText: 'healthy' }).waitFor({ timeout: 30_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe('web.shop');
    await screenshot(page, 'mesos-ui-framework', false);
    await row.getByRole('link', { name: 'Sandbox' }).click();
    const stderrLink = page.locator('a[ng-click^="pail"]', { hasText: /^\s*stderr\s*$/ });
    await stderrLink.waitFor({ timeout: 30_000 });
    const [pager] = await Promise.all([page.waitForEvent('popup', { timeout: 30_000 }), stderrLink.click()]);
    await pager.locator('body', { hasText: 'GET / HTTP/1.1' }).waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

describe('Pacer on a real Mesos master and three agents', () => {
  it('subscribes as an active, partition-aware framework with its webui_url', async () => {
    const frameworkId = (await pacerFrameworkId(pacer.url))!;
    const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as { frameworks: Array<Record<string, any>> };
    const framework = state.frameworks.find((f) => f.id === frameworkId);
    expect(framework, JSON.stringify(state.frameworks)).toBeDefined();
    expect(framework!.active).toBe(true);
    expect(framework!.name).toBe('pacer-scenarios');
    expect(framework!.capabilities).toContain('PARTITION_AWARE');
    expect(framework!.webui_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/$/);
  });

  it('shows in the Mesos UI’s reads what Marathon shows: task name, labels, named ports, health, the framework’s name and webui_url', async () => {
    // The same checks as against the embedded master (test/integration/mesos-ui-state.test.ts).
    const frameworkId = (await pacerFrameworkId(pacer.url))!;
    await expectFrameworkRow(masterUrl, frameworkId, 'pacer-scenarios', pacer.url);
    const taskId = await expectTaskAsMarathonWritesIt(pacer.url, masterUrl, HTTP_SERVER, 180_000);
    await expectTasksAndFrameworksEndpoints(masterUrl, frameworkId, taskId, 'pacer-scenarios', pacer.url);
    await expectMesosUiReads(masterUrl, frameworkId, taskId);
    if (HAVE_CHROMIUM || process.env.CI === 'true') await expectMesosWebUi(frameworkId, taskId);
    else console.warn('[mesos-real/pacer] the Mesos web UI was not opened: /usr/bin/chromium is missing');
    await deleteAppAndWait(pacer, masterUrl, MESOS_UI_APP_ID);
  });

  it('runs apps with MESOS_HTTP, MESOS_TCP, COMMAND and Marathon HTTP health checks, all healthy', async () => {
    const check = { gracePeriodSeconds: 60, intervalSeconds: 2, timeoutSeconds: 5, maxConsecutiveFailures: 3 };
    const kinds: Array<[string, Record<string, unknown>]> = [
      ['/hc/mesos-http', { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, delaySeconds: 1 }],
      ['/hc/mesos-tcp', { protocol: 'MESOS_TCP', portIndex: 0, delaySeconds: 1 }],
      ['/hc/command', { protocol: 'COMMAND', command: { value: 'curl -sf "http://127.0.0.1:$PORT0/"' }, delaySeconds: 1 }],
      ['/hc/http', { protocol: 'HTTP', path: '/', portIndex: 0 }],
    ];
    for (const [id, healthCheck] of kinds) {
      await createApp(pacer, {
        id,
        cmd: HTTP_SERVER,
        cpus: 0.1,
        mem: 64,
        portDefinitions: [{ port: 0, name: 'http' }],
        healthChecks: [{ ...check, ...healthCheck }],
      });
    }
    for (const [id] of kinds) {
      const app = await waitAppSettled(pacer, id, 1, 180_000, (a) => a.tasksHealthy === 1 && (a.tasks ?? []).every(isHealthy));
      expect(app.tasksHealthy).toBe(1);
    }
    // The executor-run checks report through Mesos: the master's latest status says healthy.
    const frameworkId = (await pacerFrameworkId(pacer.url))!;
    const state = (await (await fetch(`${masterUrl}/master/state`)).json()) as { frameworks: Array<{ id: string; tasks: Array<Record<string, any>> }> };
    const tasks = state.frameworks.find((f) => f.id === frameworkId)!.tasks;
    for (const prefix of ['hc_mesos-http.', 'hc_mesos-tcp.', 'hc_command.']) {
      const task = tasks.find((t) => String(t.id).startsWith(prefix));
      expect(task, prefix).toBeDefined();
      expect(task!.statuses.at(-1).healthy, JSON.stringify(task!.statuses)).toBe(true);
    }
    await expectViewsAgree(pacer, masterUrl);
    for (const [id] of kinds) await deleteAppAndWait(pacer, masterUrl, id);
  });

  it('holds a deployment until the readiness check passes', async () => {
    // The server answers 404 on /ready until the task creates that file a few seconds in.
    await createApp(pacer, {
      id: '/ready/app',
      cmd: `(sleep 5; touch ready) & ${HTTP_SERVER}`,
      cpus: 0.1,
      mem: 64,
      portDefinitions: [{ port: 0, name: 'http' }],
      readinessChecks: [
        { name: 'ready', protocol: 'HTTP', path: '/ready', portName: 'http', intervalSeconds: 2, timeoutSeconds: 1, httpStatusCodesForReady: [200] },
      ],
    });
    // Seen: the task running while the deployment still waits for readiness.
    await waitFor(
      'a running task under an unfinished deployment',
      async () => {
        const app = await getApp(pacer, '/ready/app');
        return (app.tasks ?? []).some((t) => t.state === 'TASK_RUNNING') && app.deployments.length > 0 ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    await waitAppSettled(pacer, '/ready/app', 1);
    await deleteAppAndWait(pacer, masterUrl, '/ready/app');
  });

  it('places by port and by rack constraints across the three agents, and says why it cannot place more', async () => {
    // Port 23150 lies only in agent 2's range.
    await createApp(pacer, { id: '/place/port', cmd: 'sleep 100000', cpus: 0.05, mem: 16, requirePorts: true, portDefinitions: [{ port: 23150 }] });
    await createApp(pacer, {
      id: '/place/unique',
      cmd: 'sleep 100000',
      cpus: 0.05,
      mem: 16,
      instances: 3,
      constraints: [['rack', 'UNIQUE']],
      portDefinitions: [],
    });
    const port = await waitAppSettled(pacer, '/place/port', 1);
    expect(port.tasks![0]!.ports).toEqual([23150]);
    expect(rackOf.get(port.tasks![0]!.slaveId)).toBe('r2');
    const unique = await waitAppSettled(pacer, '/place/unique', 3);
    expect(new Set(unique.tasks!.map((t) => rackOf.get(t.slaveId)))).toEqual(new Set(['r1', 'r2', 'r3']));

    // A fourth instance has no rack left; an app asking for 100 cpus fits no agent.
    expect((await api(pacer, 'PUT', '/v2/apps/place/unique', { instances: 4 })).status).toBe(200);
    await createApp(pacer, { id: '/place/too-big', cmd: 'sleep 100000', cpus: 100, mem: 16, portDefinitions: [] });
    for (const [id, reason] of [
      ['/place/unique', 'UnfulfilledConstraint'],
      ['/place/too-big', 'InsufficientCpus'],
    ] as const) {
      await waitFor(
        `${reason} in /v2/queue for ${id}`,
        async () => {
          const queue = (await api<{ queue: Array<Record<string, any>> }>(pacer, 'GET', '/v2/queue')).body.queue;
          const item = queue.find((q) => q.app?.id === id);
          const declined = item?.processedOffersSummary?.rejectSummaryLastOffers?.find((r: { reason: string }) => r.reason === reason)?.declined ?? 0;
          return item?.count === 1 && declined > 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }
    expect((await getApp(pacer, '/place/unique')).tasks).toHaveLength(3);
    await expectViewsAgree(pacer, masterUrl);
    for (const id of ['/place/port', '/place/unique', '/place/too-big']) await deleteAppAndWait(pacer, masterUrl, id);
  });

  it('scales up and down, the master agreeing at each step', async () => {
    await createApp(pacer, { id: '/scale/app', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 2, portDefinitions: [] });
    await waitAppSettled(pacer, '/scale/app', 2);
    expect((await api(pacer, 'PUT', '/v2/apps/scale/app', { instances: 5 })).status).toBe(200);
    await waitAppSettled(pacer, '/scale/app', 5);
    expect((await expectViewsAgree(pacer, masterUrl)).filter((id) => id.startsWith('scale_app.'))).toHaveLength(5);
    expect((await api(pacer, 'PUT', '/v2/apps/scale/app', { instances: 1 })).status).toBe(200);
    await waitAppSettled(pacer, '/scale/app', 1);
    expect((await expectViewsAgree(pacer, masterUrl)).filter((id) => id.startsWith('scale_app.'))).toHaveLength(1);
    await deleteAppAndWait(pacer, masterUrl, '/scale/app');
  });

  it('restarts an app rolling: new tasks replace every old one, never more than one extra', async () => {
    await createApp(pacer, {
      id: '/roll/app',
      cmd: 'sleep 100000',
      cpus: 0.05,
      mem: 16,
      instances: 2,
      portDefinitions: [],
      upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
    });
    const before = await waitAppSettled(pacer, '/roll/app', 2);
    const oldIds = new Set(before.tasks!.map((t) => t.id));
    const frameworkId = (await pacerFrameworkId(pacer.url))!;
    const restart = await api(pacer, 'POST', '/v2/apps/roll/app/restart');
    expect(restart.status, restart.text).toBe(200);
    let most = 0;
    await waitFor(
      'the restart to finish with two new tasks',
      async () => {
        most = Math.max(most, (await masterTasksOf(masterUrl, frameworkId)).filter((t) => t.id.startsWith('roll_app.')).length);
        const app = await getApp(pacer, '/roll/app');
        const tasks = app.tasks ?? [];
        return app.deployments.length === 0 && tasks.length === 2 && tasks.every((t) => t.state === 'TASK_RUNNING' && !oldIds.has(t.id)) ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    // maximumOverCapacity 0: the master never held more than the two instances.
    expect(most).toBeLessThanOrEqual(2);
    await expectViewsAgree(pacer, masterUrl);
    await deleteAppAndWait(pacer, masterUrl, '/roll/app');
  });

  it('kills a task and kills and wipes another: both replaced by new tasks; deleting the app leaves nothing', async () => {
    await createApp(pacer, { id: '/kill/app', cmd: 'sleep 100000', cpus: 0.05, mem: 16, instances: 2, portDefinitions: [] });
    const app = await waitAppSettled(pacer, '/kill/app', 2);
    const [first, second] = app.tasks!;
    expect((await api(pacer, 'DELETE', `/v2/apps/kill/app/tasks/${first!.id}`)).status).toBe(200);
    expect((await api(pacer, 'DELETE', `/v2/apps/kill/app/tasks/${second!.id}?wipe=true`)).status).toBe(200);
    await waitAppSettled(pacer, '/kill/app', 2, 180_000, (a) => a.tasks!.every((t) => t.id !== first!.id && t.id !== second!.id));
    await expectViewsAgree(pacer, masterUrl);
    await deleteAppAndWait(pacer, masterUrl, '/kill/app');
    expect((await expectViewsAgree(pacer, masterUrl)).filter((id) => id.startsWith('kill_app.'))).toEqual([]);
  });
});
